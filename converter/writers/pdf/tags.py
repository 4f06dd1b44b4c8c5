"""Tagged PDF (PDF/UA-1): how WeasyPrint is asked for it, what is fixed after it, and the
structure checks.

* WeasyPrint is asked for tags by :func:`converter.press.variant.weasyprint_options`, the one
  place that chooses ``pdf_variant`` / ``pdf_tags`` for tagging and the print standards
  together (its module doc has the combination rules). WeasyPrint 70's ``pdf/ua-1`` variant
  and ``pdf_tags=True`` build the same structure tree; the variant adds the XMP packet with
  ``pdfuaid:part`` and ``dc:title`` that PDF/UA requires, so it is the one used when no print
  standard is.
* :func:`fix_structure` (pikepdf, after WeasyPrint wrote the file) does what WeasyPrint 70
  does not: images without alt text (decoration, and images nobody described: ``alt=""``
  means the same to a screen reader in the EPUB) become artifacts instead of ``/Figure``
  elements without ``/Alt``; header cells get ``/Scope``; link annotations get
  ``/Contents``.
* :func:`check_structure` lists what a PDF/UA reader needs and a file lacks (StructTreeRoot,
  MarkInfo/Marked, /Lang, DisplayDocTitle, dc:title and pdfuaid in XMP, every Figure with /Alt
  or made an artifact, no empty headings, every element on a page of the document).
* :func:`merge_structure` gives a book merged from tagged chapters (:mod:`.book`,
  :mod:`.merge`) one structure tree in reading order; the frame drawn under each chapter page (running heads,
  folios, backgrounds) and blank pages are artifacts.

Formulas reach WeasyPrint as images whose alt text is their TeX (:mod:`converter.writers.math_svg`); table
header cells as ``th`` with ``scope`` (:mod:`converter.transforms.semantics`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class _DescribedElsewhere(logging.Filter):
    """Drops WeasyPrint's error for each image without alt text: the post's warning already
    counts them (:mod:`converter.transforms.alt_text`), and :func:`fix_structure` makes them
    artifacts."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "has no required alt description" not in str(record.msg)


@contextlib.contextmanager
def quiet_alt_errors() -> Iterator[None]:
    """While tagging: no WeasyPrint error per image without alt text."""
    logger = logging.getLogger("weasyprint")
    drop = _DescribedElsewhere()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


def _kids(element: Any) -> list[Any]:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _walk(element: Any) -> Any:
    """Struct elements below ``element`` (depth first, document order)."""
    import pikepdf

    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _walk(kid)


def fix_structure(path: Path) -> int:
    """Make the tagged PDF at ``path`` closer to PDF/UA (see the module doc), in place.
    Returns the number of figures turned into artifacts."""
    import pikepdf
    from pikepdf import Array, Name, Operator, String

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        root = pdf.Root
        tree = root.get("/StructTreeRoot")
        if tree is None:
            return 0
        pages: dict[Any, Any] = {page.objgen: page for page in pdf.pages}
        unnamed: dict[tuple[int, int], set[int]] = {}  # page → MCIDs of figures without alt
        for element in list(_walk(tree)):
            if element.S != Name.Figure or "/Alt" in element or "/ActualText" in element:
                continue
            page = element.get("/Pg")
            mcids = {int(k) for k in _kids(element) if isinstance(k, int)}
            if page is None or not mcids or any(not isinstance(k, int) for k in _kids(element)):
                continue
            unnamed.setdefault(page.objgen, set()).update(mcids)
            parent = element.get("/P")
            if parent is not None and isinstance(parent.get("/K"), pikepdf.Array):
                parent.K = Array([k for k in parent.K if not (
                    isinstance(k, pikepdf.Dictionary) and k.objgen == element.objgen)])
        count = 0
        nums = tree.ParentTree.get("/Nums") if "/ParentTree" in tree else None
        for objgen, mcids in unnamed.items():
            page = pages.get(objgen)
            if page is None:
                continue
            instructions: list[Any] = []
            for operands, operator in pikepdf.parse_content_stream(page):  # type: ignore[misc]
                if (str(operator) == "BDC" and len(operands) == 2 and operands[0] == Name.Figure
                        and isinstance(operands[1], pikepdf.Dictionary)
                        and int(operands[1].get("/MCID", -1)) in mcids):
                    instructions.append(([Name.Artifact], Operator("BMC")))
                    count += 1
                    continue
                instructions.append((operands, operator))
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            key = page.get("/StructParents")
            if nums is not None and key is not None:
                for index in range(0, len(nums), 2):
                    if int(nums[index]) == int(key):
                        refs = nums[index + 1]
                        for mcid in mcids:
                            if mcid < len(refs):
                                refs[mcid] = pikepdf.Object.parse(b"null")
        _scope_headers(tree)
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                if annotation.get("/Subtype") == Name.Link and "/Contents" not in annotation:
                    action = annotation.get("/A")
                    uri = action.get("/URI") if action is not None else None
                    annotation.Contents = String(str(uri) if uri is not None else "link")
        pdf.save(path)
    return count


def _scope_headers(tree: Any) -> None:
    """``/Scope`` on header cells, as the HTML's ``scope`` says (WeasyPrint 70 leaves it
    out): ``/Column`` in a header row (``THead``, or a row of only headers), else ``/Row``."""
    import pikepdf
    from pikepdf import Dictionary, Name

    for row in _walk(tree):
        if row.S != Name.TR:
            continue
        cells = [k for k in _kids(row) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        parent = row.get("/P")
        header_row = (parent is not None and parent.get("/S") == Name.THead) or all(
            cell.S == Name.TH for cell in cells)
        for cell in cells:
            if cell.S != Name.TH:
                continue
            attributes = cell.get("/A")
            if not isinstance(attributes, pikepdf.Dictionary):
                attributes = cell.A = Dictionary(O=Name.Table)
            if "/Scope" not in attributes:
                attributes.Scope = Name.Column if header_row else Name.Row


def check_structure(path: Path) -> list[str]:
    """What the PDF at ``path`` lacks for PDF/UA readers (empty: nothing found)."""
    import pikepdf
    from pikepdf import Name

    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        tree = root.get("/StructTreeRoot")
        if tree is None:
            return ["no StructTreeRoot (untagged)"]
        mark = root.get("/MarkInfo")
        if mark is None or not bool(mark.get("/Marked", False)):
            problems.append("MarkInfo/Marked is not true")
        if not str(root.get("/Lang", "")):
            problems.append("no /Lang")
        preferences = root.get("/ViewerPreferences")
        if preferences is None or not bool(preferences.get("/DisplayDocTitle", False)):
            problems.append("DisplayDocTitle is not true")
        with pdf.open_metadata() as meta:
            if not meta.get("dc:title"):
                problems.append("no dc:title in the XMP metadata")
            if str(meta.get("pdfuaid:part", "")) != "1":
                problems.append("no pdfuaid:part 1 in the XMP metadata")
        pages = {page.objgen for page in pdf.pages}
        for element in _walk(tree):
            page = element.get("/Pg")
            if page is not None and page.objgen not in pages:
                problems.append(f"a {element.S} element on a page the document does not have")
            if element.S == Name.Figure and "/Alt" not in element and "/ActualText" not in element:
                problems.append(f"a Figure without /Alt (page object {element.get('/Pg', '?')})")
            if str(element.S) in {"/H1", "/H2", "/H3", "/H4", "/H5", "/H6"} and not _kids(element):
                problems.append(f"an empty {element.S}")
    return problems


def merge_structure(book: Any, placed: list[tuple[Any, int, int]], untagged: list[int],
                    metadata_from: Any) -> None:
    """Give a book merged from tagged documents (:mod:`.merge`) one structure tree.

    ``placed`` lists, in reading order, the tagged source pages: (source PDF, its page index,
    the book's page index); the sources' structure elements (their ``/Document``'s children)
    are copied in that order under one ``/Document``, and their parent-tree entries renumbered.
    The pages in ``untagged`` (blank pages of the frame) become artifacts. The catalog gets
    MarkInfo, DisplayDocTitle and the XMP packet (``pdfuaid``, ``dc:title``) of
    ``metadata_from``.
    """
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    def copy(value: Any) -> Any:
        if isinstance(value, pikepdf.Array) and not value.is_indirect:
            return Array([copy(item) for item in value])
        if getattr(value, "is_indirect", False):
            return book.copy_foreign(value)
        return value

    tree = book.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=tree,
                                             K=Array()))
    tree.K = Array([document])
    nums = Array()
    next_key = 0
    done: set[int] = set()
    for source, _, _ in placed:
        if id(source) in done:
            continue
        done.add(id(source))
        source_tree = source.Root.get("/StructTreeRoot")
        if source_tree is None:
            continue
        for top in _kids(source_tree):
            for kid in _kids(top):
                if isinstance(kid, pikepdf.Dictionary):
                    copied = book.copy_foreign(kid)
                    copied.P = document
                    document.K.append(copied)
    by_source: dict[int, dict[int, Any]] = {}
    for source, source_index, book_index in placed:
        source_tree = source.Root.get("/StructTreeRoot")
        if source_tree is None or "/ParentTree" not in source_tree:
            continue
        entries = by_source.get(id(source))
        if entries is None:
            flat = source_tree.ParentTree.get("/Nums", Array())
            entries = by_source[id(source)] = {int(flat[i]): flat[i + 1]
                                               for i in range(0, len(flat), 2)}
        page = book.pages[book_index]
        key = source.pages[source_index].get("/StructParents")
        if key is not None and int(key) in entries:
            nums.append(next_key)
            nums.append(copy(entries[int(key)]))
            page.obj.StructParents = next_key
            next_key += 1
        for annotation in page.obj.get("/Annots", []):
            old = annotation.get("/StructParent")
            if old is not None and int(old) in entries:
                nums.append(next_key)
                nums.append(copy(entries[int(old)]))
                annotation.StructParent = next_key
                next_key += 1
    tree.ParentTree = book.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = next_key
    for index in untagged:
        page = book.pages[index]
        page.contents_add(book.make_stream(b"/Artifact BMC\n"), prepend=True)
        page.contents_add(book.make_stream(b"\nEMC\n"))
    book.Root.StructTreeRoot = tree
    book.Root.MarkInfo = Dictionary(Marked=True)
    book.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    if "/Metadata" in metadata_from.Root:
        book.Root.Metadata = book.copy_foreign(metadata_from.Root.Metadata)
