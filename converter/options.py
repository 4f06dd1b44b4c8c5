"""The one options schema, shared by CLI flags, ``book.yml`` and the library API.

Every field is typed and documented here; :meth:`Options.from_mapping` rejects unknown keys and
wrong types with a one-line :class:`ConfigError` naming the key path and the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from .errors import ConfigError

Format = Literal["pdf", "epub"]
ALL_FORMATS: tuple[Format, ...] = ("pdf", "epub")

#: Named page sizes (width, height in millimetres); custom sizes are "W H" with CSS units.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (210, 297),
    "A5": (148, 210),
    "B5": (176, 250),
    "B6": (125, 176),
    "LETTER": (215.9, 279.4),
}
_CUSTOM_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)(mm|cm|in|pt|px)\s+(\d+(?:\.\d+)?)(mm|cm|in|pt|px)\s*$")
_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}
#: Longest time limit per post, in seconds (the alarm clock's range is finite).
MAX_TIMEOUT = 1_000_000.0
#: Smallest and largest side of a custom page size, in millimetres.
PAGE_SIDE_MM = (70, 2000)
# A BCP 47 language tag as blogs write them (ko, ko-KR, ko_KR, zh-Hant-TW); EPUB needs one.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def is_language_tag(value: str) -> bool:
    """Whether ``value`` is usable as a language tag (``ko``, ``ko-KR``, ``ko_KR``…)."""
    return bool(_LANGUAGE_TAG.match(value.strip()))


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


Marks = Literal["none", "crop"]
#: PDF standards the print profile can write (see :mod:`converter.press.variant`).
PdfStandard = Literal["pdf/x-4", "pdf/a-2b", "pdf/a-3b", "none"]


@dataclass(frozen=True)
class PrintOptions:
    """The print profile (``--print`` and its companions; ``print:`` in book.yml and in a
    theme's ``theme.yml``). ``None`` means unset: the theme's value, else the default named
    here. Trim sizes and paper presets: :mod:`converter.press.trim`."""

    enabled: bool | None = field(default=None, metadata=_doc(
        "Print-ready PDF (--print): PDF/X-4, bleed, the book's cover as <stem>-cover.pdf, a "
        "preflight report. Default: off (the screen PDF)."))
    trim: str | None = field(default=None, metadata=_doc(
        "Trim size: 신국판 (singuk) 152×225, 국판 (guk) 148×210, 46판 (46) 128×188, 크라운판 "
        "(crown) 176×248, 46배판 (46bae) 188×257, A5, B5, or 'W H' in millimetres. "
        "Replaces page_size; margins scale with it."))
    bleed: str | None = field(default=None, metadata=_doc(
        "Bleed beyond the trim on every side, e.g. '3mm'. Default: 3mm with --print, else 0."))
    marks: Marks | None = field(default=None, metadata=_doc(
        "Printer's marks: none or crop (drawn outside the bleed). Default: none."))
    gray: bool | None = field(default=None, metadata=_doc(
        "Black-and-white interior: images and colours to grays. Default: off."))
    standard: PdfStandard | None = field(default=None, metadata=_doc(
        "PDF standard: pdf/x-4 (default with --print), pdf/a-2b or pdf/a-3b (archiving), none."))
    recto_chapters: bool | None = field(default=None, metadata=_doc(
        "Start every chapter on a right-hand page. Default: off."))
    pad_to: int | None = field(default=None, metadata=_doc(
        "Pad the page count to a multiple of this (1, 2, 4, 8, 16, 32) with blank pages at the "
        "end. Default: 2 with --print, else 1."))
    paper: str | None = field(default=None, metadata=_doc(
        "Interior paper for the spine width: a preset (mojo80, mojo100, bulky70, snow100) or "
        "the thickness of one leaf in millimetres (e.g. '0.1'). Default: mojo80."))
    blurb: str | None = field(default=None, metadata=_doc(
        "Back-cover text of the wraparound cover."))
    output_profile: Path | None = field(default=None, metadata=_doc(
        "CMYK ICC profile of the PDF/X output intent. Default: the bundled FOGRA39 "
        "(ISOcoated_v2_300_bas.icc, zlib licence)."))
    min_dpi: int | None = field(default=None, metadata=_doc(
        "Preflight: warn about images below this effective resolution. Default: 200."))

    def __post_init__(self) -> None:
        from .press.trim import check_print_options  # the numbers live with the trim sizes

        check_print_options(self)

    def merged(self, other: PrintOptions) -> PrintOptions:
        """These options with every field ``other`` sets."""
        return dataclasses.replace(self, **{f.name: getattr(other, f.name)
                                            for f in dataclasses.fields(other)
                                            if getattr(other, f.name) is not None})


@dataclass(frozen=True)
class Options:
    """How to build: formats, look, limits. All fields have safe defaults."""

    formats: tuple[Format, ...] = field(default=ALL_FORMATS, metadata=_doc(
        "Output formats to write: any of pdf, epub."))
    theme: str = field(default="default", metadata=_doc(
        "Theme name (a folder under themes/) or a path to a theme folder."))
    page_size: str | None = field(default=None, metadata=_doc(
        "PDF page size: A5, A4, B5, B6, Letter, or 'W H' with units (e.g. '130mm 190mm'); "
        "default: the theme's (A5 for the bundled themes)."))
    extra_css: tuple[Path, ...] = field(default=(), metadata=_doc(
        "Extra CSS files applied after the theme (both formats)."))
    site: Path | None = field(default=None, metadata=_doc(
        "The Jekyll site root; default: the nearest folder above the post holding _config.yml."))
    asset_roots: tuple[Path, ...] = field(default=(), metadata=_doc(
        "Extra folders images may be read from, besides the site root."))
    lang: str | None = field(default=None, metadata=_doc(
        "Language tag (e.g. ko); default: front matter lang, _config.yml locale, else detected."))
    remote_images: Literal["skip", "fetch"] = field(default="skip", metadata=_doc(
        "Remote http(s) images: skip (a placeholder and a warning; no network) or fetch."))
    allow_private_networks: bool = field(default=False, metadata=_doc(
        "With remote_images=fetch, also fetch from loopback and private addresses."))
    cache_dir: Path | None = field(default=None, metadata=_doc(
        "Image cache folder; default: the user cache dir (honours XDG_CACHE_HOME)."))
    cache: bool = field(default=True, metadata=_doc("Use the on-disk image cache."))
    cover_page: bool = field(default=True, metadata=_doc(
        "Begin with a cover: the given cover image, the post's teaser, or a generated one "
        "(in the EPUB, a generated picture is its cover image)."))
    jobs: int = field(default=0, metadata=_doc(
        "Parallel worker processes for batches and images; 0 means the number of CPUs."))
    epub_image_max_edge: int = field(default=1600, metadata=_doc(
        "EPUB images: longest edge in pixels."))
    epub_image_max_pixels: int = field(default=4_000_000, metadata=_doc(
        "EPUB images: most pixels per image."))
    pdf_image_dpi: int = field(default=300, metadata=_doc(
        "PDF images: resolution at the width they occupy on the page."))
    jpeg_quality: int = field(default=82, metadata=_doc("JPEG quality for re-encoded photos."))
    max_post_bytes: int = field(default=160 * 1024, metadata=_doc(
        "Largest post accepted, in bytes: its file, and its text once Liquid has run (a "
        "bigger one fails; a 160 KiB post fills about 90 A5 pages)."))
    max_image_pixels: int = field(default=64_000_000, metadata=_doc(
        "Largest image (pixels) decoded; bigger ones are replaced by a placeholder."))
    max_images: int = field(default=2000, metadata=_doc("Most images per post or book."))
    max_html_depth: int = field(default=100, metadata=_doc(
        "Deepest HTML nesting accepted; deeper content is flattened with a warning. "
        "(WeasyPrint's layout recurses per level: about 130 nested blocks is its limit.)"))
    timeout: float = field(default=600.0, metadata=_doc(
        "Seconds allowed per post (batch mode), and per chapter while a book is built."))
    max_memory_mb: int = field(default=4096, metadata=_doc(
        "Address space (MB) a worker process converting posts or laying out a book may use "
        "(Linux); a post that needs more fails with a one-line error naming it. 0: no limit."))
    liquid_loop_limit: int = field(default=100_000, metadata=_doc(
        "Liquid: most loop iterations per post, nested loops multiplied and all loops counted "
        "together; past it the post's Liquid is stripped with a warning."))
    liquid_output_limit: int = field(default=8 * 1024 * 1024, metadata=_doc(
        "Liquid: most characters a post's Liquid may output (or capture)."))
    liquid_namespace_limit: int = field(default=8 * 1024 * 1024, metadata=_doc(
        "Liquid: most bytes held in variables (assign, capture) while a post renders."))
    liquid_context_depth: int = field(default=30, metadata=_doc(
        "Liquid: deepest nesting of blocks and scopes (includes, loops)."))
    liquid_time_limit: float = field(default=5.0, metadata=_doc(
        "Liquid: seconds a post's Liquid may run; past it the Liquid is stripped with a warning."))
    max_nesting: int = field(default=12, metadata=_doc(
        "Markdown: deepest nesting of block quotes, and of lists; deeper quote markers are "
        "dropped and deeper list items moved up to this level, with a warning."))
    max_table_cells: int = field(default=2500, metadata=_doc(
        "Most table cells per post, all tables together (Markdown and raw HTML <table>); "
        "later rows are dropped, marked ⋯, with a warning."))
    max_footnotes: int = field(default=500, metadata=_doc(
        "Most footnotes per post; later ones are dropped with a warning."))
    max_page_footnotes: int = field(default=100, metadata=_doc(
        "Most footnotes per post the PDF prints at the foot of their page; the PDF prints "
        "later ones as endnotes after the post, with a warning."))
    max_post_pixels: int = field(default=400_000_000, metadata=_doc(
        "Most image pixels per post, all images added up; later images become placeholders."))
    max_svg_bytes: int = field(default=4 * 1024 * 1024, metadata=_doc(
        "Largest SVG image file accepted (bigger ones become placeholders)."))
    follow_symlinks: bool = field(default=False, metadata=_doc(
        "Read posts, includes and images through symlinks that lead outside the site and "
        "asset roots (off by default, like Jekyll's safe mode; '..' never leaves the site)."))
    tagged_pdf: bool = field(default=True, metadata=_doc(
        "Tagged PDF (PDF/UA-1: structure, reading order, alt text, language) for screen "
        "readers and reflow; false writes an untagged PDF."))
    image_descriptions: dict[str, str] = field(default_factory=dict, metadata=_doc(
        "Alt text for images, by the image path as the posts write it or by its file name "
        "(also allowed in a post's front matter); used when the post's own alt is missing or "
        "only a file name."))
    print: PrintOptions = field(default_factory=PrintOptions, metadata=_doc(
        "The print profile (a mapping of PrintOptions keys; `print: true` is `enabled`)."))

    def __post_init__(self) -> None:
        if not isinstance(self.print, PrintOptions):
            object.__setattr__(self, "print", print_options(self.print))
        for name in ("jobs", "epub_image_max_edge", "epub_image_max_pixels", "pdf_image_dpi",
                     "max_post_bytes", "max_image_pixels", "max_images", "max_html_depth",
                     "liquid_loop_limit", "liquid_output_limit", "liquid_namespace_limit",
                     "liquid_context_depth", "max_nesting", "max_table_cells", "max_footnotes",
                     "max_page_footnotes", "max_post_pixels", "max_svg_bytes"):
            value = getattr(self, name)
            if value < 0 or (value == 0 and name != "jobs"):
                raise _option_error(name, f"must be positive, got {value}")
        if not 0 <= self.timeout <= MAX_TIMEOUT:  # also refuses NaN
            raise _option_error("timeout", f"must be 0–{MAX_TIMEOUT:g} seconds "
                                f"(0: no limit), got {self.timeout:g}")
        if self.max_memory_mb < 0:
            raise _option_error("max_memory_mb", "must be 0 (no limit) or more, "
                                f"got {self.max_memory_mb}")
        if not 0 <= self.liquid_time_limit:  # also refuses NaN
            raise _option_error("liquid_time_limit", "must be 0 (no limit) or more seconds, "
                                f"got {self.liquid_time_limit:g}")
        if not 1 <= self.jpeg_quality <= 100:
            raise _option_error("jpeg_quality", f"must be 1–100, got {self.jpeg_quality}")
        for fmt in self.formats:
            if fmt not in ALL_FORMATS:
                raise _option_error("formats", f"unknown format {fmt!r} (use pdf, epub)")
        if not self.formats:
            raise _option_error("formats", "no format given (use pdf, epub)")
        if self.page_size is not None:
            page_size_css(self.page_size)
        if self.lang is not None and not is_language_tag(self.lang):
            raise _option_error("lang", f"{self.lang!r} is not a language tag such as ko or ko-KR")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: Path | None = None,
                     prefix: str = "") -> Options:
        """Build options from a mapping (CLI flags or YAML), validating every key."""
        return cls(**validate_fields(cls, data, source=source, prefix=prefix))

    def replace(self, **changes: Any) -> Options:
        return dataclasses.replace(self, **changes)


def print_options(value: Any, *, source: Path | None = None,
                  prefix: str = "print.") -> PrintOptions:
    """:class:`PrintOptions` from a mapping (book.yml, a theme), ``true``/``false`` or None;
    a bad value is :func:`invalid` naming the key under ``prefix`` (and ``source``)."""
    if value is None:
        return PrintOptions()
    if isinstance(value, PrintOptions):
        return value
    if isinstance(value, bool):
        return PrintOptions(enabled=value)
    if not isinstance(value, Mapping):
        raise invalid(prefix.rstrip("."), f"expected true, false or a mapping of print options, "
                      f"got {value!r}", source)
    fields = validate_fields(PrintOptions, value, source=source, prefix=prefix)
    try:
        return PrintOptions(**fields)
    except ConfigError as exc:  # the checks of the numbers (converter.press.trim)
        if exc.key is None:
            raise
        raise invalid(prefix + exc.key.removeprefix("print."), exc.detail, source) from None


def invalid(key: str, detail: str, source: Path | None = None) -> ConfigError:
    """The error for a bad value of ``key``: ``key 'KEY': DETAIL`` (the CLI names the flag)."""
    return ConfigError(f"key {key!r}: {detail}", path=source, key=key, detail=detail)


def _option_error(key: str, detail: str) -> ConfigError:
    """An error of the checks across fields: ``option 'KEY': DETAIL``."""
    return ConfigError(f"option {key!r}: {detail}", key=key, detail=detail)


def page_size_css(value: str) -> str:
    """The CSS ``@page size`` value for a page size option; raises ConfigError if invalid."""
    key = value.strip().upper()
    if key in PAGE_SIZES:
        width, height = PAGE_SIZES[key]
        return f"{width}mm {height}mm"
    match = _CUSTOM_SIZE.match(value)
    if match:
        for number, unit in (match.group(1, 2), match.group(3, 4)):
            millimetres = float(number) * _MM_PER_UNIT[unit]
            if not PAGE_SIDE_MM[0] <= millimetres <= PAGE_SIDE_MM[1]:
                raise _option_error("page_size", f"{value!r}: each side must be "
                                    f"{PAGE_SIDE_MM[0]}–{PAGE_SIDE_MM[1]} mm (the theme's "
                                    "margins need room)")
        return " ".join(value.split())
    raise _option_error("page_size", f"{value!r} is not A4, A5, B5, B6, Letter or 'W H'")


def validate_fields(schema: type, data: Mapping[str, Any], *, source: Path | None,
                    prefix: str = "") -> dict[str, Any]:
    """Check ``data`` against a dataclass ``schema``: known keys, right types; coerce gently."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{prefix or 'options'}: expected a mapping", path=source)
    fields = {f.name: f for f in dataclasses.fields(schema)}
    hints = typing.get_type_hints(schema)
    result: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in fields:
            close = difflib.get_close_matches(key, sorted(fields), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(sorted(fields))}"
            raise ConfigError(f"unknown key {prefix + str(raw_key)!r}; {hint}", path=source,
                              key=prefix + str(raw_key), detail=f"unknown key; {hint}")
        result[key] = _coerce(value, hints[key], f"{prefix}{raw_key}", source)
    return result


def _coerce(value: Any, hint: Any, key: str, source: Path | None) -> Any:
    if hint is PrintOptions:
        return print_options(value, source=source, prefix=f"{key}.")
    origin = get_origin(hint)
    args = get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, key, source)
            except ConfigError as exc:
                errors.append(exc)
        raise errors[0]
    if origin is Literal:
        if value in args:
            return value
        allowed = ", ".join(map(str, args))
        raise invalid(key, f"{value!r} is not one of {allowed}", source)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise invalid(key, f"expected a mapping, got {type(value).__name__}", source)
        key_hint, value_hint = args if args else (Any, Any)
        return {_coerce(k, key_hint, f"{key}.{k}", source):
                _coerce(v, value_hint, f"{key}.{k}", source) for k, v in value.items()}
    if origin is tuple:
        item_hint = args[0] if args else Any
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)):
            raise invalid(key, f"expected a list, got {type(value).__name__}", source)
        return tuple(_coerce(v, item_hint, f"{key}[{i}]", source) for i, v in enumerate(value))
    if hint is Path:
        if isinstance(value, (str, Path)) and str(value):
            try:
                path = Path(value).expanduser()
            except RuntimeError:  # "~user/…" of a user who does not exist
                raise invalid(key, f"{str(value)!r}: no such user's home folder",
                              source) from None
            if source is not None and not path.is_absolute():
                path = source.parent / path
            return path
        raise invalid(key, f"expected a path, got {value!r}", source)
    if hint is dt.date:
        # YAML reads 2019-07-03 as a date; flags and quoted YAML give text.
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise invalid(key, f"expected a date (YYYY-MM-DD), got {value!r}", source) from None
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise invalid(key, f"expected true or false, got {value!r}", source)
    if hint is int or hint is float:
        number, what = (int, "a whole number") if hint is int else (float, "a number")
        accepted = (int, str) if hint is int else (int, float, str)
        if isinstance(value, bool) or not isinstance(value, accepted):
            raise invalid(key, f"expected {what}, got {value!r}", source)
        try:
            return number(value)
        except ValueError:
            raise invalid(key, f"expected {what}, got {value!r}", source) from None
    if hint is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        raise invalid(key, f"expected text, got {type(value).__name__}", source)
    return value
