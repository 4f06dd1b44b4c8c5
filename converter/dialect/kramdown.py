"""kramdown block syntax that Python-Markdown reads differently.

Rules here rewrite kramdown-only forms into their Python-Markdown equivalents:

``kramdown_fences`` (95)
    fences exactly as kramdown opens and closes them (see :mod:`.segments`), spelled the way
    Python-Markdown's fences accept.
``kramdown_extensions`` (94)
    ``{::comment}``, ``{::nomarkdown}``, ``{::options}``.
``kramdown_ald`` (92)
    attribute list definitions ``{:ref: .cls}`` removed; references to them expanded.
``kramdown_toc`` (90)
    the ``* TOC`` list marked ``{:toc}`` removed (the book has its own table of contents).
``kramdown_block_ial`` (85)
    standalone block IALs (``{: .notice--info}``) → markers for transforms/attributes.py.
``kramdown_tables`` (60)
    tables whose separator row is not the second line, or missing.

Span IALs (``![a](b){: width="30"}``) are Python-Markdown's attr_list syntax already.

Long because the six rules share kramdown's block patterns (IALs, ALDs, fences, table rows);
each rule is a function of its own.
"""

from __future__ import annotations

import re

from . import DialectContext, rule
from .segments import fence_matches, map_outside_code

_TABLE_LINE = re.compile(r"^[ ]{0,3}\|.*$")
_SEPARATOR_LINE = re.compile(r"^[ ]{0,3}\|?(?:\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?\s*$")


def _cells(line: str) -> int:
    body = line.strip()
    body = body.removeprefix("|")
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return len(re.split(r"(?<!\\)\|", body))


def _fix_table(lines: list[str]) -> list[str]:
    """Give a kramdown table exactly one header row followed by its separator."""
    separators = [i for i, line in enumerate(lines) if _SEPARATOR_LINE.match(line)]
    if separators == [1]:
        return lines
    columns = max(_cells(line) for line in lines)
    if separators:
        first = separators[0]
        separator = lines[first]
        rows = [line for i, line in enumerate(lines) if i not in separators]
        if first == 0:
            # No header row: kramdown makes a body-only table.
            header = "|" + " |" * columns
        else:
            header, rows = rows[0], rows[1:]
    else:
        separator = "|" + "---|" * columns
        header = "|" + " |" * columns
        rows = lines
    return [header, separator, *rows]


def _fix_tables(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _TABLE_LINE.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _TABLE_LINE.match(lines[j]):
            j += 1
        block = lines[i:j]
        is_table = len(block) >= 2 or block[0].rstrip().endswith("|")
        if is_table:
            if out and out[-1].strip():
                out.append("")
            out.extend(_fix_table(block))
            if j < len(lines) and lines[j].strip():
                out.append("")
        else:
            out.extend(block)
        i = j
    return "\n".join(out)


@rule("kramdown_tables", priority=60)
def kramdown_tables(text: str, ctx: DialectContext) -> str:
    """Tables whose separator row is not the second line (or is missing), as kramdown allows."""
    return map_outside_code(text, _fix_tables)


# --- fenced code ---------------------------------------------------------------------------

# An info word kramdown allows but Python-Markdown's fences do not: {r}, js?linenos, c++11.
_INFO_BRACES = re.compile(r"^\{\s*\.?(?P<lang>[^\s{},]+)[^}]*\}$")
_INFO_QUERY = re.compile(r"\?.*$")
_INFO_UNSAFE = re.compile(r"[^\w#.+-]")


def _fence_info(info: str) -> str:
    """kramdown's language word, spelled so Python-Markdown's fences accept it."""
    braces = _INFO_BRACES.match(info)
    if braces:
        info = braces.group("lang")
    info = _INFO_QUERY.sub("", info)
    return _INFO_UNSAFE.sub("", info).lower()


def _canonical_fences(text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in fence_matches(text):
        before = text[pos:match.start()]
        indent, fence = match.group("indent"), match.group("fence")
        # A fence interrupts a paragraph in kramdown's GFM parser; Python-Markdown needs a gap.
        if not indent and before and not before.endswith("\n\n") and before.strip():
            before = before.rstrip("\n") + "\n\n"
        out.append(before)
        body = match.group("body")
        if indent.strip():
            # "- ```r": the item's marker on a line of its own, the fence at its content column.
            out.append(indent.rstrip() + " \n")
            indent = " " * len(indent.expandtabs(4))
        out.append(f"{indent}{fence}{_fence_info(match.group('info'))}\n{body}{indent}{fence}\n")
        pos = match.end()
        if not indent and pos < len(text) and text[pos] != "\n":
            out.append("\n")
    out.append(text[pos:])
    return "".join(out)


@rule("kramdown_fences", priority=95)
def kramdown_fences(text: str, ctx: DialectContext) -> str:
    """Fences as kramdown reads them, rewritten so Python-Markdown reads them the same way.

    The opener keeps one language word (``{r}`` → ``r``, ``js?linenos`` → ``js``, lower
    case); the closer becomes exactly the opener's fence (kramdown accepts a longer one); a
    fence at the margin gets blank lines around it, since it ends a paragraph in kramdown.
    """
    if "```" not in text and "~~~" not in text:
        return text
    return _canonical_fences(text)


# --- extensions: {::comment}, {::nomarkdown}, {::options} ------------------------------------

# {::comment} … {:/comment} or {:/}: dropped.
_EXT_COMMENT = re.compile(r"\{::comment\}.*?\{:/(?:comment)?\}", re.DOTALL)
# {::nomarkdown} … {:/nomarkdown}: kept as written (raw HTML, as kramdown passes it).
_EXT_NOMARKDOWN = re.compile(r"\{::nomarkdown[^}]*\}(?P<body>.*?)\{:/(?:nomarkdown)?\}", re.DOTALL)
# {::options … /}: parser options for the rest of the document; nothing to render.
_EXT_OPTIONS = re.compile(r"\{::options[^}]*/\}")


def _extensions(text: str) -> str:
    text = _EXT_COMMENT.sub("", text)
    text = _EXT_NOMARKDOWN.sub(lambda m: m.group("body"), text)
    return _EXT_OPTIONS.sub("", text)


@rule("kramdown_extensions", priority=94)
def kramdown_extensions(text: str, ctx: DialectContext) -> str:
    """kramdown's ``{::comment}``, ``{::nomarkdown}`` and ``{::options}`` extensions."""
    if "{::" not in text:
        return text
    return map_outside_code(text, _extensions, inline=True)


# --- attribute lists ---------------------------------------------------------------------------

# An attribute list definition line: {:name: attributes}
_ALD_LINE = re.compile(
    r"^[ ]{0,3}\{:(?P<name>\w[\w-]*):(?P<attrs>(?:\\\}|[^}\n])+)\}[ \t]*(?:\n|$)", re.MULTILINE)
# An inline attribute list anywhere: {: attributes} (not an ALD, not an extension).
_IAL = re.compile(r"\{:(?![:/])(?P<attrs>(?:\\\}|[^}\n])*)\}")
# A reference inside an attribute list: a bare name (not .class, #id or key=value).
_IAL_TOKEN = re.compile(r"""(?:^|(?<=\s))(?:[\w-]+=(?:"[^"]*"|'[^']*')|[.#][\w-]+|(?P<ref>[\w][\w-]*))(?=\s|$)""")  # noqa: E501
# A block IAL on its own line (a trailing <br> is tolerated: Hydejack posts write one).
_BLOCK_IAL_LINE = re.compile(
    r"^(?P<indent>[ \t]*)\{:(?![:/])(?P<attrs>(?:\\\}|[^}\n])*)\}[ \t]*(?:<br\s*/?>[ \t]*)?$", re.MULTILINE)
# The marker a standalone block IAL becomes: applied to a neighbour by transforms/attributes.
IAL_MARKER_CLASS = "hanji-ial"
# Characters Markdown or HTML could act on inside the marker's attribute (written as &#NN;).
_MARKDOWN_ACTIVE = frozenset("\\`*_{}[]()#+-.!|<>&\"'")
# A list item line (bullet or ordinal), at the margin.
_LIST_ITEM_LINE = re.compile(r"^[ ]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+\S")


def _expand_references(attrs: str, definitions: dict[str, str]) -> str:
    """Replace ALD references in an attribute list by the definitions' attributes."""

    def expand(match: re.Match[str]) -> str:
        ref = match.group("ref")
        if ref and ref in definitions:
            return definitions[ref]
        return match.group()

    return _IAL_TOKEN.sub(expand, attrs.strip())


def _ald(text: str) -> str:
    definitions: dict[str, str] = {}

    def define(match: re.Match[str]) -> str:
        definitions[match.group("name")] = match.group("attrs").strip()
        return ""

    text = _ALD_LINE.sub(define, text)
    if not definitions:
        return text
    # Definitions may refer to each other; expand inside them first.
    for name, attrs in list(definitions.items()):
        definitions[name] = _expand_references(attrs, {k: v for k, v in definitions.items() if k != name})
    return _IAL.sub(lambda m: "{: " + _expand_references(m.group("attrs"), definitions) + "}", text)


@rule("kramdown_ald", priority=92)
def kramdown_ald(text: str, ctx: DialectContext) -> str:
    """Attribute list definitions ``{:ref: .cls #id}``: removed, and references expanded."""
    if "{:" not in text:
        return text
    return map_outside_code(text, _ald)


def _is_toc(attrs: str) -> bool:
    return any(m.group("ref") == "toc" for m in _IAL_TOKEN.finditer(attrs.strip()))


def _toc(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        match = _BLOCK_IAL_LINE.match(line)
        if match and _is_toc(match.group("attrs")):
            # The block the IAL marks: its lines back to the blank line before it.
            start = len(out)
            while start > 0 and out[start - 1].strip():
                start -= 1
            if start < len(out) and _LIST_ITEM_LINE.match(out[start]):
                # kramdown replaces that list by a TOC; the book has its own.
                del out[start:]
            continue
        out.append(line)
    return "\n".join(out)


@rule("kramdown_toc", priority=90)
def kramdown_toc(text: str, ctx: DialectContext) -> str:
    """``* TOC`` + ``{:toc}``: removed (decision: the book's table of contents replaces it)."""
    if "toc" not in text:
        return text
    return map_outside_code(text, _toc)


def marker(attrs: str, direction: str) -> str:
    """A raw-HTML block carrying a block IAL to its neighbour (``prev`` or ``next``)."""
    encoded = "".join(f"&#{ord(c)};" if c in _MARKDOWN_ACTIVE else c for c in attrs.strip())
    return f'<div class="{IAL_MARKER_CLASS} {IAL_MARKER_CLASS}-{direction}" title="{encoded}"></div>'


def _block_ials(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    for index, line in enumerate(lines):
        match = _BLOCK_IAL_LINE.match(line)
        if match is None:
            out.append(line)
            continue
        indent = match.group("indent").replace("\t", "    ")
        previous = lines[index - 1] if index > 0 else ""
        if len(indent) > 3:
            # Inside a list item: Python-Markdown's attr_list applies it to the paragraph it ends.
            out.append(line[: match.end("attrs") + 1].rstrip())
            continue
        direction = "prev" if previous.strip() else "next"
        if out and out[-1].strip():
            out.append("")
        out.append(marker(match.group("attrs"), direction))
        out.append("")
    return "\n".join(out)


@rule("kramdown_block_ial", priority=85)
def kramdown_block_ial(text: str, ctx: DialectContext) -> str:
    """Block IALs on their own line become markers the attributes transform applies.

    kramdown gives ``{: .notice--info}`` right after a block to that block, and one after a
    blank line to the next block; Python-Markdown's attr_list only knows the first case for
    paragraphs. A marker keeps the direction; the tree transform does the rest.
    """
    if "{:" not in text:
        return text
    return map_outside_code(text, _block_ials)


# --- list indentation ----------------------------------------------------------------------------

# A list item line: indentation, marker, the spaces after it, the content.
_ITEM = re.compile(r"^(?P<indent> *)(?P<marker>[*+-]|\d{1,9}[.)])(?P<space>[ ]+|$)(?P<rest>.*)$")
# A horizontal rule (- - -, * * *), which looks like a list item but is not one.
_RULE_LINE = re.compile(r"^ {0,3}([-*_])(?:[ ]*\1){2,}[ ]*$")
#: Python-Markdown's list nesting step (its tab length).
_STEP = 4


def _expand_leading_tabs(line: str) -> str:
    stripped = line.lstrip(" \t")
    lead = line[: len(line) - len(stripped)]
    return lead.expandtabs(_STEP) + stripped if "\t" in lead else line


def _shift(line: str, by: int) -> str:
    if by >= 0:
        return " " * by + line if line.strip() else line
    spaces = len(line) - len(line.lstrip(" "))
    return line[min(spaces, -by):]


def _margin_fence(unit: str) -> str:
    """A fence indented 1–3 spaces outside lists: kramdown keeps its lines as they are, while
    Python-Markdown wants every line indented like the fence; move the fence to the margin."""
    lines = unit.split("\n")
    closer = max(i for i, line in enumerate(lines) if line.strip())
    for i in (0, closer):
        lines[i] = lines[i].lstrip(" ")
    return "\n".join(lines)


def _pad_fence_body(lines: list[str], indent: int) -> list[str]:
    """Indent fence lines that sit left of the fence (Python-Markdown drops such fences)."""
    return [line if not line.strip() or len(line) - len(line.lstrip(" ")) >= indent
            else " " * indent + line.lstrip(" ") for line in lines]


class _ListItem:
    """An open list item: its content column in the post and in the rewritten text."""

    __slots__ = ("content", "new_content", "ordered")

    def __init__(self, content: int, new_content: int, ordered: bool = False) -> None:
        self.content = content
        self.new_content = new_content
        self.ordered = ordered


def _reindent_lists(text: str) -> str:
    fences = {m.start(): m.end() for m in fence_matches(text)}
    out: list[str] = []
    stack: list[_ListItem] = []
    previous_blank = True
    pos = 0
    while pos < len(text):
        end = fences.get(pos)
        is_fence = end is not None
        if end is None:
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end + 1
        unit = text[pos:end]
        pos = end
        first = _expand_leading_tabs(unit.split("\n", 1)[0])
        if not first.strip():
            out.append(unit)
            previous_blank = True
            continue
        indent = len(first) - len(first.lstrip(" "))
        item = None if is_fence or _RULE_LINE.match(first) else _ITEM.match(first)
        if item is not None:
            ordered = item.group("marker")[0].isdigit()
            # kramdown (GFM): a marker of the other list type right under an item's text is a
            # lazy line of that item, and the GFM paragraph end makes it a nested list.
            while stack and indent < stack[-1].content and (
                    previous_blank or stack[-1].ordered == ordered):
                stack.pop()
            if stack or indent <= 3:
                marker, space = item.group("marker"), item.group("space")
                # kramdown: content starting 5+ columns after the marker is indented code.
                gap = len(space) if 0 < len(space) <= 4 else 1
                new_indent = stack[-1].new_content if stack else 0
                rest = item.group("rest")
                if len(space) > 4:
                    rest = " " * (len(space) - 1) + rest
                out.append(" " * new_indent + marker + (" " + rest if rest or space else "")
                           + ("\n" if unit.endswith("\n") else ""))
                stack.append(_ListItem(indent + len(marker) + gap, new_indent + _STEP, ordered))
                previous_blank = False
                continue
        owner = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].content <= indent), None)
        if owner is None:
            if previous_blank:
                stack.clear()
            out.append(_margin_fence(unit) if is_fence and not stack else unit)
        else:
            del stack[owner + 1:]
            shift = stack[owner].new_content - stack[owner].content
            lines = [_shift(_expand_leading_tabs(line), shift) for line in unit.split("\n")]
            if is_fence:
                lines = _pad_fence_body(lines, indent + shift)
            out.append("\n".join(lines))
        previous_blank = False
    return "".join(out)


@rule("kramdown_lists", priority=88)
def kramdown_lists(text: str, ctx: DialectContext) -> str:
    """List items re-indented from kramdown's model to Python-Markdown's.

    kramdown nests a list and continues an item at the item's content column (``- `` → 2,
    ``1. `` → 3); Python-Markdown needs multiples of four. Without this, ``- a\\n  - b``
    flattens and a paragraph under ``1. `` leaves the list. Fences inside items move as a
    whole; indented code keeps its extra indentation. A fence indented 1–3 spaces outside a
    list moves to the margin (kramdown keeps its lines as written; Python-Markdown would drop a
    fence whose lines sit left of it).
    """
    if not _LIST_HINT.search(text):
        return text
    return _reindent_lists(text)


# Any line that could start a list item, or a fence indented 1–3 spaces.
_LIST_HINT = re.compile(r"^(?: *(?:[*+-]|\d{1,9}[.)])[ ]| {1,3}(?:```|~~~))", re.MULTILINE)
