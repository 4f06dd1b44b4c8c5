"""Themes: folders of CSS with a small manifest, resolved through ``extends`` chains.

A theme is a folder ``themes/<name>/`` (``converter/_themes`` in a wheel, see
:mod:`converter.resources`) holding ``theme.yml``, ``print.css`` (WeasyPrint), ``epub.css``
(reflowable EPUB) and optional extra CSS shared by both formats. ``theme.yml`` keys:

``name``         the theme's name (defaults to the folder name)
``description``  one line for people
``extends``      optional parent theme: a bundled theme name, or a folder relative to this one
``fonts``        CSS families by role: ``body``, ``heading``, ``mono`` (see ``fonts/fonts.yml``)
``page_size``    default page size (``A5``, ``A4``, ``B6``, ``Letter`` or ``"W H"``)
``css``          extra CSS files included in both formats, before ``print.css``/``epub.css``
``cover``        colours of the generated cover picture (the EPUB's cover image when there
                 is no cover image): ``background``, ``color`` (title), ``accent`` (rule and
                 author), as ``#rrggbb``

A child inherits everything from its parent; its CSS comes after the parent's, its ``fonts``
entries replace the parent's one by one. This module only reads files: it knows nothing about
HTML, writers or how the fonts are embedded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ThemeError
from .fonts import FontFamily, load_manifest, resolve_families
from .resources import themes_dir

__all__ = ["Theme", "ThemeError", "available_themes", "load_theme", "themes_dir"]

MANIFEST = "theme.yml"
FONT_ROLES = ("body", "heading", "mono")
_KEYS = {"name", "description", "extends", "fonts", "page_size", "css", "cover"}
COVER_KEYS = ("background", "color", "accent")
_MAX_DEPTH = 8
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Theme:
    """A resolved theme: the whole ``extends`` chain merged, CSS concatenated parent first."""

    name: str
    path: Path
    description: str = ""
    fonts: dict[str, str] = field(default_factory=dict)
    page_size: str = "A5"
    print_css: str = ""
    epub_css: str = ""
    #: Theme folders from the root ancestor to this theme.
    chain: tuple[Path, ...] = ()
    #: Colours of the generated cover picture (``COVER_KEYS``).
    cover: dict[str, str] = field(default_factory=dict)

    def font_families(self, *, with_fallbacks: bool = True) -> list[FontFamily]:
        """The bundled font families the theme's CSS names (with their fallbacks)."""
        return resolve_families(dict.fromkeys(self.fonts.values()), with_fallbacks=with_fallbacks)


@dataclass(frozen=True)
class _Manifest:
    path: Path
    name: str
    description: str
    extends: str | None
    fonts: dict[str, str]
    page_size: str | None
    css: tuple[str, ...]
    cover: dict[str, str] = field(default_factory=dict)


def available_themes(directory: Path | None = None) -> list[str]:
    """Names of the bundled themes (folders with a ``theme.yml``), sorted."""
    root = directory or themes_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file())


def load_theme(name_or_path: str | Path) -> Theme:
    """Resolve a bundled theme name or a theme folder into a :class:`Theme`."""
    chain: list[_Manifest] = []
    folder = _locate(name_or_path, relative_to=None)
    while True:
        if folder in (m.path for m in chain):
            names = " -> ".join(m.name for m in chain)
            raise ThemeError(f"theme 'extends' loop: {names} -> {folder.name}", path=folder / MANIFEST)
        if len(chain) >= _MAX_DEPTH:
            raise ThemeError("theme 'extends' chain is too deep", path=folder / MANIFEST)
        manifest = _read_manifest(folder)
        chain.append(manifest)
        if manifest.extends is None:
            break
        folder = _locate(manifest.extends, relative_to=folder)
    chain.reverse()  # root ancestor first

    fonts: dict[str, str] = {}
    cover: dict[str, str] = {}
    page_size = "A5"
    for manifest in chain:
        fonts.update(manifest.fonts)
        cover.update(manifest.cover)
        page_size = manifest.page_size or page_size
    _check_fonts(fonts, chain[-1].path / MANIFEST)
    leaf = chain[-1]
    return Theme(
        name=leaf.name,
        path=leaf.path,
        description=leaf.description,
        fonts=fonts,
        page_size=page_size,
        print_css=_concatenate(chain, "print.css"),
        epub_css=_concatenate(chain, "epub.css"),
        chain=tuple(m.path for m in chain),
        cover=cover,
    )


def _locate(name_or_path: str | Path, *, relative_to: Path | None) -> Path:
    """The folder of a theme given by name or path; ThemeError listing the choices if none."""
    text = str(name_or_path)
    bare = isinstance(name_or_path, str) and "/" not in text and "\\" not in text
    candidates: list[Path] = []
    if relative_to is not None:
        # "extends: default" names a sibling folder (a user's own theme set) or a bundled theme;
        # "extends: ../other" is a path relative to the extending theme.
        candidates += [relative_to.parent / text, themes_dir() / text] if bare else [relative_to / text]
    elif bare:
        candidates += [themes_dir() / text, Path(text)]
    else:
        candidates.append(Path(text).expanduser())
    for candidate in candidates:
        if (candidate / MANIFEST).is_file():
            return candidate.resolve()
    available = ", ".join(available_themes()) or "none"
    where = relative_to / MANIFEST if relative_to is not None else None
    raise ThemeError(f"unknown theme {text!r} (available: {available})", path=where)


def _read_manifest(folder: Path) -> _Manifest:
    path = folder / MANIFEST
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ThemeError(f"cannot read theme manifest: {exc.strerror or exc}", path=path) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ThemeError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path,
                         line=line + 1 if line is not None else None) from None
    if not isinstance(data, dict):
        raise ThemeError("theme manifest must be a mapping", path=path)
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise ThemeError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})", path=path)

    fonts = data.get("fonts") or {}
    if not isinstance(fonts, dict) or not all(isinstance(v, str) for v in fonts.values()):
        raise ThemeError("'fonts' must map roles to font family names", path=path)
    bad_roles = sorted(set(fonts) - set(FONT_ROLES))
    if bad_roles:
        raise ThemeError(f"unknown font role {bad_roles[0]!r} (known: {', '.join(FONT_ROLES)})", path=path)
    css = data.get("css") or []
    if isinstance(css, str):
        css = [css]
    if not isinstance(css, list) or not all(isinstance(c, str) for c in css):
        raise ThemeError("'css' must be a list of file names", path=path)
    page_size = data.get("page_size")
    if page_size is not None:
        page_size = str(page_size)
        _check_page_size(page_size, path)
    cover = data.get("cover") or {}
    if (not isinstance(cover, dict) or set(map(str, cover)) - set(COVER_KEYS)
            or not all(isinstance(v, str) and _COLOUR.match(v) for v in cover.values())):
        raise ThemeError(f"'cover' must map {', '.join(COVER_KEYS)} to colours like '#f4f1ea'",
                         path=path)
    extends = data.get("extends")
    return _Manifest(
        path=folder.resolve(),
        name=str(data.get("name") or folder.name),
        description=str(data.get("description") or ""),
        extends=str(extends) if extends else None,
        fonts={str(k): v for k, v in fonts.items()},
        page_size=page_size,
        css=tuple(css),
        cover={str(k): v for k, v in cover.items()},
    )


def _check_page_size(value: str, path: Path) -> None:
    from .errors import ConfigError
    from .options import page_size_css

    try:
        page_size_css(value)
    except ConfigError:
        raise ThemeError(f"'page_size': {value!r} is not A4, A5, B5, B6, Letter or 'W H'",
                         path=path) from None


def _check_fonts(fonts: dict[str, str], path: Path) -> None:
    missing = [role for role in FONT_ROLES if role not in fonts]
    if missing:
        raise ThemeError(f"'fonts' has no {missing[0]!r} family (set it here or in a parent)", path=path)
    manifest = load_manifest()
    for role, family in fonts.items():
        if family not in manifest:
            known = ", ".join(name for name, f in manifest.items() if f.generic)
            raise ThemeError(f"font {role!r}: unknown family {family!r} (bundled: {known})", path=path)


def _concatenate(chain: list[_Manifest], filename: str) -> str:
    """The shared CSS and ``filename`` of every theme in the chain, parent first."""
    parts: list[str] = []
    for manifest in chain:
        for name in (*manifest.css, filename):
            path = manifest.path / name
            if name in manifest.css and not path.is_file():
                raise ThemeError(f"CSS file {name!r} listed in 'css' does not exist",
                                 path=manifest.path / MANIFEST)
            if not path.is_file():
                continue  # a child may rely on its parent's print.css or epub.css
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ThemeError(f"cannot read CSS: {exc}", path=path) from None
            parts.append(f"/* ---- {manifest.name}/{name} ---- */\n{text.strip()}\n")
    if not parts:
        raise ThemeError(f"no {filename} in the theme or its parents", path=chain[-1].path)
    return "\n".join(parts)
