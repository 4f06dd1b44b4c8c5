"""kramdown's smart quotes and typographic symbols, on the rendered tree.

Jekyll's kramdown turns ``"…"`` / ``'…'`` into “…” / ‘…’ (the site's ``smart_quotes``), ``---``
into —, ``--`` into –, ``...`` into …, ``<<``/``>>`` into «/» (``<< ``/`` >>`` with a no-break
space). Python-Markdown does neither, so this transform replays kramdown's span rules
(``Kramdown::Parser::Kramdown::SQ_RULES`` and ``TYPOGRAPHIC_SYMS``, kramdown 2.4) over the text
of each block: the text of a paragraph, list item, heading or cell, read across its inline
elements in document order.

What kramdown sees as "the character before a quote" is the source text: right after another
span (emphasis, a link, code, a line break) there is none, because that span's parser consumed
it. Each text node of the tree therefore starts a new run here, which reproduces kramdown's
(sometimes surprising) choices, such as an opening quote after ``**bold**``.

Never touched: raw HTML blocks (kramdown does not parse them unless ``parse_block_html``;
marked ``data-raw`` by :mod:`converter.markdown_kramdown`), code (``code``, ``pre``,
``kbd``, ``samp``), formulas (anything with
``data-tex`` or ``math`` classes, MathML, SVG), scripts and styles, bare URLs shown as link
text (which kramdown reads as plain text: the quotes beside them see their characters), and
attribute values. Ruby's ``\\w``, ``\\s``, ``\\d`` and ``\\b`` are ASCII, hence
``re.ASCII`` below.
"""

from __future__ import annotations

import re

from lxml import html

from ..markdown_kramdown import RAW_MARK
from . import TransformContext, transform

_OPAQUE = {"code", "pre", "kbd", "samp", "script", "style", "math", "svg", "textarea", "tt"}
_OPAQUE_CLASSES = ("math", "image-missing", "video-link")
_BLOCKS = {"div", "p", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
           "blockquote", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
           "figure", "figcaption", "section", "article", "aside", "header", "footer", "nav",
           "details", "summary", "center", "address", "hr", "body"}

_SQ_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_SQ_CLOSE = r"[^ \\\t\r\n\[{(-]"
_FLAGS = re.ASCII | re.MULTILINE | re.DOTALL
#: (pattern, substitutions): an int outputs that group unchanged, a name is a quote.
_SQ_RULES: list[tuple[re.Pattern[str], list[int | str]]] = [
    (re.compile(r"(\"|')(?=[_*]{1,2}\S)", _FLAGS), ["lquote1"]),
    (re.compile(r"(\"|')(?=" + _SQ_PUNCT + r"(?!\.\.)\B)", _FLAGS), ["rquote1"]),
    (re.compile(r"(\s?)\"'(?=\w)", _FLAGS), [1, "ldquo", "lsquo"]),
    (re.compile(r"(\s?)'\"(?=\w)", _FLAGS), [1, "lsquo", "ldquo"]),
    (re.compile(r"(\s?)'(?=\d\ds)", _FLAGS), [1, "rsquo"]),
    (re.compile(r"(\s)('|\")(?=\w)", _FLAGS), [1, "lquote2"]),
    (re.compile(r"(" + _SQ_CLOSE + r")('|\")", _FLAGS), [1, "rquote2"]),
    (re.compile(r"(\"|')(?=\s|s\b|$)", _FLAGS), ["rquote1"]),
    (re.compile(r"(.?)'", _FLAGS), [1, "lsquo"]),
    (re.compile(r"(.?)\"", _FLAGS), [1, "ldquo"]),
]
_TYPO = re.compile(r"---|--|\.\.\.|<< | >>|<<|>>")
_TYPO_NAMES = {"---": "mdash", "--": "ndash", "...": "hellip", "<< ": "laquo_space",
               " >>": "raquo_space", "<<": "laquo", ">>": "raquo"}
#: Stands for an element whose text is not ours to change (code, a formula …).
_OPAQUE_MARK = "\ufffc"

Slot = tuple[html.HtmlElement, str]  # (element, "text" | "tail" | "url": a bare URL link)


def _is_opaque(element: html.HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return True
    if element.tag in _OPAQUE or element.get("data-tex") is not None or (
            element.get(RAW_MARK) is not None):
        return True
    classes = (element.get("class") or "").split()
    if any(c in _OPAQUE_CLASSES for c in classes):
        return True
    return _is_bare_url(element)


def _is_bare_url(element: html.HtmlElement) -> bool:
    if element.tag != "a":
        return False
    href = (element.get("href") or "").strip()
    text = element.text_content().strip()
    return bool(href and text and (text == href or re.match(r"[a-z][a-z0-9+.-]*://", text)))


def _runs(block: html.HtmlElement) -> list[list[Slot | None]]:
    """The inline text slots of ``block``, split into runs at block children.

    ``None`` in a run stands for an opaque element (or a line break).
    """
    runs: list[list[Slot | None]] = [[]]

    def inline(element: html.HtmlElement) -> None:
        if element.text:
            runs[-1].append((element, "text"))
        for child in element:
            if isinstance(child.tag, str) and child.tag in _BLOCKS:
                runs.append([])
            elif _is_bare_url(child) and child.get(RAW_MARK) is None:
                runs[-1].append((child, "url"))
            elif child.tag == "br" or _is_opaque(child):
                runs[-1].append(None)
            else:
                inline(child)
            if child.tail:
                runs[-1].append((child, "tail"))

    inline(block)
    return [run for run in runs if any(slot is not None for slot in run)]


def _plan(text: str, barriers: set[int], quotes: tuple[str, str, str, str],
          symbols: dict[str, str]) -> list[str]:
    """Per character of ``text``, what it becomes."""
    lsquo, rsquo, ldquo, rdquo = quotes
    names = {"lsquo": lsquo, "rsquo": rsquo, "ldquo": ldquo, "rdquo": rdquo}
    out = list(text)
    pos = 0
    n = len(text)
    while pos < n:
        q = _next_quote(text, pos)
        t = _TYPO.search(text, pos) if symbols else None
        if q is None and t is None:
            break
        quote_start = None
        if q is not None:
            quote_start = q - 1 if (q - 1 >= pos and q not in barriers
                                    and text[q - 1] not in "\\" + _OPAQUE_MARK) else q
        if t is not None and (quote_start is None or t.start() < quote_start):
            name = _TYPO_NAMES[t.group()]
            if name in symbols:
                out[t.start()] = symbols[name]
                for i in range(t.start() + 1, t.end()):
                    out[i] = ""
            pos = t.end()
            continue
        assert quote_start is not None and q is not None
        for pattern, substs in _SQ_RULES:
            match = pattern.match(text, quote_start)
            if match is None:
                continue
            i = quote_start
            for subst in substs:
                if isinstance(subst, int):
                    i += len(match.group(subst) or "")
                    continue
                char = text[i]
                if subst[:-1] in ("lquote", "rquote"):
                    side = "l" if subst.startswith("l") else "r"
                    out[i] = names[side + ("dquo" if char == '"' else "squo")]
                else:
                    out[i] = names[subst]
                i += 1
            pos = max(match.end(), q + 1)
            break
        else:  # pragma: no cover - the last two rules always match a quote
            pos = q + 1
    return out


def _next_quote(text: str, pos: int) -> int | None:
    found = [i for i in (text.find('"', pos), text.find("'", pos)) if i >= 0]
    return min(found) if found else None


def smarten_block(block: html.HtmlElement, quotes: tuple[str, str, str, str],
                  symbols: dict[str, str]) -> None:
    """Apply kramdown's smart quotes and typographic symbols to the inline text of ``block``."""
    for run in _runs(block):
        pieces: list[str] = []
        spans: list[tuple[Slot, int, int]] = []
        barriers: set[int] = set()
        offset = 0
        after_url = False
        for slot in run:
            if slot is None:
                pieces.append(_OPAQUE_MARK)
                offset += 1
                after_url = False
                continue
            if slot[1] == "url":
                # A bare URL is plain text to kramdown: the quotes around it see its
                # characters (``"https://a.kr/"이`` closes), but it is never changed.
                value = slot[0].text_content()
                pieces.append(value)
                offset += len(value)
                after_url = True
                continue
            value = getattr(slot[0], slot[1]) or ""
            if not after_url:
                barriers.add(offset)
            after_url = False
            pieces.append(value)
            spans.append((slot, offset, offset + len(value)))
            offset += len(value)
        text = "".join(pieces)
        if not re.search(r"[\"']|--|\.\.\.|<<|>>", text):
            continue
        plan = _plan(text, barriers, quotes, symbols)
        for (element, attr), start, end in spans:
            new = "".join(plan[start:end])
            if new != text[start:end]:
                setattr(element, attr, new)


def smarten(root: html.HtmlElement, quotes: tuple[str, str, str, str],
            symbols: dict[str, str]) -> None:
    """Smart quotes and typographic symbols over every block of ``root``."""
    blocks = [root] + [el for el in root.iter() if el is not root and isinstance(el.tag, str)
                       and el.tag in _BLOCKS and not _inside_opaque(el, root)]
    for block in blocks:
        smarten_block(block, quotes, symbols)


def _inside_opaque(element: html.HtmlElement, root: html.HtmlElement) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not root:
        if _is_opaque(parent):
            return True
        parent = parent.getparent()
    return _is_opaque(element)


@transform("smart_typography", priority=50)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Curly quotes and typographic symbols as the site's kramdown sets them."""
    options = ctx.kramdown
    if options.parse_block_html:  # kramdown parses raw HTML blocks too
        for element in root.iter():
            element.attrib.pop(RAW_MARK, None)
    smarten(root, options.smart_quotes, options.typographic_symbols)
    for element in root.iter():
        if isinstance(element.tag, str):
            element.attrib.pop(RAW_MARK, None)
