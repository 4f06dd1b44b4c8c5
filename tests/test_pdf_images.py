"""PNGs go into the PDF as the image stage wrote them (no decode and re-encode in WeasyPrint)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pypdf
import pytest
from conftest import SiteBuilder
from PIL import Image, ImageDraw, PngImagePlugin

from converter import api
from converter.options import Options
from converter.writers.patches.pdf_images import png_idat


def _chart(size: tuple[int, int] = (640, 400)) -> Image.Image:
    """A screenshot-like graphic with more than 256 colours (stays a PNG, true colour)."""
    image = Image.new("RGB", size, (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 3):
        draw.line([(x, 0), (x, size[1] // 2)], fill=(x % 256, (x * 3) % 256, 180))
    draw.rectangle([40, 240, 600, 380], outline=(20, 20, 20), width=4)
    draw.text((60, 260), "hanji chart", fill=(0, 0, 0))
    return image


def _png(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def _with_chunk(png: bytes, kind: bytes, body: bytes) -> bytes:
    """``png`` with one more chunk right after its header (IHDR ends at byte 33)."""
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return png[:33] + chunk + png[33:]


def _interlaced(png: bytes) -> bytes:
    """``png`` claiming Adam7 interlacing (Pillow cannot write it): the IHDR's last byte."""
    header = png[16:29]
    header = header[:12] + b"\x01"
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return png[:16] + header + crc + png[33:]


def test_idat_of_plain_png_is_its_deflated_scanlines() -> None:
    image = _chart((120, 80))
    data = png_idat(_png(image))
    assert data is not None
    assert len(zlib.decompress(data)) == 80 * (1 + 120 * 3)  # a filter byte per row
    grey = png_idat(_png(image.convert("L")))
    assert grey is not None and len(zlib.decompress(grey)) == 80 * (1 + 120)


@pytest.mark.parametrize("variant", ["palette", "alpha", "interlaced", "sixteen", "truncated",
                                     "transparent-key", "not-png"])
def test_other_pngs_are_left_to_weasyprint(variant: str) -> None:
    image = _chart((60, 40))
    data = {
        "palette": lambda: _png(image.convert("P")),
        "alpha": lambda: _png(image.convert("RGBA")),
        "interlaced": lambda: _interlaced(_png(image)),
        "sixteen": lambda: _png(image.convert("I;16")),
        "truncated": lambda: _png(image)[:200],
        "transparent-key": lambda: _with_chunk(_png(image), b"tRNS", bytes(6)),
        "not-png": lambda: b"GIF89a" + bytes(40),
    }[variant]()
    assert png_idat(data) is None


def test_pdf_embeds_prepared_pngs_without_re_encoding(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = SiteBuilder(tmp_path / "site")
    (site.root / "assets").mkdir(parents=True, exist_ok=True)
    _chart().save(site.root / "assets" / "chart.png")
    post = site.post("2024-01-01-chart.md", body="그림 한 장.\n\n![차트](/assets/chart.png)\n")
    encoded: list[str] = []
    real_save = PngImagePlugin._save

    def counting_save(im: Image.Image, fp: object, filename: object, *args: object) -> None:
        encoded.append(im.mode)
        real_save(im, fp, filename, *args)

    from converter.writers.pdf import document as pdf_writer

    real_render = pdf_writer.render_pdf

    def render(*job: object) -> object:  # count only what WeasyPrint encodes
        monkeypatch.setattr(PngImagePlugin, "_save", counting_save)
        Image.SAVE["PNG"] = counting_save
        try:
            return real_render(*job)
        finally:
            Image.SAVE["PNG"] = real_save

    monkeypatch.setattr(pdf_writer, "render_pdf", render)
    result = api.convert(post, output_dir=tmp_path / "out",
                         options=Options(formats=("pdf",), jobs=1, cache_dir=tmp_path / "cache"))
    assert encoded == []
    images = {image.name: image for page in pypdf.PdfReader(result.outputs["pdf"].path).pages
              for image in page.images}
    assert len(images) == 1
    embedded = next(iter(images.values())).image
    assert embedded.mode == "RGB" and embedded.size == (640, 400)
    assert embedded.tobytes() == _chart().tobytes()


def test_another_weasyprint_series_runs_unpatched(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    from converter.writers import patches
    from converter.writers.patches import (
        font_subset,
        linebreak,
        margin_boxes,
        pdf_images,
        svg_numbers,
    )
    from converter.writers.pdf import warm_up_weasyprint

    warned: list[str] = []  # the module logger, whatever the CLI tests did to logging
    monkeypatch.setattr(patches.log, "warning", lambda msg, *args: warned.append(msg % args))

    called: list[str] = []
    for module in (linebreak, font_subset, pdf_images, svg_numbers, margin_boxes):
        monkeypatch.setattr(module, "patch_weasyprint", lambda m=module: called.append(m.__name__))
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    warm_up_weasyprint()
    assert called == [] and "71.0 is not the 70.x series" in " ".join(warned)
    assert not patches.supported()  # and books are laid out as one document
    monkeypatch.setattr(weasyprint, "__version__", "70.0")
    warm_up_weasyprint()
    assert len(called) == 5
