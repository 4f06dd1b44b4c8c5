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

Single ``$…$`` is not kramdown; sites add it with a MathJax/KaTeX setting this tool cannot see
(it lives in layouts). Decision — it is on when ``DialectContext.single_dollar_math`` says so,
else when the page or ``_config.yml`` sets ``use_math``/``math``/``mathjax``/``katex`` to true,
else when the post itself has a single-dollar span that looks like TeX (a ``\\command``,
``^``, ``_`` or ``{``) and no ``$`` followed by a digit (prices). Spans follow pandoc's rule:
no space inside either dollar and no digit right after the closing one (Korean particles may
follow: ``$\\rho$는``), and no ASCII letter or digit right before the opening one
(``pri$model$model`` is R code, not math).

Math becomes ``<span class="math-inline" data-tex="…"></span>`` or, alone on its lines,
``<div class="math-display" data-tex="…"></div>``; every character Markdown could act on is
an HTML character reference, so underscores, asterisks and backslashes reach the tree intact.
:mod:`converter.transforms.math` fills the placeholders with MathML. Code is left alone.
"""

from __future__ import annotations

import re

from . import DialectContext, rule
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
_CODE_OR_ESCAPED_DOLLAR = re.compile(_CODE_SPAN + "|" + _ESCAPED_DOLLAR, re.DOTALL)
# Characters Markdown (or HTML) could act on inside an attribute; all become &#NN;.
_UNSAFE = re.compile(r"[\\`*_{}\[\]()#+\-.!|$~^:<>&\"'\n=%]")
#: Front-matter / _config.yml switches that themes use to load MathJax with $…$ on.
MATH_SWITCHES = ("use_math", "math", "mathjax", "katex")


def encode_tex(tex: str) -> str:
    """TeX as an attribute value no Markdown rule can touch."""
    return _UNSAFE.sub(lambda m: f"&#{ord(m.group())};", tex)


def inline_html(tex: str) -> str:
    return f'<span class="math-inline" data-tex="{encode_tex(tex.strip())}"></span>'


def display_html(tex: str) -> str:
    return f'<div class="math-display" data-tex="{encode_tex(tex.strip())}"></div>'


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


def _convert_prose(text: str, single: bool, first: bool, last: bool) -> str:
    """Math in a stretch of prose; code spans are skipped where they start before the math."""

    def double(match: re.Match[str]) -> str:
        tex = match.group("tex")
        row_start = text.rfind("\n", 0, match.start()) + 1
        row_end = text.find("\n", match.end())
        row = text[row_start:len(text) if row_end < 0 else row_end]
        if _TABLE_ROW.match(row):
            tex = tex.replace("\\|", "|")
        if _is_display(text, match, first, last):
            return display_html(tex)
        return inline_html(tex)

    def double_or_code(match: re.Match[str]) -> str:
        return match.group() if match.group("code") else double(match)

    # Whichever starts first wins, as in kramdown's span parser: a code span or the math.
    text = _CODE_OR_DOUBLE.sub(double_or_code, text)
    text = _BARE_ENVIRONMENT.sub(
        lambda m: m.group("lead") + display_html(m.group("tex")) + m.group("trail"), text)
    if single:
        text = _CODE_OR_SINGLE.sub(
            lambda m: m.group() if m.group("code") else inline_html(m.group("tex")), text)
    return _CODE_OR_ESCAPED_DOLLAR.sub(lambda m: m.group() if m.group("code") else "&#36;", text)


@rule("kramdown_math", priority=80)
def kramdown_math(text: str, ctx: DialectContext) -> str:
    """``$$…$$`` (and, where enabled, ``$…$``) → math placeholders; code untouched."""
    if "$" not in text and "\\begin{" not in text:
        return text
    single = single_dollar_enabled(text, ctx)
    pieces = split_code(text)
    out = []
    for index, (is_code, part) in enumerate(pieces):
        if is_code or ("$" not in part and "\\begin{" not in part):
            out.append(part)
            continue
        # After an indented code block (which ends with its blank lines) a block may start.
        first = index == 0 or pieces[index - 1][1].endswith("\n\n")
        out.append(_convert_prose(part, single, first, index == len(pieces) - 1))
    return "".join(out)
