"""Raw-HTML habits of blog posts that would lose text on the way to the tree.

``unknown_tags_as_text`` (10)
    ``<eos>``, ``<sos>``, ``<unk>`` and other angle-bracketed words that are no HTML element
    are text the author wanted to show (kramdown passes them through as tags and the browser
    then hides them; a book should not lose them). They are escaped to ``&lt;eos&gt;``.
    Real elements, custom elements (``<my-widget>``) and anything with attributes stay tags,
    so the sanitizer still sees and handles them.
"""

from __future__ import annotations

import re

from . import DialectContext, rule
from .segments import map_outside_code

#: Every HTML element name (WHATWG, plus obsolete ones blogs still write), SVG and MathML roots.
HTML_ELEMENTS = frozenset("""
a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound big
blink blockquote body br button canvas caption center cite code col colgroup data datalist
dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer
form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img input
ins isindex kbd keygen label legend li link listing main map mark marquee math menu
menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup
option output p param picture plaintext pre progress q rb rp rt rtc ruby s samp script
search section select slot small source spacer span strike strong style sub summary sup svg
table tbody td template textarea tfoot th thead time title tr track tt u ul var video wbr
xmp
""".split())  # noqa: SIM905 - a word list reads best as words

# A bare tag: <word>, </word> or <word/> with no attributes.
_BARE_TAG = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9]*)\s*(?P<self>/?)>")


def _escape_unknown(part: str) -> str:
    def escape(match: re.Match[str]) -> str:
        if match.group("name").lower() in HTML_ELEMENTS:
            return match.group()
        return "&lt;" + match.group()[1:-1] + "&gt;"

    return _BARE_TAG.sub(escape, part)


@rule("unknown_tags_as_text", priority=10)
def unknown_tags_as_text(text: str, ctx: DialectContext) -> str:
    """Escape angle-bracketed words that are not HTML elements, outside code."""
    if "<" not in text:
        return text
    return map_outside_code(text, _escape_unknown, inline=True)
