"""Load a Jekyll post: bytes → text (BOM, CP949/EUC-KR), YAML front matter, title and date.

This module knows nothing about Markdown rendering or output formats; it yields a :class:`Post`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostics
from .errors import InputError
from .options import is_language_tag

#: Refuse posts larger than this before reading them (bounded resources).
DEFAULT_MAX_POST_BYTES = 160 * 1024  # Options.max_post_bytes

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_ATX_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
_SETEXT_HEADING = re.compile(r"^([^\n]+)\n(?:=+|-+)[ \t]*$", re.M)


def author_name(value: Any) -> str:
    """An ``author`` of ``_config.yml`` or front matter: a name, or a mapping with ``name``."""
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


@dataclass
class Post:
    """One post: where it came from, its front matter and its Markdown body."""

    source: Path
    front_matter: dict[str, Any]
    body: str
    #: 1-based line in the file where ``body`` starts (for messages).
    body_line: int = 1
    title: str = ""
    date: dt.date | None = None
    warnings: Diagnostics = field(default_factory=Diagnostics)

    @property
    def stem(self) -> str:
        """The file name without its extension: the output file name."""
        return self.source.stem

    @property
    def slug(self) -> str:
        match = _FILENAME_DATE.match(self.stem)
        return match.group(4) if match else self.stem

    @property
    def tags(self) -> list[str]:
        return _string_list(self.front_matter.get("tags"))

    @property
    def categories(self) -> list[str]:
        return _string_list(self.front_matter.get("categories") or self.front_matter.get("category"))

    @property
    def author(self) -> str:
        return author_name(self.front_matter.get("author"))

    @property
    def teaser(self) -> str | None:
        """The cover image reference: ``header.teaser``, ``header.image`` or ``image``."""
        fm = self.front_matter
        header = fm.get("header")
        candidates: list[Any] = []
        if isinstance(header, dict):
            candidates += [header.get("teaser"), header.get("overlay_image"), header.get("image")]
        image = fm.get("image")
        if isinstance(image, dict):
            candidates += [image.get("teaser"), image.get("feature"), image.get("path")]
        else:
            candidates.append(image)
        candidates.append(fm.get("teaser"))
        for value in candidates:
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    @property
    def lang(self) -> str | None:
        """Front matter ``lang`` (or ``locale``) if it is a language tag; else ``None``."""
        value = self.front_matter.get("lang") or self.front_matter.get("locale")
        if not value:
            return None
        if not isinstance(value, str) or not is_language_tag(value):
            self.warnings.warn(f"front matter lang {value!r} is not a language tag; ignored")
            return None
        return value

    def flag(self, key: str) -> bool:
        """A boolean front-matter switch such as ``toc`` or ``use_math``."""
        value = self.front_matter.get(key)
        if isinstance(value, str):
            return value.strip().lower() in {"true", "yes", "on", "1"}
        return bool(value)


def _string_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # Jekyll splits a string of tags on spaces.
        return [v for v in value.split() if v]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps PyYAML rejects as text instead of failing.

    Jekyll (Ruby) accepts dates such as ``2019-07-03 10:00:00 -55:00``; PyYAML raises on them.
    """

    rejected_timestamps: list[str]


def _construct_timestamp(loader: _FrontMatterLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        value = loader.construct_scalar(node)
        loader.rejected_timestamps.append(str(value))
        return str(value)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# Characters no XML document (XHTML, SVG) may hold, or should: C0/C1 controls other than tab and
# line breaks, lone surrogates, the non-characters U+FFFE/U+FFFF. Terminal colour codes pasted
# with program output go whole.
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def decode_text(data: bytes, path: Path, diagnostics: Diagnostics) -> str:
    """Decode a post's bytes: UTF-8 (with or without BOM), UTF-16 with a BOM, else a detected
    legacy encoding; control characters are removed (with a warning)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("not valid UTF-16 text", path=path) from None
        diagnostics.warn("not UTF-8; read as UTF-16")
    else:
        if b"\x00" in data[:8192]:
            raise InputError("binary file, not a Markdown post", path=path)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data, path, diagnostics)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    cleaned = _UNSAFE_CHARACTERS.sub("", _ANSI_ESCAPE.sub("", text))
    if cleaned != text:
        diagnostics.warn(f"{len(text) - len(cleaned)} control characters removed")
        text = cleaned
    # NFC: some posts carry decomposed Hangul jamo that fonts cannot draw as syllables.
    return unicodedata.normalize("NFC", text)


def _decode_legacy(data: bytes, path: Path, diagnostics: Diagnostics) -> str:
    # Old Korean posts are often CP949 (a superset of EUC-KR); try it before guessing.
    for encoding in ("cp949",):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        diagnostics.warn(f"not UTF-8; read as {encoding.upper()}")
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError("not text in any known encoding", path=path)
    diagnostics.warn(f"not UTF-8; read as {best.encoding}")
    return str(best)


#: Most values front matter may hold once YAML aliases are expanded ("billion laughs").
MAX_FRONT_MATTER_VALUES = 100_000


def clean_yaml_data(value: Any, path: Path, *, what: str = "front matter") -> Any:
    """A copy of ``value`` (loaded YAML) with control characters removed from every string.

    YAML aliases may nest exponentially ("billion laughs") or refer to themselves
    (``a: &a [*a]``); every later stage walks, prints and renders such data, so both are
    refused here (:class:`InputError` naming ``what``), as is a structure nested too deeply to
    walk. ``_config.yml`` needs the same guard.
    """
    count = 0
    active: set[int] = set()

    def walk(item: Any) -> Any:
        nonlocal count
        count += 1
        if count > MAX_FRONT_MATTER_VALUES:
            raise InputError(f"{what} holds over {MAX_FRONT_MATTER_VALUES:,} values once "
                             "its YAML aliases are expanded", path=path)
        if isinstance(item, str):
            return _UNSAFE_CHARACTERS.sub("", item)
        if not isinstance(item, (list, dict)):
            return item
        if id(item) in active:
            raise InputError(f"{what} refers to itself (a recursive YAML alias)", path=path)
        active.add(id(item))
        try:
            if isinstance(item, list):
                return [walk(v) for v in item]
            return {walk(k): walk(v) for k, v in item.items()}
        finally:
            active.discard(id(item))

    try:
        return walk(value)
    except RecursionError:
        raise InputError(f"invalid YAML {what}: nested too deeply", path=path) from None


def parse_front_matter(text: str, path: Path, diagnostics: Diagnostics) -> tuple[dict[str, Any], str, int]:
    """Split ``text`` into (front matter, body, 1-based body line)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    raw = match.group(1) or ""
    loader: _FrontMatterLoader | None = None
    try:
        loader = _FrontMatterLoader(raw)  # the reader checks the characters here already
        loader.rejected_timestamps = []
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"invalid YAML front matter: {problem}", path=path,
                         line=mark.line + 2 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    except RecursionError:  # thousands of nested [[[[ … ]]]]
        raise InputError("invalid YAML front matter: nested too deeply", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()
    for value in loader.rejected_timestamps:
        diagnostics.warn(f"front matter date {value!r} is not a valid timestamp; kept as text")
    if data is None:
        data = {}
    # YAML escapes ("\b", "\x1b") can put back the control characters decode_text removed.
    data = clean_yaml_data(data, path)
    if not isinstance(data, dict):
        raise InputError("front matter is not a YAML mapping", path=path, line=2)
    body = text[match.end():]
    body_line = text[: match.end()].count("\n") + 1
    return data, body, body_line


def _date_of(front_matter: dict[str, Any], stem: str) -> dt.date | None:
    value = front_matter.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                pass
    match = _FILENAME_DATE.match(stem)
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    return None


def _title_of(front_matter: dict[str, Any], body: str, stem: str) -> str:
    title = front_matter.get("title")
    if title is not None and str(title).strip():
        return " ".join(str(title).split())
    for pattern in (_ATX_HEADING, _SETEXT_HEADING):
        match = pattern.search(body)
        if match:
            return match.group(1).strip()
    match = _FILENAME_DATE.match(stem)
    return (match.group(4) if match else stem).replace("-", " ").strip()


def load_post(path: Path, *, max_bytes: int = DEFAULT_MAX_POST_BYTES) -> Post:
    """Read and parse the post at ``path``.

    Raises :class:`InputError` for a missing, empty, binary, oversized or malformed post.
    """
    diagnostics = Diagnostics(path=path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError("not a file", path=path)
        if size > max_bytes:
            raise InputError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit "
                             "(option max_post_bytes)", path=path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory", path=path) from None
    if not data.strip():
        raise InputError("empty file", path=path)
    text = decode_text(data, path, diagnostics)
    front_matter, body, body_line = parse_front_matter(text, path, diagnostics)
    post = Post(source=path, front_matter=front_matter, body=body, body_line=body_line,
                warnings=diagnostics)
    post.title = _title_of(front_matter, body, path.stem)
    post.date = _date_of(front_matter, path.stem)
    return post
