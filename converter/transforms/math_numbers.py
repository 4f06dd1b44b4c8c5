"""Equation numbers and cross-references, as the site's MathJax numbers them; KaTeX macros.

Runs on the dialect's math placeholders before they become MathML (:mod:`.math`):

* every formula's TeX gets KaTeX's built-in macros expanded (:mod:`.tex_macros`);
* display formulas are numbered: ``\\tag{X}`` gives ``(X)`` (``\\tag*{X}`` gives ``X``); with
  the site's ``tags: 'ams'`` (``data-math="tags=ams"`` from the dialect) the unstarred
  ``equation``/``align``/``gather``/``multline``/``eqnarray``/``alignat``/``flalign`` are
  numbered 1, 2, … in the post, with ``tags: 'all'`` every display formula but the starred
  environments; rows of ``align``-like environments are numbered one by one, ``\\notag`` /
  ``\\nonumber`` skip a row. The numbers leave the TeX (a ``\\tag`` drawn inside the formula
  made ziamath draw it page-wide, so the PDF shrank it to half size) and become HTML beside
  it: ``<div class="math-display math-numbered">…<span class="math-tags"><span
  class="math-tag" id="eq-…">(3)</span></span></div>``, one ``math-tag`` per row;
* ``\\label{L}`` leaves the TeX and names the number of its row (the ``id`` ``eq-L``);
* a formula that is only ``\\ref{L}`` / ``\\eqref{L}`` becomes a link to the equation
  (``<a class="math-ref" href="#eq-L">3</a>`` / ``(3)``); inside a larger formula the number
  replaces the command as text. A label no equation defines is a warning and shows ``(?)``,
  MathJax's ``(???)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import html

from . import TransformContext, transform
from .tex_macros import expand

_NUMBERED_ENVIRONMENTS = {"equation", "align", "gather", "multline", "eqnarray", "alignat",
                          "flalign"}
# Environments whose rows are numbered one by one.
_ROW_ENVIRONMENTS = {"align", "gather", "eqnarray", "alignat", "flalign"}
_BEGIN = re.compile(r"\\begin\{(?P<env>[A-Za-z]+)(?P<star>\*?)\}")
_TAG = re.compile(r"\\tag(?P<star>\*?)\s*\{(?P<text>[^{}]*)\}")
_LABEL = re.compile(r"\\label\s*\{(?P<name>[^{}]*)\}")
_NO_NUMBER = re.compile(r"\\(?:notag|nonumber)(?![A-Za-z])")
_REF = re.compile(r"\\(?P<kind>eqref|ref)\s*\{(?P<name>[^{}]*)\}")
_ONLY_REF = re.compile(r"^\s*\\(?P<kind>eqref|ref)\s*\{(?P<name>[^{}]*)\}\s*$")
_UNSTARRED = re.compile(r"\\(?P<cmd>begin|end)\{(?P<env>align|gather|multline|eqnarray)\}")
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass
class _Row:
    """One numbered line of a display formula."""

    number: str | None = None
    labels: list[str] = field(default_factory=list)


def anchor(label: str) -> str:
    """The ``id`` of the equation ``\\label{label}`` names (ASCII, valid in XHTML)."""
    return "eq-" + (_SAFE.sub("-", label).strip("-") or "label")


def _split_rows(body: str) -> list[str]:
    r"""``body`` cut at its top-level ``\\`` (not inside braces or nested environments)."""
    rows, depth, start, index = [], 0, 0, 0
    while index < len(body):
        if body.startswith("\\begin{", index):
            depth += 1
        elif body.startswith("\\end{", index):
            depth -= 1
        elif body[index] == "{":
            depth += 1
        elif body[index] == "}":
            depth -= 1
        elif body.startswith("\\\\", index) and depth == 0:
            rows.append(body[start:index])
            index += 2
            start = index
            continue
        if body[index] == "\\":
            index += 2
            continue
        index += 1
    rows.append(body[start:])
    # A trailing \\ before \end does not start a row.
    return [row for i, row in enumerate(rows) if row.strip() or i < len(rows) - 1]


def _rows(tex: str, mode: str) -> list[tuple[str, bool]]:
    """(row TeX, numbered automatically) for each numbered line of a display formula."""
    begin = _BEGIN.search(tex)
    env = begin.group("env") if begin else None
    starred = bool(begin and begin.group("star"))
    if mode == "all":
        automatic = not starred
    elif mode == "ams":
        automatic = env in _NUMBERED_ENVIRONMENTS and not starred
    else:
        automatic = False
    if begin is not None and env in _ROW_ENVIRONMENTS:
        end = tex.rfind(f"\\end{{{env}{begin.group('star')}}}")
        if end > begin.end():
            outside = tex[:begin.start()] + tex[end:]
            if not _TAG.search(outside):
                body = tex[begin.end():end]
                return [(row, automatic) for row in _split_rows(body)]
    return [(tex, automatic)]


def strip_numbering(tex: str) -> str:
    """The TeX to draw: without ``\\tag``, ``\\label``, ``\\notag``, ``\\nonumber``, and
    numbered environments starred (the converters would number their rows themselves)."""
    tex = _NO_NUMBER.sub("", _LABEL.sub("", _TAG.sub("", tex)))
    return _UNSTARRED.sub(lambda m: f"\\{m.group('cmd')}{{{m.group('env')}*}}", tex)


def _number_display(wrapper: html.HtmlElement, tex: str, counter: list[int],
                    labels: dict[str, str], ids: dict[str, str]) -> None:
    mode = "none"
    for option in (wrapper.get("data-math") or "").split():
        if option.startswith("tags="):
            mode = option.removeprefix("tags=")
    rows: list[_Row] = []
    for row_tex, automatic in _rows(tex, mode):
        row = _Row(labels=[m.group("name") for m in _LABEL.finditer(row_tex)])
        if (tag := _TAG.search(row_tex)) is not None:
            text = tag.group("text").strip()
            row.number = text if tag.group("star") else f"({text})"
        elif automatic and not _NO_NUMBER.search(row_tex):
            counter[0] += 1
            row.number = f"({counter[0]})"
        rows.append(row)
    if not any(row.number for row in rows):
        return
    numbers = wrapper.makeelement("span", {"class": "math-tags"})
    for row in rows:
        tag = wrapper.makeelement("span", {"class": "math-tag"})
        tag.text = row.number
        for label in row.labels:
            if row.number and label not in labels and tag.get("id") is None:
                ident = anchor(label)
                while ident in ids.values():  # eqn:a and eqn-a: both eq-eqn-a
                    ident += "x"
                labels[label] = row.number
                ids[label] = ident
                tag.set("id", ident)
        numbers.append(tag)
    wrapper.append(numbers)
    wrapper.set("class", (wrapper.get("class") or "") + " math-numbered")


def _ref_text(kind: str, number: str) -> str:
    bare = number.strip("()") if number.startswith("(") else number
    return f"({bare})" if kind == "eqref" else bare


@transform("math_numbers", priority=72)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Expand KaTeX macros, number display formulas, turn ``\\ref``/``\\eqref`` into links."""
    formulas = [element for element in root.iter("span", "div")
                if element.get("data-tex") is not None
                and {"math-inline", "math-display"} & set((element.get("class") or "").split())]
    if not formulas:
        return
    counter = [0]
    labels: dict[str, str] = {}  # label → its number
    ids: dict[str, str] = {}  # label → the id of its number
    for element in formulas:
        tex = expand(element.get("data-tex") or "")
        if "math-display" in (element.get("class") or "").split():
            _number_display(element, tex, counter, labels, ids)
        element.set("data-tex", strip_numbering(tex).strip() or tex)
        element.attrib.pop("data-math", None)
    for element in formulas:
        tex = element.get("data-tex") or ""
        if "ref" not in tex:
            continue
        only = _ONLY_REF.match(tex)
        if only is not None and "math-inline" in (element.get("class") or ""):
            name = only.group("name")
            number = labels.get(name)
            if number is None:
                ctx.warn(f"math: \\{only.group('kind')}{{{name}}}: no equation has "
                         f"\\label{{{name}}}; shown as (?)")
                link = html.Element("span", {"class": "math-ref"})
                link.text = "(?)"
            else:
                link = html.Element("a", {"class": "math-ref", "href": "#" + ids[name]})
                link.text = _ref_text(only.group("kind"), number)
            link.tail = element.tail
            element.getparent().replace(element, link)
            continue

        def text(match: re.Match[str]) -> str:
            number = labels.get(match.group("name"))
            if number is None:
                ctx.warn(f"math: \\{match.group('kind')}{{{match.group('name')}}}: no equation "
                         f"has that label; shown as (?)")
                return "\\text{(?)}"
            return "\\text{" + _ref_text(match.group("kind"), number) + "}"

        element.set("data-tex", _REF.sub(text, tex))
