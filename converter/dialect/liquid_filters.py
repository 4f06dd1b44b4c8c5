"""Jekyll's Liquid filters, for the filters posts actually use inside their bodies.

Standard Liquid filters (``remove``, ``escape``, ``date``, ``default``, ``replace`` …) come with
python-liquid. Jekyll adds URL filters (``relative_url``, ``absolute_url``), ``markdownify``,
date formats, ``slugify``, ``jsonify`` and a few more; they are registered here on the
environment :mod:`.liquid` builds. Filters that need the site or the post read them from the
render context (``site`` and the private ``_hanji`` global holding the DialectContext).
This module knows nothing about output formats.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus

from liquid import Markup
from liquid.builtin.filters.misc import date as liquid_date

if TYPE_CHECKING:
    from liquid import Environment, RenderContext

#: Name of the render-context global holding the post's DialectContext.
CONTEXT_KEY = "_hanji"

# A URL with a scheme (or protocol-relative): relative_url leaves it alone.
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
# Characters Jekyll's slugify ("default" mode) replaces with a hyphen.
_SLUG_UNSAFE = re.compile(r"[^\w]+")
# Whitespace runs, for normalize_whitespace and number_of_words.
_WHITESPACE = re.compile(r"\s+")


def with_context(fn: Any) -> Any:
    """Mark a filter as needing the render context (python-liquid passes ``context=``)."""
    fn.with_context = True
    return fn


def _site(context: RenderContext) -> dict[str, Any]:
    site = context.resolve("site")
    return site if isinstance(site, dict) else {}


def _baseurl(context: RenderContext) -> str:
    value = str(_site(context).get("baseurl") or "").strip()
    return "/" + value.strip("/") if value.strip("/") else ""


@with_context
def relative_url(value: object, *, context: RenderContext) -> str:
    """``baseurl`` + path, as Jekyll's ``relative_url`` (absolute URLs pass through)."""
    text = "" if value is None else str(value)
    if _ABSOLUTE.match(text):
        return text
    return _baseurl(context) + "/" + text.lstrip("/") if text or _baseurl(context) else "/"


@with_context
def absolute_url(value: object, *, context: RenderContext) -> str:
    """``url`` + ``baseurl`` + path, as Jekyll's ``absolute_url``."""
    text = "" if value is None else str(value)
    if _ABSOLUTE.match(text):
        return text
    return str(_site(context).get("url") or "").rstrip("/") + relative_url(text, context=context)


@with_context
def markdownify(value: object, *, context: RenderContext) -> str:
    """Render Markdown to HTML as the post body is rendered (kramdown rules, no Liquid)."""
    from ..render import markdown_to_html  # the one Markdown wrapper
    from . import DialectContext, normalize  # the dialect registry, without Liquid

    text = "" if value is None else str(value)
    ctx = context.resolve(CONTEXT_KEY)
    if not isinstance(ctx, DialectContext):
        ctx = DialectContext(site=_site(context), page={})
    return Markup(markdown_to_html(normalize(text, ctx, below=100)).strip())


def slugify(value: object, mode: object = "default") -> str:
    """Jekyll's ``slugify``: lower-case, non-word runs become hyphens (Hangul kept)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    if str(mode) == "raw":
        return _WHITESPACE.sub("-", text.strip()).lower()
    return _SLUG_UNSAFE.sub("-", text).strip("-").lower()


def jsonify(value: object) -> str:
    """Jekyll's ``jsonify`` (non-ASCII kept)."""
    return json.dumps(value, ensure_ascii=False, default=str)


def xml_escape(value: object) -> str:
    """Escape for XML text and attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def cgi_escape(value: object) -> str:
    """Escape for a query string (spaces become ``+``)."""
    return quote_plus("" if value is None else str(value))


def uri_escape(value: object) -> str:
    """Percent-encode a URI, keeping its reserved characters."""
    return quote("" if value is None else str(value), safe="/:?#[]@!$&'()*+,;=%-._~")


def number_of_words(value: object) -> int:
    """Count words separated by whitespace."""
    return len(("" if value is None else str(value)).split())


def normalize_whitespace(value: object) -> str:
    """Collapse whitespace runs to one space."""
    return _WHITESPACE.sub(" ", "" if value is None else str(value)).strip()


def array_to_sentence_string(value: object, connector: object = "and") -> str:
    """``a, b, and c``."""
    items = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {connector} {items[1]}"
    return ", ".join(items[:-1]) + f", {connector} {items[-1]}"


def _date_filter(fmt: str) -> Any:
    """A fixed-format date filter built on Liquid's ``date``."""

    def apply(value: object, *, environment: Environment) -> object:
        return liquid_date(value, fmt, environment=environment)

    apply.with_environment = True  # type: ignore[attr-defined]
    return apply


def smartify(value: object) -> str:
    """Typographic quotes are left to the themes' fonts; the text passes through."""
    return "" if value is None else str(value)


def to_integer(value: object) -> int:
    try:
        return int(float(str(value)))
    except ValueError:
        return 0


def inspect(value: object) -> str:
    return html.escape(repr(value))


def _array_push(value: object, item: object) -> list[Any]:
    return [*(value if isinstance(value, (list, tuple)) else []), item]


def _array_pop(value: object, count: object = 1) -> list[Any]:
    items = list(value) if isinstance(value, (list, tuple)) else []
    return items[: max(0, len(items) - int(str(count)))]


FILTERS: dict[str, Any] = {
    "relative_url": relative_url,
    "absolute_url": absolute_url,
    "markdownify": markdownify,
    "slugify": slugify,
    "jsonify": jsonify,
    "xml_escape": xml_escape,
    "cgi_escape": cgi_escape,
    "uri_escape": uri_escape,
    "number_of_words": number_of_words,
    "normalize_whitespace": normalize_whitespace,
    "array_to_sentence_string": array_to_sentence_string,
    "date_to_string": _date_filter("%d %b %Y"),
    "date_to_long_string": _date_filter("%d %B %Y"),
    "date_to_xmlschema": _date_filter("%Y-%m-%dT%H:%M:%S%z"),
    "date_to_rfc822": _date_filter("%a, %d %b %Y %H:%M:%S %z"),
    "smartify": smartify,
    "sassify": smartify,
    "scssify": smartify,
    "to_integer": to_integer,
    "inspect": inspect,
    "push": _array_push,
    "pop": _array_pop,
}


def register(env: Environment) -> None:
    """Add Jekyll's filters to ``env``."""
    for name, fn in FILTERS.items():
        env.add_filter(name, fn)
