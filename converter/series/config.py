"""The book's configuration: :class:`BookConfig` from ``book.yml``, flags or arguments, validated
like :class:`~converter.options.Options` (both through
:func:`~converter.options.validate_fields`), and the options that come with it.

Unknown keys and wrong types are one-line :class:`ConfigError` s naming the key path
(``posts[2]``, ``options.theme``) and the file (the format: :mod:`converter.series`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import ConfigError
from ..options import Options, validate_fields

_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_SPACE = re.compile(r"[\s_-]+")


#: Friendlier spellings accepted in book.yml (and flags) for BookConfig keys.
ALIASES = {"language": "lang", "category": "categories", "tag": "tags", "name": "output"}


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class BookConfig:
    """What goes into a book and how it is titled. Paths in ``book.yml`` are relative to it."""

    title: str = field(default="", metadata=_doc("Book title (required)."))
    subtitle: str = field(default="", metadata=_doc("Subtitle, on the title page."))
    author: str = field(default="", metadata=_doc(
        "Author; default: the site's _config.yml author."))
    lang: str | None = field(default=None, metadata=_doc(
        "Book language tag (also `language`); default: the majority of the chapters'."))
    cover: Path | None = field(default=None, metadata=_doc(
        "Cover image; default: a generated cover with the title."))
    posts: tuple[Path, ...] = field(default=(), metadata=_doc(
        "Explicit, ordered post files; a folder here adds its posts that pass the filters."))
    sources: tuple[Path, ...] = field(default=(), metadata=_doc(
        "Folders (sites, _posts) whose posts pass through the filters; default: book.yml's "
        "folder when `posts` is empty."))
    categories: tuple[str, ...] = field(default=(), metadata=_doc(
        "Keep posts with any of these categories (case-insensitive)."))
    tags: tuple[str, ...] = field(default=(), metadata=_doc(
        "Keep posts with any of these tags (case-insensitive)."))
    date_from: dt.date | None = field(default=None, metadata=_doc(
        "Keep posts dated on or after this day (YYYY-MM-DD)."))
    date_to: dt.date | None = field(default=None, metadata=_doc(
        "Keep posts dated on or before this day (YYYY-MM-DD)."))
    glob: str | None = field(default=None, metadata=_doc(
        "Keep posts whose file name or path below the source folder matches (e.g. '*causal*')."))
    sort: Literal["date", "list"] | None = field(default=None, metadata=_doc(
        "Chapter order: date, or list (the `posts` order, then the rest by date); default: "
        "list when `posts` is given, else date."))
    output: str | None = field(default=None, metadata=_doc(
        "Output file stem (also `name`); default: the slug of the title."))

    @property
    def stem(self) -> str:
        """The output file name without extension."""
        return self.output or slugify(self.title)

    def updated(self, data: Mapping[str, Any], *, source: Path | None = None) -> BookConfig:
        """A copy with the keys of ``data`` (validated; e.g. flags over ``book.yml``)."""
        if not data:
            return self
        values = {ALIASES.get(str(k).replace("-", "_"), str(k).replace("-", "_")): v
                  for k, v in data.items()}
        return dataclasses.replace(self, **_validate_book(type(self), values, source))

    @classmethod
    def load(cls, path: str | os.PathLike[str], *,
             base_options: Options | None = None) -> tuple[BookConfig, Options]:
        """Read ``book.yml``: the book fields and the options, validated together."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ConfigError("no such file", path=path) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read: {exc}", path=path) from None
        try:
            data = yaml.load(text, Loader=_BookYamlLoader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                              line=mark.line + 1 if mark else None) from None
        try:
            return cls.from_mapping(data if data is not None else {}, source=path,
                                    base_options=base_options)
        except ConfigError as exc:
            if exc.line is None and exc.key:
                key, lines = re.sub(r"\[\d+\]$", "", exc.key), _key_lines(text)
                exc.line = lines.get(key) or lines.get(f"options.{key}")
            raise

    @classmethod
    def from_mapping(cls, data: Any, *, source: Path | None = None,
                     base_options: Options | None = None) -> tuple[BookConfig, Options]:
        """Validate a mapping (``book.yml`` or flags): book keys here, option keys to
        :class:`Options` (at the top level or under ``options:``). ``base_options`` supplies
        option values the mapping does not set."""
        if not isinstance(data, Mapping):
            raise ConfigError("expected a mapping of keys at the top level", path=source)
        own = {f.name for f in dataclasses.fields(cls)}
        option_keys = {f.name for f in dataclasses.fields(Options)}
        book_data: dict[str, Any] = {}
        option_data: dict[str, Any] = {}
        nested: Any = None
        for raw_key, value in data.items():
            key = ALIASES.get(str(raw_key).replace("-", "_"), str(raw_key).replace("-", "_"))
            if key == "options":
                nested = value
            elif key in own:
                if key in book_data:
                    raise ConfigError(f"key {raw_key!r} given twice", path=source)
                book_data[key] = value
            elif key in option_keys:
                option_data[key] = value
            else:
                raise ConfigError(_unknown(str(raw_key), own | option_keys | set(ALIASES)),
                                  path=source)
        config = cls(**_validate_book(cls, book_data, source))
        options = _merge_options(base_options, option_data, nested, source)
        if not config.title.strip():
            raise ConfigError("key 'title' is required (the book's title)", path=source)
        if not config.posts and not config.sources:
            if source is None:
                raise ConfigError("no posts: give post files or folders")
            config = dataclasses.replace(config, sources=(source.parent,))
        return config, options


class _BookYamlLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a malformed date (``2021-13-01``) stays text: the
    schema then rejects it naming the key, where PyYAML would raise a bare ValueError."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_BookYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key of a book.yml (and of ``options.KEY``), for errors."""
    try:
        root = yaml.compose(text, Loader=_BookYamlLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        name = ALIASES.get(key.value.replace("-", "_"), key.value.replace("-", "_"))
        lines.setdefault(name, key.start_mark.line + 1)
        if name == "options" and isinstance(value, yaml.MappingNode):
            for inner, _ in value.value:
                if isinstance(inner, yaml.ScalarNode):
                    lines.setdefault(f"options.{inner.value}", inner.start_mark.line + 1)
    return lines


def _unknown(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key.replace("-", "_"), sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint}"


def _validate_book(schema: type, data: dict[str, Any], source: Path | None) -> dict[str, Any]:
    from ..options import invalid, is_language_tag

    values = validate_fields(schema, data, source=source)
    for key in ("posts", "sources"):
        for index, path in enumerate(values.get(key, ())):
            if not _exists(path):
                raise invalid(f"{key}[{index}]", f"no such file or folder: {path}", source)
    cover = values.get("cover")
    if cover is not None and not _exists(cover, file=True):
        raise invalid("cover", f"no such file: {cover}", source)
    start, end = values.get("date_from"), values.get("date_to")
    if start and end and start > end:
        raise ConfigError(f"key 'date_from' ({start}) is after 'date_to' ({end})", path=source,
                          key="date_from", detail=f"{start} is after the end date {end}")
    stem = values.get("output")
    if stem is not None and (stem.strip() in {"", ".", ".."} or any(c in stem for c in "/\\\0")):
        raise invalid("output", f"{stem!r} is not a plain file name", source)
    lang = values.get("lang")
    if lang is not None and not is_language_tag(lang):
        raise invalid("lang", f"{lang!r} is not a language tag such as ko or ko-KR", source)
    return values


def _exists(path: Path, *, file: bool = False) -> bool:
    try:
        return path.is_file() if file else path.exists()
    except (OSError, ValueError):  # a NUL byte, a name too long
        return False


def _merge_options(base: Options | None, top: dict[str, Any], nested: Any,
                   source: Path | None) -> Options:
    """Options from ``base`` ← top-level keys ← ``options:`` keys, each key path in errors."""
    values: dict[str, Any] = dataclasses.asdict(base) if base is not None else {}
    try:
        values.update(validate_fields(Options, top, source=source))
        if nested is not None:
            if not isinstance(nested, Mapping):
                raise ConfigError(f"key 'options': expected a mapping, got "
                                  f"{type(nested).__name__}", path=source)
            values.update(validate_fields(Options, nested, source=source, prefix="options."))
        options = Options(**values)
    except ConfigError as exc:
        if exc.path is None:
            exc.path = source
        if exc.message.startswith("option '") and source is not None:
            # Options' own checks name the bare field; say where it was written.
            key = exc.message.split("'")[1]
            if isinstance(nested, Mapping) and key in {str(k).replace("-", "_") for k in nested}:
                exc.message = exc.message.replace("option '", "key 'options.", 1)
                exc.key = f"options.{key}"
            else:
                exc.message = exc.message.replace("option '", "key '", 1)
        raise
    if source is not None:
        _check_theme(options, source)
    return options


def _check_theme(options: Options, source: Path) -> None:
    """Resolve the theme, read the CSS files… now, so that a mistake is reported against
    book.yml, not mid-build."""
    from ..preflight import check_build

    try:
        check_build(options)
    except ConfigError as exc:
        key = exc.key or "options"
        raise ConfigError(f"key {key!r}: {exc.detail}", path=source, key=key,
                          detail=exc.detail) from None


def slugify(text: str) -> str:
    """A file-name-safe slug that keeps Hangul: "한지 책!" → "한지-책"."""
    value = unicodedata.normalize("NFC", text)
    value = _SLUG_DROP.sub("", value).strip().lower()
    return _SLUG_SPACE.sub("-", value).strip("-") or "book"

