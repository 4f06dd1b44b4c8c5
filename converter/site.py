"""The Jekyll site a post belongs to: its root, its ``_config.yml`` and its asset roots.

The site root is the nearest ancestor of a post that holds ``_config.yml`` (or the folder the
user names). ``site.*`` Liquid values come from that file. This module knows nothing about
Markdown, HTML or output formats.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

log = logging.getLogger(__name__)

CONFIG_NAME = "_config.yml"


@dataclass
class Site:
    """A Jekyll site: the root folder and its configuration."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    #: Extra folders (besides ``root``) that assets may be read from.
    asset_roots: tuple[Path, ...] = ()

    @property
    def url(self) -> str:
        return str(self.config.get("url") or "").rstrip("/")

    @property
    def baseurl(self) -> str:
        value = str(self.config.get("baseurl") or "").strip()
        return "/" + value.strip("/") if value.strip("/") else ""

    @property
    def title(self) -> str:
        return str(self.config.get("title") or "")

    @property
    def author(self) -> str:
        from .post import author_name

        return author_name(self.config.get("author"))

    @property
    def locale(self) -> str:
        return str(self.config.get("locale") or self.config.get("lang") or "")

    def allowed_roots(self) -> tuple[Path, ...]:
        """Folders assets may be read from (resolved, symlinks followed)."""
        return (self.root.resolve(), *(p.resolve() for p in self.asset_roots))


def find_site_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``_config.yml``, or None."""
    start = start.resolve()
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_site(root: Path, *, asset_roots: tuple[Path, ...] = ()) -> Site:
    """Read ``root/_config.yml`` (a missing file gives an empty configuration)."""
    config_path = root / CONFIG_NAME
    config: dict[str, Any] = {}
    if config_path.is_file():
        try:
            data = yaml.safe_load(config_path.read_text(encoding="utf-8-sig"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=config_path,
                              line=mark.line + 1 if mark else None,
                              column=mark.column + 1 if mark else None) from None
        except UnicodeDecodeError:
            raise ConfigError("not UTF-8 text", path=config_path) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError("expected a mapping at the top level", path=config_path)
        from .errors import InputError
        from .post import clean_yaml_data

        try:
            # Refuses YAML alias bombs and self-references, strips control characters.
            config = clean_yaml_data(data, config_path, what="_config.yml")
        except InputError as exc:
            raise ConfigError(exc.message, path=config_path) from None
    return Site(root=root.resolve(), config=config, asset_roots=asset_roots)


def site_for(post_path: Path, explicit_root: Path | None = None, *,
             asset_roots: tuple[Path, ...] = ()) -> Site:
    """The site of ``post_path``: ``explicit_root`` if given, else discovered, else the post's
    folder; ``asset_roots`` as for :func:`load_site`."""
    if explicit_root is not None:
        return load_site(explicit_root, asset_roots=asset_roots)
    root = find_site_root(post_path)
    if root is None:
        # A lone Markdown file: its own folder bounds what it may reference.
        root = post_path.resolve().parent
        if root.name == "_posts":
            root = root.parent
    return load_site(root, asset_roots=asset_roots)
