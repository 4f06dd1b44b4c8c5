"""The preflight report of a print-ready PDF: what a printer checks before accepting a file.

Reads the finished PDF (pikepdf) and reports: page count and page boxes (the trim and bleed of
every page, and whether they agree), fonts (each embedded, each subset), every image's
effective resolution at the size it is placed (warning below ``min_dpi``, naming the post and
the image file), colour (DeviceRGB not covered by an ICC default where the standard forbids
it; anything not gray in a gray interior), and the standard's identification (output intent,
XMP). Findings that make a file unprintable are ``errors``; the rest are ``warnings``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .gray import colour_uses

if TYPE_CHECKING:
    from ..book import Book
    from ..images import PreparedImage
    from .trim import PrintPlan

MM_PER_PT = 25.4 / 72


#: ``"WxH"`` pixel size → (chapter title, "post: image file") of the images that size.
Sources = dict[str, list[tuple[str, str]]]


def image_sources(book: Book, images: dict[str, PreparedImage]) -> Sources:
    """The prepared images by pixel size, with the chapter and post they are in: how the report
    names an image of the PDF, which keeps no file names (images of one size are told apart by
    the chapter whose pages they are on)."""
    from ..markup import ASSET_ATTRIBUTE

    found: Sources = {}
    for chapter in book.chapters:
        post = chapter.source.name if chapter.source is not None else chapter.title
        for img in chapter.body.iter("img"):
            prepared = images.get(img.get(ASSET_ATTRIBUTE) or "")
            if prepared is None or prepared.media_type == "image/svg+xml":
                continue
            entry = (chapter.title, f"{post}: {prepared.source.name}")
            names = found.setdefault(f"{prepared.width}x{prepared.height}", [])
            if entry not in names:
                names.append(entry)
    return found


def _chapter_of_pages(pdf: Any) -> list[str]:
    """The title of the top-level outline entry each page falls under ("" before the first)."""
    starts: list[tuple[int, str]] = []
    index_of = {page.objgen: i for i, page in enumerate(pdf.pages)}
    try:
        with pdf.open_outline() as outline:
            for item in outline.root:
                destination = item.destination
                if destination is not None and len(destination) and \
                        destination[0].objgen in index_of:
                    starts.append((index_of[destination[0].objgen], item.title))
    except Exception:  # noqa: BLE001 - an outline pikepdf cannot read: no chapter names, still a report
        return [""] * len(pdf.pages)
    starts.sort()
    titles = []
    current = ""
    pending = list(starts)
    for index in range(len(pdf.pages)):
        while pending and pending[0][0] <= index:
            current = pending.pop(0)[1]
        titles.append(current)
    return titles


def _one_name_each(entries: list[dict[str, Any]]) -> None:
    """Images of one size in one chapter, as many as its files of that size: the n-th drawn
    is the n-th in the post (``entries`` are in the order they are first drawn)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in entries:
        if len(entry["source"]) > 1:
            groups.setdefault((entry["pixels"], entry["chapter"]), []).append(entry)
    for group in groups.values():
        names = group[0]["source"]
        if len(group) == len(names):
            for entry, name in zip(group, names):
                entry["source"] = [name]


def _name(candidates: list[tuple[str, str]], chapter: str) -> list[str]:
    """The candidates in ``chapter`` (all of them if none is, or none is known)."""
    chosen = [name for title, name in candidates if title == chapter]
    return chosen or [name for _, name in candidates]


def _mm(box: Any) -> tuple[float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return round((x2 - x1) * MM_PER_PT, 2), round((y2 - y1) * MM_PER_PT, 2)


def _inside(inner: Any, outer: Any, tolerance: float = 0.01) -> bool:
    a = [float(v) for v in inner]
    b = [float(v) for v in outer]
    return (a[0] >= b[0] - tolerance and a[1] >= b[1] - tolerance
            and a[2] <= b[2] + tolerance and a[3] <= b[3] + tolerance)


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """m × n for PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return [a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u]


def placed_images(pdf: Any) -> Iterator[tuple[int, Any, float, float]]:
    """(page index, image, placed width, placed height in points) for every image drawn."""
    import pikepdf

    def walk(owner: Any, resources: Any, ctm: list[float], page: int,
             depth: int) -> Iterator[tuple[int, Any, float, float]]:
        xobjects = (resources or {}).get("/XObject") or {}
        stack: list[list[float]] = []
        current = ctm
        for instruction in pikepdf.parse_content_stream(owner):
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append(current)
            elif op == "Q":
                current = stack.pop() if stack else ctm
            elif op == "cm" and len(operands) == 6:
                current = _multiply([float(v) for v in operands], current)
            elif op == "Do" and operands:
                obj = xobjects.get(str(operands[0]))
                if obj is None:
                    continue
                if obj.get("/Subtype") == "/Image":
                    a, b, c, d = current[:4]
                    yield page, obj, math.hypot(a, b), math.hypot(c, d)
                elif obj.get("/Subtype") == "/Form" and depth < 12:
                    matrix = [float(v) for v in obj.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                    yield from walk(obj, obj.get("/Resources"), _multiply(matrix, current),
                                    page, depth + 1)

    for index, page in enumerate(pdf.pages):
        yield from walk(page, page.obj.get("/Resources"), [1, 0, 0, 1, 0, 0], index, 0)


def _fonts(pdf: Any) -> Iterator[tuple[str, Any]]:
    from .gray import streams

    seen: set[tuple[int, int]] = set()
    for _, resources in streams(pdf):
        for font in ((resources or {}).get("/Font") or {}).values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            yield str(font.get("/BaseFont", "")), font


def preflight(path: Path, plan: PrintPlan, *, sources: Sources,
              cover: bool = False) -> dict[str, Any]:
    """The report of the PDF at ``path`` (see the module doc)."""
    import pikepdf

    errors: list[str] = []
    warnings: list[str] = []
    with pikepdf.open(path) as pdf:
        # Pages and boxes.
        trims: set[tuple[float, float]] = set()
        medias: set[tuple[float, float]] = set()
        bleeds: set[tuple[float, float]] = set()
        for index, page in enumerate(pdf.pages):
            obj = page.obj
            if "/TrimBox" not in obj or "/BleedBox" not in obj:
                errors.append(f"page {index + 1}: no TrimBox or BleedBox")
                continue
            if not (_inside(obj.TrimBox, obj.BleedBox) and _inside(obj.BleedBox, obj.MediaBox)):
                errors.append(f"page {index + 1}: boxes not nested (Trim ⊆ Bleed ⊆ Media)")
            trims.add(_mm(obj.TrimBox))
            medias.add(_mm(obj.MediaBox))
            bleeds.add(_mm(obj.BleedBox))
        if len(trims) > 1 or len(medias) > 1:
            errors.append(f"pages of different sizes: trim {sorted(trims)}, media {sorted(medias)}")
        trim = next(iter(trims)) if len(trims) == 1 else None
        if trim and plan.trim and not cover and (abs(trim[0] - plan.trim[0]) > 0.1
                                                  or abs(trim[1] - plan.trim[1]) > 0.1):
            errors.append(f"trim {trim[0]}×{trim[1]} mm is not the {plan.trim[0]:g}×"
                          f"{plan.trim[1]:g} mm asked for")

        # Fonts.
        fonts: list[dict[str, Any]] = []
        named: dict[str, dict[str, Any]] = {}
        for name, font in _fonts(pdf):
            if name in named:  # one subset, referenced from several resource dictionaries
                named[name]["uses"] += 1
                continue
            subtype = str(font.get("/Subtype", ""))
            if subtype == "/Type3":
                named[name] = {"name": name, "embedded": True, "subset": True, "type": "Type3",
                               "uses": 1}
                fonts.append(named[name])
                continue
            descriptor = (font.DescendantFonts[0].get("/FontDescriptor")
                          if subtype == "/Type0" else font.get("/FontDescriptor"))
            embedded = descriptor is not None and any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            base = name.lstrip("/")
            subset = len(base) > 7 and base[6] == "+" and base[:6].isupper()
            named[name] = {"name": base, "embedded": embedded, "subset": subset,
                           "type": subtype.lstrip("/"), "uses": 1}
            fonts.append(named[name])
            if not embedded:
                errors.append(f"font {base} is not embedded")
            elif not subset:
                warnings.append(f"font {base} is embedded whole, not subset")

        # Images at their placed size.
        chapters = _chapter_of_pages(pdf) if sources else []
        by_image: dict[tuple[int, int], dict[str, Any]] = {}
        for page_index, image, width_pt, height_pt in placed_images(pdf):
            if width_pt <= 0 or height_pt <= 0:
                continue
            px_w, px_h = int(image.get("/Width", 0)), int(image.get("/Height", 0))
            dpi = min(px_w / (width_pt / 72), px_h / (height_pt / 72))
            entry = by_image.setdefault(image.objgen, {
                "pixels": f"{px_w}x{px_h}", "dpi": dpi, "pages": [],
                "colour_space": str(image.get("/ColorSpace", "")) if not isinstance(
                    image.get("/ColorSpace"), pikepdf.Array) else str(image.ColorSpace[0]),
                "chapter": chapters[page_index] if chapters else "",
                "source": _name(sources.get(f"{px_w}x{px_h}", []),
                                 chapters[page_index] if chapters else "")})
            entry["dpi"] = min(entry["dpi"], dpi)
            if page_index + 1 not in entry["pages"]:
                entry["pages"].append(page_index + 1)
        _one_name_each(list(by_image.values()))
        images = sorted(by_image.values(), key=lambda e: e["dpi"])
        for entry in images:
            entry["dpi"] = round(entry["dpi"])
        low = [e for e in images if e["dpi"] < plan.min_dpi]
        for entry in low:
            what = "; ".join(entry["source"]) or f"an image of {entry['pixels']} px"
            warnings.append(f"{what}: {entry['dpi']} dpi at its printed size (page "
                            f"{entry['pages'][0]}), below {plan.min_dpi} dpi")

        # Colour.
        standard = plan.standard
        intents = [{"S": str(i.get("/S")), "identifier": str(i.get("/OutputConditionIdentifier", ""))}
                   for i in pdf.Root.get("/OutputIntents") or []]
        non_gray = colour_uses(pdf)
        colour: dict[str, Any] = {"output_intents": intents, "non_gray": len(non_gray)}
        if plan.gray and not cover and non_gray:
            errors.append(f"gray interior has {len(non_gray)} colour uses, e.g. {non_gray[0]}")
        if standard == "pdf/x-4":
            if not any(i["S"] == "/GTS_PDFX" for i in intents):
                errors.append("PDF/X-4 without a GTS_PDFX output intent")
            uncovered = _device_rgb_without_default(pdf)
            colour["device_rgb_without_default"] = uncovered
            if uncovered:
                errors.append(f"DeviceRGB used in {uncovered} resource dictionaries without an "
                              "ICC DefaultRGB (PDF/X-4 with a CMYK output intent forbids it)")
        meta = pdf.open_metadata()
        identification = {"pdfx": meta.get("pdfxid:GTS_PDFXVersion", ""),
                          "pdfa": (meta.get("pdfaid:part", "") + meta.get("pdfaid:conformance", "")),
                          "version": str(pdf.pdf_version),
                          "trapped": str(pdf.docinfo.get("/Trapped", ""))}
        if standard == "pdf/x-4" and identification["pdfx"] != "PDF/X-4":
            errors.append("no PDF/X-4 identification in the XMP metadata")
        page_count = len(pdf.pages)
    return {
        "file": str(path),
        "standard": standard,
        "identification": identification,
        "pages": page_count,
        "boxes_mm": {"media": sorted(medias), "trim": sorted(trims), "bleed": sorted(bleeds)},
        "fonts": fonts,
        "images": images,
        "low_resolution": [{"dpi": e["dpi"], "pixels": e["pixels"], "page": e["pages"][0],
                            "source": e["source"]} for e in low],
        "colour": colour,
        "errors": errors,
        "warnings": warnings,
    }


def _device_rgb_without_default(pdf: Any) -> int:
    """Resource dictionaries whose content may paint DeviceRGB with no /DefaultRGB."""
    from .gray import streams

    count = 0
    for _, resources in streams(pdf):
        if resources is None:
            continue
        spaces = resources.get("/ColorSpace") or {}
        if "/DefaultRGB" in spaces:
            continue
        uses_rgb = any(str(image.get("/ColorSpace", "")) == "/DeviceRGB"
                       for image in (resources.get("/XObject") or {}).values()
                       if image.get("/Subtype") == "/Image")
        count += uses_rgb
    return count


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The report in a few lines for people (the CLI prints them)."""
    boxes = report["boxes_mm"]
    media = " ".join(f"{w:g}×{h:g}" for w, h in boxes["media"])
    trim = " ".join(f"{w:g}×{h:g}" for w, h in boxes["trim"])
    fonts = report["fonts"]
    embedded = sum(f["embedded"] for f in fonts)
    subset = sum(f["subset"] for f in fonts)
    lines = [f"preflight {Path(report['file']).name}: {report['standard']}, "
             f"{report['pages']} pages, MediaBox {media} mm, TrimBox {trim} mm; fonts "
             f"{embedded}/{len(fonts)} embedded, {subset}/{len(fonts)} subset; "
             f"{len(report['images'])} images, {len(report['low_resolution'])} below "
             f"the minimum dpi"]
    cover = report.get("cover")
    if cover:
        lines.append(f"cover {Path(cover['path']).name}: {cover['width_mm']:g}×"
                     f"{cover['height_mm']:g} mm with bleed, spine {cover['spine_mm']:g} mm "
                     f"({cover['pages']} pages × {cover['caliper_mm']:g} mm per leaf)")
    for message in report["errors"]:
        lines.append(f"  error: {message}")
    for message in report["warnings"]:
        lines.append(f"  warning: {message}")
    for message in (cover or {}).get("preflight", {}).get("errors", []):
        lines.append(f"  cover error: {message}")
    return lines
