"""Semantic markup both formats benefit from: notices as notes, table header scopes.

* minimal-mistakes notices (``div.notice``) become ``<aside class="notice…" role="note">``:
  assistive technology announces them as an aside to the text around them; themes style them
  by class, so they look the same.
* Table header cells get ``scope``: ``col`` in a header row (``thead``, or a first row of
  only ``th``), ``row`` for a ``th`` opening a body row. A PDF's table tags and a screen
  reader's table navigation read the headers from it.

Runs late (after notices and tables exist). Knows nothing about PDF or EPUB.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform


def mark_notices(root: html.HtmlElement) -> None:
    """``div.notice*`` → ``aside role="note"`` (same classes, same content)."""
    for box in list(root.iter("div")):
        classes = (box.get("class") or "").split()
        if any(cls == "notice" or cls.startswith("notice--") for cls in classes):
            box.tag = "aside"
            box.set("role", "note")


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
    """Notices become notes; header cells get their scope."""
    mark_notices(root)
    scope_headers(root)
