"""Helpers of the image-stage tests (tests/test_images_*.py): generated images, profiles,
and checks of prepared files. Every image is generated with Pillow, small enough to be fast."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageDraw,
    ImageFont,
)

from converter.images import (
    ImageCache,
    ImageProfile,
    ImageRequest,
    PreparedImage,
    prepare_image,
)

EPUB = ImageProfile(max_long_edge=1600, max_pixels=4_000_000)
UNLIMITED = ImageProfile(max_long_edge=None, max_pixels=None)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
       b'xmp:CreatorTool="secret-tool"/></rdf:RDF></x:xmpmeta>')
RED, BLUE = (230, 20, 20), (20, 20, 230)

SVG_DIRTY = b"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="http://evil.example/x.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="200" height="100" onload="alert(1)">
  <style>@import url(http://evil.example/a.css); .a { fill: url(#grad); background: url('https://evil.example/b.png') }</style>
  <script>alert('x')</script>
  <defs><linearGradient id="grad"><stop offset="0"/></linearGradient></defs>
  <rect id="r" width="10" height="10" onclick="steal()" fill="url(http://evil.example/p.svg#x)"/>
  <use xlink:href="#r"/>
  <use href="http://evil.example/sprite.svg#icon"/>
  <image xlink:href="file:///etc/passwd" width="5" height="5"/>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="5" height="5"/>
  <a href="javascript:alert(1)"><text>link</text></a>
  <set attributeName="href" to="javascript:alert(1)"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <text>kept</text>
</svg>
"""



def prep(path: Path, profile: ImageProfile = EPUB, *, target_width: int | None = None,
         cache: ImageCache | None = None, **kwargs: object) -> PreparedImage:
    out_dir = None if cache is not None else path.parent / "out"
    return prepare_image(ImageRequest(path, profile, target_width), cache=cache, out_dir=out_dir,
                         **kwargs)  # type: ignore[arg-type]


def photo(size: tuple[int, int] = (480, 360), sigma: float = 8) -> Image.Image:
    """Smooth colour fields plus sensor-like noise: compresses like a photograph."""
    w, h = size
    fields = [Image.effect_noise((max(1, w // 16), max(1, h // 16)), 80).resize(size, Image.Resampling.BICUBIC)
              for _ in range(2)]
    smooth = Image.merge("RGB", (*fields, Image.linear_gradient("L").rotate(90).resize(size)))
    noise = Image.merge("RGB", [Image.effect_noise(size, sigma) for _ in range(3)])
    return ImageChops.add(smooth, noise, 1.0, -128)


def screenshot(size: tuple[int, int] = (480, 360)) -> Image.Image:
    """Text and a gradient bar on white: hundreds of colours, but a graphic."""
    im = Image.new("RGB", size, "white")
    bar = Image.linear_gradient("L").rotate(90).resize((size[0], 40))
    im.paste(Image.merge("RGB", (bar, bar.point(lambda v: 120), bar.point(lambda v: 255 - v // 2))))
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=15)
    for row in range(60, size[1] - 20, 22):
        draw.text((12, row), f"def line_{row}(x): return x * {row}", fill=(30, 30, 30), font=font)
    draw.rounded_rectangle((300, 80, 460, 200), radius=12, outline=(0, 102, 204), width=3)
    return im


def halves(size: tuple[int, int] = (64, 32)) -> Image.Image:
    """Left half red, right half blue."""
    im = Image.new("RGB", size, RED)
    im.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return im


def px(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """The pixel at ``xy`` as a tuple, whatever the number of bands."""
    value = image.getpixel(xy)
    return tuple(value) if isinstance(value, tuple) else (int(value or 0),)


def close(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected))


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"  # Make
    if orientation is not None:
        exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)})
    return exif


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    with Image.open(path) as out:
        assert not {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment"} & set(out.info)
        exif = out.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(0x8825)
    for marker in (b"Exif", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"iCCP", b"eXIf",
                   b"SecretPhone", b"secret-tool", b"secret comment"):
        assert marker not in data, marker


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
