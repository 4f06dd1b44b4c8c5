"""SVG images (converter/images/svg.py): sanitising, sizes, refused documents, bundled fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from imaging import (
    SVG_DIRTY,
    prep,
)

from converter.images import (
    ImageError,
    ImageProfile,
    ImageRequest,
    prepare_images,
)


def test_svg_is_sanitised(tmp_path: Path) -> None:
    src = tmp_path / "drawing.svg"
    src.write_bytes(SVG_DIRTY)
    result = prep(src)
    assert result.media_type == "image/svg+xml"
    assert (result.width, result.height) == (200, 100)
    out = result.path.read_bytes()
    for gone in (b"<script", b"alert", b"steal", b"onload", b"onclick", b"evil.example",
                 b"/etc/passwd", b"foreignObject", b"javascript", b"xml-stylesheet", b"@import"):
        assert gone not in out, gone
    for kept in (b'xlink:href="#r"', b"data:image/png;base64", b"url(#grad)", b"<text>kept</text>",
                 b"<text>link</text>"):
        assert kept in out, kept


def test_svg_inside_svg_is_sanitised_too(tmp_path: Path) -> None:
    import base64
    import urllib.parse

    inner = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="steal()"><script>alert(1)</script>'
             b'<image href="https://evil.example/track.png"/><rect width="4" height="4"/></svg>')
    deepest = b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>'
    for _ in range(4):  # four levels of nesting: the innermost is dropped
        deepest = (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,'
                   + base64.b64encode(deepest) + b'"/></svg>')
    outer = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
             f'<image href="data:image/svg+xml;base64,{base64.b64encode(inner).decode()}"/>'
             f'<image href="data:image/svg+xml,{urllib.parse.quote(inner.decode())}"/>'
             '<image href="data:image/svg+xml;base64,@@@not-base64"/>'
             '<rect style="fill: url(data:image/svg+xml;base64,AAAA)" width="1" height="1"/>'
             f'<image href="data:image/svg+xml;base64,{base64.b64encode(deepest).decode()}"/>'
             '</svg>').encode()
    src = tmp_path / "nested.svg"
    src.write_bytes(outer)
    out = prep(src).path.read_bytes()

    def inner_svgs(data: bytes) -> list[bytes]:
        found = []
        for match in re.finditer(rb'href="data:image/svg\+xml;base64,([^"]*)"', data):
            decoded = base64.b64decode(match.group(1))
            found += [decoded, *inner_svgs(decoded)]
        return found

    nested = inner_svgs(out)
    assert len(nested) == 2 + 3  # two sanitised copies of `inner`; three of four levels kept
    for document in [out, *nested]:
        for gone in (b"<script", b"alert", b"steal", b"evil.example", b"@@@", b"<circle"):
            assert gone not in document, (gone, document[:200])
    assert b"url(data:image/svg" not in out
    assert all(b"<rect" in svg for svg in nested[:2])


def test_clean_svg_passes_byte_for_byte(tmp_path: Path) -> None:
    clean = (b'<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" '
             b'viewBox="0 0 40 30"><circle cx="20" cy="15" r="10" fill="url(#g)"/></svg>\n')
    src = tmp_path / "clean.svg"
    src.write_bytes(clean)
    result = prep(src)
    assert result.path.read_bytes() == clean
    assert (result.width, result.height) == (40, 30)


@pytest.mark.parametrize(("attrs", "size"), [
    ('width="2in" height="1in"', (192, 96)),
    ('width="100" viewBox="0 0 50 25"', (100, 50)),
    ('height="10mm"', (300, 150)),
    ("", (300, 150)),
])
def test_svg_size(tmp_path: Path, attrs: str, size: tuple[int, int]) -> None:
    src = tmp_path / "s.svg"
    src.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" {attrs}/>', encoding="utf-8")
    result = prep(src)
    assert (result.width, result.height) == size


@pytest.mark.parametrize("data", [
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'),
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'),
])
def test_dangerous_or_broken_svg_is_refused(tmp_path: Path, data: bytes) -> None:
    src = tmp_path / "bad.svg"
    src.write_bytes(data)
    with pytest.raises(ImageError, match="SVG"):
        prep(src)




def test_svg_text_uses_the_bundled_fonts(tmp_path: Path) -> None:
    """A font the SVG names would come from the system; it is pointed at hanji-sans."""
    src = tmp_path / "chart.svg"
    src.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
                    b'<style>text{font-family:Roboto}</style>'
                    b'<text x="0" y="20" font-family="Arial" style="font-family:Roboto">Hi</text></svg>')
    out = prepare_images([ImageRequest(src, ImageProfile(max_long_edge=None, max_pixels=None))],
                         cache=None, out_dir=tmp_path / "out")
    data = next(iter(out.values())).path.read_text(encoding="utf-8")
    assert "Roboto" not in data and "Arial" not in data
    assert data.count("hanji-sans, hanji-sans-ext") == 3
