"""Math by kramdown's rules, turned into raw-HTML placeholders Markdown cannot damage.

kramdown has one delimiter, ``$$``. A ``$$…$$`` that starts a block (after a blank line, at
the start of a list item) and ends one (a blank line, the next list item, the end) is display
math; any other ``$$…$$`` is inline math (kramdown's ``BLOCK_MATH_START`` with
``after_block_boundary?``/``before_block_boundary?``, and ``INLINE_MATH_START``). ``\\$$`` is
not math. A math environment (``\\begin{align}…\\end{align}``, ``equation``, ``gather`` …)
standing alone as a paragraph outside ``$$`` is display math too: kramdown leaves it as text,
but the MathJax every kramdown site loads renders it (decision: follow what readers saw).
Inside a table row kramdown splits cells on ``|`` and unescapes ``\\|`` before it
looks for math, so there ``\\|`` in the TeX means ``|``.

Single ``$…$`` is not kramdown; sites add it with a MathJax/KaTeX configuration, which
:mod:`.math_config` reads from the site (or a theme preset such as Chirpy's, when the page sets
``math: true``). With a configuration, math is found as that engine finds it: ``$…$`` only if
it is a configured inline pair, matched as MathJax does inside one paragraph, list item or
table cell (spaces inside allowed, closing dollar at brace depth 0; two prices ``$5 … $10``
excepted); kramdown's in-paragraph ``$$…$$`` (``\\(…\\)`` in its output) becomes display math
where the site renders ``\\(`` as display (a ``math-block`` span); ``\\ref``/``\\eqref`` in the
text are formulas on MathJax sites (its ``processRefs``); display placeholders carry the
site's equation numbering (``data-math="tags=ams"``). Without a configuration the old rule
stays: on when ``DialectContext.single_dollar_math`` says so,
else when the page or ``_config.yml`` sets ``use_math``/``math``/``mathjax``/``katex`` to true,
else when the post itself has a single-dollar span that looks like TeX (a ``\\command``,
``^``, ``_`` or ``{``) and no ``$`` followed by a digit (prices). Spans follow pandoc's rule:
no space inside either dollar and no digit right after the closing one (Korean particles may
follow: ``$\\rho$는``), and no ASCII letter or digit right before the opening one
(``pri$model$model`` is R code, not math). Math spanning the lines of a block quote loses
their ``>`` markers.

Math becomes ``<span class="math-inline" data-tex="…"></span>`` or, alone on its lines,
``<div class="math-display" data-tex="…"></div>``; every character Markdown could act on is
an HTML character reference, so underscores, asterisks and backslashes reach the tree intact.
:mod:`converter.transforms.math` fills the placeholders with MathML. Code is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..tex_scan import unescaped
from . import DialectContext, rule
from .math_config import MathConfig, site_math
from .segments import split_code

# $$ … $$ (lazy, across lines), not preceded by a backslash.
_DOUBLE = re.compile(r"(?<!\\)\$\$(?P<tex>.+?)(?<!\\)\$\$", re.DOTALL)
# What may stand before display math on its line: indentation, list or quote markers.
_BLOCK_LEAD = re.compile(r"^(?:[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+|[ \t]*(?:>[ \t]?)*)$")
# A list marker alone before the math: the math starts the item's content.
_LIST_MARKER = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+$")
# A line that starts a list item (the previous item's block ends before it).
_LIST_ITEM = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])[ \t]+\S")
# A block IAL line ({: .class}) also bounds a block.
_IAL_LINE = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$")
# A table row: the line starts and ends with a pipe.
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
# Single-dollar inline math (pandoc's rule; see the module docstring).
_SINGLE = re.compile(r"(?<![\\$A-Za-z0-9])\$(?=[^\s$])(?P<tex>[^$\n]*?[^\s\\$])\$(?![0-9$])")
# A math environment standing alone as a paragraph, outside $$ (MathJax renders those too).
_BARE_ENVIRONMENT = re.compile(
    r"(?P<lead>(?:\A|\n[ \t]*\n)[ \t]*)"
    r"(?P<tex>\\begin\{(?P<env>(?:align|equation|gather|multline|eqnarray|flalign|alignat)\*?)\}"
    r".*?\\end\{(?P=env)\})"
    r"(?P<trail>[ \t]*(?=\n[ \t]*\n|\n?\Z))",
    re.DOTALL)
# TeX-looking content: a command, a sub/superscript or a group.
_TEXLIKE = re.compile(r"\\[A-Za-z]+|[_^{]")
# A price: a dollar followed by a digit.
_PRICE = re.compile(r"(?<![\\$])\$\d")
# An escaped dollar (kramdown's GFM escapes): shown as a plain dollar.
_ESCAPED_DOLLAR = r"\\\$"
# A code span (a backtick run, then the same run within the paragraph); it shields its content.
_CODE_SPAN = r"(?P<code>(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t]*\n).)*?(?<!`)(?P=ticks)(?!`))"
_CODE_OR_DOUBLE = re.compile(_CODE_SPAN + "|" + _DOUBLE.pattern, re.DOTALL)
_CODE_OR_SINGLE = re.compile(_CODE_SPAN + "|" + _SINGLE.pattern, re.DOTALL)
_CODE_SPAN_ONLY = re.compile(_CODE_SPAN, re.DOTALL)
_CODE_OR_ESCAPED_DOLLAR = re.compile(_CODE_SPAN + "|" + _ESCAPED_DOLLAR, re.DOTALL)
# Characters Markdown (or HTML) could act on inside an attribute; all become &#NN;.
_UNSAFE = re.compile(r"[\\`*_{}\[\]()#+\-.!|$~^:<>&\"'\n=%]")
# kramdown's backslash escapes (ESCAPED_CHARS), undone in text before MathJax sees it.
_KRAMDOWN_ESCAPE = re.compile(r"\\([\\.*_+\-`()\[\]{}#!:|\"'$=<>~])")
# Block-quote markers at the start of a continuation line inside math.
_QUOTE_MARKERS = re.compile(r"\n[ \t]*(?:>[ \t]?)+")
# Where MathJax's text strings end inside a stretch of prose: a blank line, a new list item,
# heading or table row, an HTML tag other than <br> (math placeholders included).
_STRING_BREAK = re.compile(
    r"\n[ \t]*(?:>[ \t]*)*\n|\n(?=[ \t]*(?:>[ \t]*)*(?:[*+-]|\d{1,9}[.)])[ \t]+\S)"
    r"|\n(?=[ \t]*#{1,6}[ \t])|</?(?!br\b)[A-Za-z][A-Za-z0-9-]*(?:[ \t\n/][^<>]*)?>")
# A table row (cells are separate strings for MathJax).
_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.MULTILINE)
# A cell separator: a pipe not escaped.
_CELL_BAR = re.compile(r"(?<!\\)\|")
# \ref / \eqref outside math (MathJax's processRefs).
_BARE_REF = re.compile(r"(?<![\\$])\\(?:eq)?ref\{[^{}\n]+\}")
#: Front-matter / _config.yml switches that themes use to load MathJax with $…$ on.
MATH_SWITCHES = ("use_math", "math", "mathjax", "katex")


def encode_tex(tex: str) -> str:
    """TeX as an attribute value no Markdown rule can touch."""
    return _UNSAFE.sub(lambda m: f"&#{ord(m.group())};", tex)


def inline_html(tex: str) -> str:
    return f'<span class="math-inline" data-tex="{encode_tex(tex.strip())}"></span>'


def display_html(tex: str, numbering: str = "none") -> str:
    """A display placeholder; ``numbering`` (the site's ``tags``) travels in ``data-math``."""
    option = f' data-math="tags={numbering}"' if numbering != "none" else ""
    return f'<div class="math-display" data-tex="{encode_tex(tex.strip())}"{option}></div>'


def unquote_tex(tex: str, lead: str) -> str:
    """TeX spanning lines of a block quote (or list item) without the ``>`` markers of its
    continuation lines: they belong to Markdown, not to the formula."""
    if ">" not in lead:
        return tex
    return _QUOTE_MARKERS.sub("\n", tex)


def block_span_html(tex: str) -> str:
    """Display math where only phrasing content may stand (a sentence): a block-styled span."""
    return (f'<span class="math-inline math-block" data-tex="{encode_tex(tex.strip())}">'
            '</span>')


def page_math(ctx: DialectContext) -> MathConfig | None:
    """The site's math configuration if this page loads it (see :mod:`.math_config`)."""
    config = site_math(ctx.site_root, ctx.site)
    if config is None or (config.page_switch and ctx.page.get(config.page_switch) is not True):
        return None
    return config


def single_dollar_enabled(text: str, ctx: DialectContext) -> bool:
    """Whether ``$…$`` is math in this post (see the module docstring for the heuristic)."""
    if ctx.single_dollar_math is not None:
        return ctx.single_dollar_math
    for source in (ctx.page, ctx.site):
        for key in MATH_SWITCHES:
            if source.get(key) is True:
                return True
    prose = "".join(part for is_code, part in split_code(text, inline=True) if not is_code)
    if _PRICE.search(prose):
        return False
    return any(_TEXLIKE.search(m.group("tex")) for m in _SINGLE.finditer(prose))


def _line_bounds(text: str, start: int, end: int) -> tuple[str, str, str | None, str | None]:
    """(text before the match on its line, after it on its line, previous line, next line);
    previous/next are None at the start/end of ``text``."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    previous = next_line = None
    if line_start > 0:
        previous = text[text.rfind("\n", 0, line_start - 1) + 1:line_start - 1]
    if line_end < len(text):
        following_end = text.find("\n", line_end + 1)
        next_line = text[line_end + 1:len(text) if following_end < 0 else following_end]
    return text[line_start:start], text[end:line_end], previous, next_line


def _blank(line: str) -> bool:
    """A blank line, also inside a block quote (``>`` alone)."""
    return not line.replace(">", "").strip()


def _is_display(text: str, match: re.Match[str], first: bool, last: bool) -> bool:
    """kramdown's block-math test: a block boundary before and after the ``$$…$$``."""
    before, after, previous, following = _line_bounds(text, match.start(), match.end())
    if after.strip() or not _BLOCK_LEAD.match(before):
        return False
    if previous is None:
        # First line of this piece: a code span ends just before it, unless nothing does.
        starts_block = first
    else:
        starts_block = (_blank(previous) or bool(_IAL_LINE.match(previous))
                        or bool(_LIST_MARKER.match(before)))
    if following is None:
        ends_block = last
    else:
        ends_block = (_blank(following) or bool(_LIST_ITEM.match(following))
                      or bool(_IAL_LINE.match(following)))
    return starts_block and ends_block


def _mathjax_dollars(text: str) -> str:
    """Single-dollar math as MathJax finds it, in a stretch of prose without code spans.

    MathJax looks for delimiters inside one text string of the page: a paragraph, a list
    item, a table cell, never across an element. The closing ``$`` is the next one at brace
    depth 0 (``\\$`` and other ``\\x`` pairs are skipped); spaces inside are fine. Deviation:
    ``$5 … $10`` (a digit after both dollars) is two prices, not math.
    """
    out: list[str] = []
    position = 0
    for match in _STRING_BREAK.finditer(text + "\n\n"):
        out.append(_cells(text[position:match.start()]))
        out.append(text[match.start():min(match.end(), len(text))])
        position = match.end()
    out.append(_cells(text[position:]))
    return "".join(out)


def _cells(text: str) -> str:
    """Table rows split into cells (each its own string); runs of other lines stay together."""
    if "|" not in text:
        return _dollar_pairs(text)
    result: list[str] = []
    run: list[str] = []
    for line in text.split("\n"):
        if _ROW.match(line):
            if run:
                result.append(_dollar_pairs("\n".join(run)))
                run = []
            result.append("|".join(_dollar_pairs(cell) for cell in _CELL_BAR.split(line)))
        else:
            run.append(line)
    if run:
        result.append(_dollar_pairs("\n".join(run)))
    return "\n".join(result)


def _dollar_pairs(text: str) -> str:
    """``$…$`` pairs in one MathJax string (see :func:`_mathjax_dollars`)."""
    if "$" not in text:
        return text
    out: list[str] = []
    position = index = 0
    while (opening := _next_dollar(text, index)) >= 0:
        closing = _closing_dollar(text, opening + 1)
        if closing < 0:
            break
        tex = text[opening + 1:closing]
        price = text[opening + 1:opening + 2].isdigit() and text[closing + 1:closing + 2].isdigit()
        if not tex.strip() or price:
            index = opening + 1
            continue
        out.append(text[position:opening])
        # kramdown read the span as text first: its backslash escapes are gone (\\{ is \{).
        tex = _KRAMDOWN_ESCAPE.sub(r"\1", _QUOTE_MARKERS.sub("\n", tex))
        out.append(inline_html(tex))
        position = index = closing + 1
    out.append(text[position:])
    return "".join(out)


def _escaped(text: str, index: int) -> bool:
    backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
    return backslashes % 2 == 1


def _next_dollar(text: str, start: int) -> int:
    """The next single ``$`` (not ``$$``, not escaped) at or after ``start``, or -1."""
    index = text.find("$", start)
    while index >= 0:
        if text[index + 1:index + 2] == "$":
            index = text.find("$", index + 2)
            continue
        if not _escaped(text, index):
            return index
        index = text.find("$", index + 1)
    return -1


def _closing_dollar(text: str, start: int) -> int:
    """MathJax's end of a ``$`` span: the next ``$`` at brace depth 0, or -1."""
    depth = 0
    for index, char in unescaped(text, start):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == "$" and depth == 0:
            return index
    return -1


def _convert_prose(text: str, single: bool, first: bool, last: bool,
                   config: MathConfig | None = None) -> str:
    """Math in a stretch of prose; code spans are skipped where they start before the math."""
    numbering = config.tags if config is not None else "none"
    # kramdown writes a $$ inside a paragraph as \(…\); the site's engine decides what that is.
    span_kind = config.kind_of(("\\(", "\\)")) if config is not None else "inline"

    def double(match: re.Match[str]) -> str:
        tex = match.group("tex")
        row_start = text.rfind("\n", 0, match.start()) + 1
        row_end = text.find("\n", match.end())
        row = text[row_start:len(text) if row_end < 0 else row_end]
        if _TABLE_ROW.match(row):
            tex = tex.replace("\\|", "|")
        tex = unquote_tex(tex, text[row_start:match.start()])
        if _is_display(text, match, first, last):
            return display_html(tex, numbering)
        if span_kind == "display":
            return block_span_html(tex)
        return inline_html(tex)

    def double_or_code(match: re.Match[str]) -> str:
        return match.group() if match.group("code") else double(match)

    # Whichever starts first wins, as in kramdown's span parser: a code span or the math.
    text = _CODE_OR_DOUBLE.sub(double_or_code, text)
    text = _BARE_ENVIRONMENT.sub(
        lambda m: m.group("lead") + display_html(unquote_tex(m.group("tex"), m.group("lead")),
                                                 numbering) + m.group("trail"), text)
    if config is not None:
        if config.single_dollar:
            text = _outside_code(text, _mathjax_dollars)
        if config.engine.startswith("mathjax"):  # MathJax's processRefs: \ref in the text
            text = _outside_code(text, lambda part: _BARE_REF.sub(
                lambda m: inline_html(m.group()), part))
    elif single:
        text = _CODE_OR_SINGLE.sub(
            lambda m: m.group() if m.group("code") else inline_html(m.group("tex")), text)
    return _CODE_OR_ESCAPED_DOLLAR.sub(lambda m: m.group() if m.group("code") else "&#36;", text)


def _outside_code(text: str, convert: Callable[[str], str]) -> str:
    """``convert`` applied to the text between code spans (a code span ends a MathJax string)."""
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN_ONLY.finditer(text):
        out.append(convert(text[position:match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(convert(text[position:]))
    return "".join(out)


@rule("kramdown_math", priority=80)
def kramdown_math(text: str, ctx: DialectContext) -> str:
    """``$$…$$`` (and, where enabled, ``$…$``) → math placeholders; code untouched."""
    if "$" not in text and "\\begin{" not in text and "ref{" not in text:
        return text
    config = page_math(ctx) if ctx.single_dollar_math is None else None
    single = config.single_dollar if config is not None else single_dollar_enabled(text, ctx)
    pieces = split_code(text)
    out = []
    for index, (is_code, part) in enumerate(pieces):
        if is_code or ("$" not in part and "\\begin{" not in part and "ref{" not in part):
            out.append(part)
            continue
        # After an indented code block (which ends with its blank lines) a block may start.
        first = index == 0 or pieces[index - 1][1].endswith("\n\n")
        out.append(_convert_prose(part, single, first, index == len(pieces) - 1, config))
    return "".join(out)
