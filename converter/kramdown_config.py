"""The site's Markdown settings as Jekyll hands them to kramdown.

Jekyll merges the site's ``kramdown:`` table over its own defaults (``Jekyll::Configuration::
DEFAULTS``: ``input: GFM``, ``hard_wrap: false``, ``auto_ids: true``, ``smart_quotes:
lsquo,rsquo,ldquo,rdquo``, ``toc_levels: 1..6``, ``footnote_nr: 1`` …); kramdown adds its own
option defaults under those (typographic symbols on, ``parse_block_html: false``,
``auto_id_prefix: ''``). :func:`kramdown_options` reads one site's configuration into a
:class:`KramdownOptions` that dialect rules and tree transforms consult. This module knows
nothing about Markdown text or HTML trees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: kramdown's entity names for the four smart quotes, as characters.
_QUOTE_ENTITIES = {"lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "apos": "'",
                   "quot": '"', "lsaquo": "‹", "rsaquo": "›", "laquo": "«", "raquo": "»",
                   "sbquo": "‚", "bdquo": "„"}
#: kramdown's typographic symbols and their default output (``laquo_space`` is ``«&nbsp;``).
DEFAULT_TYPOGRAPHIC = {"mdash": "—", "ndash": "–", "hellip": "…", "laquo": "«", "raquo": "»",
                       "laquo_space": "«\u00a0", "raquo_space": "\u00a0»"}


@dataclass(frozen=True)
class KramdownOptions:
    """What of Jekyll's kramdown configuration hanji honours (defaults: Jekyll's)."""

    #: ``GFM`` (Jekyll's default) or ``kramdown``: GFM lets lists, headings, quotes and fences
    #: interrupt a paragraph.
    gfm: bool = True
    hard_wrap: bool = False
    auto_ids: bool = True
    auto_id_prefix: str = ""
    #: Opening single, closing single, opening double, closing double.
    smart_quotes: tuple[str, str, str, str] = ("‘", "’", "“", "”")
    #: Symbol name → replacement; empty when GFM's ``no_auto_typographic`` quirk is set.
    typographic_symbols: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TYPOGRAPHIC))
    footnote_nr: int = 1
    parse_block_html: bool = False
    toc_levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)


def _quotes(value: Any) -> tuple[str, str, str, str] | None:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or len(value) != 4:
        return None
    out = []
    for item in value:
        item = str(item).strip()
        if item.isdigit():
            out.append(chr(int(item)))
        else:
            out.append(_QUOTE_ENTITIES.get(item, item))
    return (out[0], out[1], out[2], out[3])


def _levels(value: Any) -> tuple[int, ...] | None:
    if isinstance(value, str) and ".." in value:
        low, _, high = value.partition("..")
        try:
            return tuple(range(int(low), int(high) + 1))
        except ValueError:
            return None
    if isinstance(value, list):
        try:
            return tuple(int(v) for v in value)
        except (TypeError, ValueError):
            return None
    return None


def kramdown_options(site_config: dict[str, Any] | None) -> KramdownOptions:
    """The kramdown options a Jekyll site renders its posts with."""
    config = site_config or {}
    table = config.get("kramdown")
    table = table if isinstance(table, dict) else {}
    defaults = KramdownOptions()
    quirks = table.get("gfm_quirks") or ["paragraph_end"]
    quirks = [str(q) for q in quirks] if isinstance(quirks, list) else [str(quirks)]
    gfm = str(table.get("input", "GFM")).lower() == "gfm"
    typographic = dict(DEFAULT_TYPOGRAPHIC)
    custom = table.get("typographic_symbols")
    if isinstance(custom, dict):
        typographic.update({str(k): str(v) for k, v in custom.items()})
    if gfm and "no_auto_typographic" in quirks:
        typographic = {}
    try:
        footnote_nr = int(table.get("footnote_nr", 1))
    except (TypeError, ValueError):
        footnote_nr = 1
    return KramdownOptions(
        gfm=gfm,
        hard_wrap=bool(table.get("hard_wrap", False)) and gfm,
        auto_ids=bool(table.get("auto_ids", True)),
        auto_id_prefix=str(table.get("auto_id_prefix") or ""),
        smart_quotes=_quotes(table.get("smart_quotes")) or defaults.smart_quotes,
        typographic_symbols=typographic,
        footnote_nr=footnote_nr,
        parse_block_html=bool(table.get("parse_block_html", False)),
        toc_levels=_levels(table.get("toc_levels")) or defaults.toc_levels,
    )
