"""The Jekyll site a post belongs to: its root, its ``_config.yml`` and its asset roots.

The site root is the nearest ancestor of a post that holds ``_config.yml`` (or the folder the
user names), found along the path as written: a post that is a symlink does not move its site.
``site.*`` Liquid values come from that file.

File access follows Jekyll's safe mode (GitHub Pages): a file is read only if it lies inside
the site root or an asset root once symlinks are followed (:meth:`Site.may_read`); ``..`` is
collapsed first, so it never leads out. ``follow_symlinks`` (the option) lets a path that lies
inside as written lead anywhere through symlinks, for authors on their own machine.
This module knows nothing about Markdown, HTML or output formats.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
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
    #: Whether symlinks may lead outside the roots (off: Jekyll's safe mode).
    follow_symlinks: bool = False
    #: The roots as the user wrote them (absolute, ``..`` collapsed, symlinks kept).
    written_roots: tuple[Path, ...] = ()

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

    def may_read(self, path: Path) -> bool:
        """Whether ``path`` may be read: see the module docstring."""
        return may_read(path, (*self.allowed_roots(), *self.written_roots),
                        follow_symlinks=self.follow_symlinks)


def written(path: Path) -> Path:
    """``path`` absolute with ``..`` collapsed as in a URL, symlinks left as they are."""
    return Path(os.path.normpath(os.path.abspath(path)))


def within(path: Path, roots: Iterable[Path]) -> bool:
    """Whether ``path`` is one of ``roots`` or lies below one (compared as written)."""
    return any(path == root or root in path.parents for root in roots)


def may_read(path: Path, roots: Iterable[Path], *, follow_symlinks: bool = False) -> bool:
    """Jekyll's safe mode: ``path`` lies inside ``roots`` once symlinks are followed; with
    ``follow_symlinks``, lying inside as written (``..`` collapsed) is enough."""
    roots = tuple(roots)
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return False
    if within(real, roots):
        return True
    return follow_symlinks and within(written(path), roots)


def find_site_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``_config.yml``, or None (searched
    along the path as written: a symlinked post belongs to the site it sits in)."""
    start = written(start)
    here = start if start.is_dir() else start.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_site(root: Path, *, asset_roots: tuple[Path, ...] = (),
              follow_symlinks: bool = False) -> Site:
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
    return Site(root=root.resolve(), config=config, asset_roots=asset_roots,
                follow_symlinks=follow_symlinks,
                written_roots=tuple(written(p) for p in (root, *asset_roots)))


def site_for(post_path: Path, explicit_root: Path | None = None, *,
             asset_roots: tuple[Path, ...] = (), follow_symlinks: bool = False) -> Site:
    """The site of ``post_path``: ``explicit_root`` if given, else discovered, else the post's
    folder; ``asset_roots`` and ``follow_symlinks`` as for :func:`load_site`."""
    if explicit_root is not None:
        return load_site(explicit_root, asset_roots=asset_roots, follow_symlinks=follow_symlinks)
    root = find_site_root(post_path)
    if root is None:
        # A lone Markdown file: its own folder bounds what it may reference.
        root = written(post_path).parent
        if root.name == "_posts":
            root = root.parent
    return load_site(root, asset_roots=asset_roots, follow_symlinks=follow_symlinks)


def check_post_access(post_path: Path, site: Site) -> None:
    """Raise :class:`InputError` if the post leads outside its site (a symlink elsewhere)."""
    if not site.may_read(post_path):
        from .errors import InputError

        raise InputError("the post is a symlink leading outside the site; refused "
                         "(option follow_symlinks)", path=post_path)
