"""Semantic markup both formats benefit from: table header scopes.

* Table header cells get ``scope``: ``col`` in a header row (``thead``, or a first row of
  only ``th``), ``row`` for a ``th`` opening a body row. A PDF's table tags and a screen
  reader's table navigation read the headers from it.

Runs late (after tables exist). Knows nothing about PDF or EPUB (the EPUB writer adds its own
roles, notices as notes among them: :mod:`converter.writers.accessibility`).
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform


def scope_headers(root: html.HtmlElement) -> None:
    """Give every ``th`` without one a ``scope`` (``col`` or ``row``)."""
    for table in root.iter("table"):
        rows = [tr for tr in table.iter("tr") if _table_of(tr) is table]
        for index, tr in enumerate(rows):
            cells = [cell for cell in tr if cell.tag in {"td", "th"}]
            in_head = tr.getparent() is not None and tr.getparent().tag == "thead"
            all_headers = bool(cells) and all(cell.tag == "th" for cell in cells)
            for position, cell in enumerate(cells):
                if cell.tag != "th" or cell.get("scope"):
                    continue
                if in_head or (index == 0 and all_headers):
                    cell.set("scope", "col")
                elif position == 0:
                    cell.set("scope", "row")
                else:
                    cell.set("scope", "col")


def _table_of(element: html.HtmlElement) -> html.HtmlElement | None:
    for ancestor in element.iterancestors():
        if ancestor.tag == "table":
            return ancestor
    return None


@transform("semantics", priority=20)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Header cells get their scope."""
    scope_headers(root)
