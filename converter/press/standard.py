"""PDF/X-4 and PDF/A identification of a finished PDF: output intent, XMP, document info.

PDF/X-4 (ISO 15930-7) gets the bundled FOGRA39 CMYK profile as its output intent
(``icc/ISOcoated_v2_300_bas.icc``, zlib licence), ``/DefaultRGB`` set to sRGB in every
resource dictionary (so that WeasyPrint's DeviceRGB colours and images are device-independent
colour, which PDF/X-4 accepts), ``/Trapped /False``, the XMP keys the standard asks for
(``pdfxid:GTS_PDFXVersion``, document and version ids, rendition class), no image
interpolation and no link annotations (PDF/X allows none inside the bleed box; a printed
book has no use for them).
PDF/A-2b and 3b are done by ``pikepdf.pdfa`` (sRGB output intent, XMP rewritten, annotation
flags), which also validates the bytes it writes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..errors import OutputError

#: The bundled output profile of PDF/X-4 files and how the output intent names it.
FOGRA39 = Path(str(files(__package__) / "icc" / "ISOcoated_v2_300_bas.icc"))
FOGRA39_ID = "FOGRA39"
FOGRA39_INFO = "ISO Coated v2 300% (basICColor), Coated FOGRA39 (ISO 12647-2:2004)"
PDFX_VERSION = "PDF/X-4"


def _srgb_profile() -> bytes:
    """sRGB IEC61966-2.1, shipped by WeasyPrint (ICC's freely distributable sRGB2014)."""
    import weasyprint.pdf

    return (files(weasyprint.pdf) / "sRGB2014.icc").read_bytes()


def make_pdfx4(pdf: Any, *, title: str, author: str, profile: Path | None = None) -> None:
    """Identify ``pdf`` as PDF/X-4 in place (see the module doc)."""
    from pikepdf import Array, Dictionary, Name, String

    path = profile or FOGRA39
    try:
        icc = path.read_bytes()
    except OSError as exc:
        raise OutputError(f"cannot read the output profile: {exc.strerror}", path=path) from None
    if icc[16:20] != b"CMYK" and profile is not None:
        raise OutputError("the PDF/X-4 output profile must be a CMYK profile", path=path)
    dest = pdf.make_stream(icc)
    dest.N = 4
    pdf.Root.OutputIntents = Array([pdf.make_indirect(Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX,
        OutputConditionIdentifier=String(FOGRA39_ID if profile is None else path.stem),
        RegistryName=String("http://www.color.org"),
        Info=String(FOGRA39_INFO if profile is None else path.name),
        DestOutputProfile=dest))])
    srgb = pdf.make_stream(_srgb_profile())
    srgb.N = 3
    default_rgb = pdf.make_indirect(Array([Name.ICCBased, srgb]))
    for resources in _all_resources(pdf):
        spaces = resources.get("/ColorSpace")
        if spaces is None:
            resources.ColorSpace = Dictionary(DefaultRGB=default_rgb)
        elif "/DefaultRGB" not in spaces:
            spaces.DefaultRGB = default_rgb
    from .gray import images

    for image in images(pdf):
        for obj in (image, image.get("/SMask")):
            if obj is not None and "/Interpolate" in obj:  # PDF/X: no image interpolation
                del obj["/Interpolate"]
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if annotations is not None:
            kept = Array([a for a in annotations if a.get("/Subtype") in
                          (Name.TrapNet, Name.PrinterMark)])
            if len(kept):
                page.obj.Annots = kept
            else:
                del page.obj["/Annots"]
        group = page.obj.get("/Group")
        if group is not None and "/CS" in group:
            del group["/CS"]  # blend in the output intent's space
    now = dt.datetime.now(dt.UTC).astimezone().replace(microsecond=0)
    pdf.docinfo[Name.Trapped] = Name("/False")
    pdf.docinfo[Name.GTS_PDFXVersion] = String(PDFX_VERSION)
    pdf.docinfo[Name.Title] = String(title)
    if author:
        pdf.docinfo[Name.Author] = String(author)
    stamp = "D:" + now.strftime("%Y%m%d%H%M%S") + _tz(now)
    if Name.CreationDate not in pdf.docinfo:
        pdf.docinfo[Name.CreationDate] = String(stamp)
    pdf.docinfo[Name.ModDate] = String(stamp)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = title
        if author:
            meta["dc:creator"] = [author]
        meta["pdf:Trapped"] = "False"
        meta["pdf:Producer"] = str(pdf.docinfo.get("/Producer", "hanji"))
        meta["xmp:CreatorTool"] = "hanji"
        meta["xmp:CreateDate"] = now.isoformat()
        meta["xmp:ModifyDate"] = now.isoformat()
        meta["xmp:MetadataDate"] = now.isoformat()
        meta["xmpMM:DocumentID"] = f"uuid:{uuid.uuid4()}"
        meta["xmpMM:VersionID"] = "1"
        meta["xmpMM:RenditionClass"] = "default"
        meta["pdfxid:GTS_PDFXVersion"] = PDFX_VERSION


def _tz(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _all_resources(pdf: Any) -> list[Any]:
    from .gray import streams

    found: dict[tuple[int, int], Any] = {}
    loose = []
    for _, resources in streams(pdf):
        if resources is None:
            continue
        if resources.objgen == (0, 0):
            loose.append(resources)
        else:
            found.setdefault(resources.objgen, resources)
    return [*found.values(), *loose]


def make_pdfa(pdf: Any) -> None:
    """Prepare ``pdf`` for PDF/A (2b, 3b) in place; :func:`save_pdfa` does the rest."""
    for page in pdf.pages:
        group = page.obj.get("/Group")
        if group is not None and "/CS" in group:
            del group["/CS"]  # blend in the output intent's space


def save_pdfa(pdf: Any, target: Path, flavour: str) -> list[str]:
    """Save with pikepdf.pdfa (validating the bytes written); its findings, empty if the file
    passed."""
    from pikepdf import pdfa

    try:
        pdfa.save(pdf, target, flavour, output_intent="sRGB")
        return []
    except pdfa.PdfaError as exc:
        pdf.save(target, **exc.report.save_kwargs)
        return [f"{f.rule} ({f.where}): {f.message}" for f in exc.report.findings] or [str(exc)]
