"""The image stage (converter.images): decoding, orientation, colour, resizing, encoding choice,
metadata stripping, guards against hostile files, SVG sanitising, the cache and the process pool.

Every image is generated here with Pillow, small enough to keep the file fast.
"""

from __future__ import annotations

import io
import pickle
import re
import struct
import sys
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Self

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageDraw,
    ImageFont,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    features,
)

from converter.errors import AssetError, HanjiError
from converter.images import (
    ImageCache,
    ImageError,
    ImageProfile,
    ImageRequest,
    PreparedImage,
    default_cache_dir,
    prepare_image,
    prepare_images,
    raster,
    sniff_image_type,
)
from converter.images import prepare as prepare_module
from converter.images.raster import fit_size

EPUB = ImageProfile(max_long_edge=1600, max_pixels=4_000_000)
UNLIMITED = ImageProfile(max_long_edge=None, max_pixels=None)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
       b'xmp:CreatorTool="secret-tool"/></rdf:RDF></x:xmpmeta>')
RED, BLUE = (230, 20, 20), (20, 20, 230)


# ---------------------------------------------------------------- helpers


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


# ---------------------------------------------------------------- sniffing


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp"),
    ("BMP", "image/bmp"), ("TIFF", "image/tiff"),
])
def test_sniff_by_content_not_name(tmp_path: Path, fmt: str, media_type: str) -> None:
    path = tmp_path / "picture.txt"
    Image.new("RGB", (8, 8), RED).save(path, fmt)
    assert sniff_image_type(path) == media_type


@pytest.mark.parametrize(("head", "expected"), [
    (b'<?xml version="1.0"?>\n<!-- hi -->\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    (b"\xef\xbb\xbf  <svg viewBox='0 0 1 1'></svg>", "image/svg+xml"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image/avif"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2", None),
    (b"<html><body>not an image</body></html>", None),
    (b"just text", None),
    (b"", None),
])
def test_sniff_heads(tmp_path: Path, head: bytes, expected: str | None) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(head)
    assert sniff_image_type(path) == expected


# ---------------------------------------------------------------- decoding and colour


def test_exif_orientation_6_rotates_pixels(tmp_path: Path) -> None:
    src = tmp_path / "rotated.jpg"
    halves((64, 32)).save(src, "JPEG", quality=95, exif=gps_exif(orientation=6))
    result = prep(src)
    assert (result.width, result.height) == (32, 64)
    with Image.open(result.path) as out:
        assert out.size == (32, 64)
        # Orientation 6 = rotate 90 degrees clockwise to display: the stored left (red) half
        # becomes the top, the right (blue) half the bottom.
        assert close(px(out.convert("RGB"), (16, 8)), RED)
        assert close(px(out.convert("RGB"), (16, 56)), BLUE)
        assert out.getexif().get(0x0112) is None
    assert_no_metadata(result.path)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(tmp_path: Path, orientation: int) -> None:
    src = tmp_path / f"o{orientation}.png"
    image = halves((48, 24))
    ImageDraw.Draw(image).rectangle((0, 0, 7, 7), fill=(20, 200, 20))  # a corner marker
    image.save(src, "PNG", exif=gps_exif(orientation=orientation))
    with Image.open(src) as original:
        expected = ImageOps.exif_transpose(original).convert("RGB")
    result = prep(src)
    with Image.open(result.path) as out:
        assert out.size == expected.size
        assert ImageChops.difference(out.convert("RGB"), expected).getbbox() is None


def test_jpeg_draft_decodes_at_reduced_scale_but_output_is_exact(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "big.jpg"
    photo((1200, 900)).save(src, "JPEG", quality=85)
    drafts: list[tuple[int, int] | None] = []
    original_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(self: Image.Image, mode: str | None, size: tuple[int, int] | None):  # type: ignore[no-untyped-def]
        result = original_draft(self, mode, size)  # type: ignore[arg-type]
        drafts.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    result = prep(src, ImageProfile(max_long_edge=280, max_pixels=None))
    assert (result.width, result.height) == (280, 210)
    assert drafts == [(300, 225)]  # libjpeg decoded at 1/4 scale, still >= the output size


def test_cmyk_jpeg_becomes_rgb_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(src, "JPEG", quality=95)
    result = prep(src)
    assert result.media_type == "image/jpeg"
    with Image.open(result.path) as out:
        assert out.mode == "RGB"
        assert close(px(out, (32, 24)), (255, 0, 0))


def test_grayscale_jpeg_stays_grayscale_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "grey.jpg"
    photo((120, 90)).convert("L").save(src, "JPEG")
    result = prep(src)
    assert result.media_type == "image/jpeg"
    with Image.open(result.path) as out:
        assert out.mode == "L"


def test_embedded_icc_profile_is_applied_and_removed(tmp_path: Path) -> None:
    src = tmp_path / "icc.jpg"
    Image.new("RGB", (40, 30), (200, 100, 50)).save(src, "JPEG", quality=95, icc_profile=srgb_icc())
    result = prep(src)
    with Image.open(result.path) as out:
        assert "icc_profile" not in out.info
        assert close(px(out, (20, 15)), (200, 100, 50), tolerance=6)


def test_icc_transform_keeps_alpha(tmp_path: Path) -> None:
    src = tmp_path / "icc-alpha.png"
    image = Image.new("RGBA", (40, 30), (200, 100, 50, 255))
    image.paste((0, 0, 0, 0), (0, 0, 20, 30))
    image.save(src, "PNG", icc_profile=srgb_icc())
    result = prep(src)
    with Image.open(result.path) as out:
        rgba = out.convert("RGBA")
        assert px(rgba, (5, 5))[3] == 0
        assert close(px(rgba, (30, 5)), (200, 100, 50, 255), tolerance=6)
    assert_no_metadata(result.path)


def test_alpha_png_stays_png_with_alpha(tmp_path: Path) -> None:
    src = tmp_path / "logo.png"
    image = photo((200, 100)).convert("RGBA")
    ImageDraw.Draw(image).ellipse((0, 0, 99, 99), fill=(0, 0, 0, 0))
    image.save(src, "PNG")
    result = prep(src)
    assert result.media_type == "image/png"
    with Image.open(result.path) as out:
        rgba = out.convert("RGBA")
        assert px(rgba, (50, 50))[3] == 0
        assert px(rgba, (150, 50))[3] == 255


def test_opaque_alpha_channel_is_dropped(tmp_path: Path) -> None:
    src = tmp_path / "opaque.png"
    Image.new("RGBA", (60, 40), (10, 120, 200, 255)).save(src, "PNG")
    result = prep(src)
    with Image.open(result.path) as out:
        assert out.mode in ("RGB", "P")
        assert "transparency" not in out.info


def test_palette_png_stays_exact_palette_png(tmp_path: Path) -> None:
    src = tmp_path / "diagram.png"
    image = Image.new("RGB", (120, 80), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 60, 40), fill=(255, 0, 0))
    draw.rectangle((70, 20, 110, 70), fill=(0, 128, 0))
    draw.line((0, 79, 119, 0), fill=(0, 0, 255))
    image.quantize(colors=4).save(src, "PNG")
    result = prep(src)
    assert result.media_type == "image/png"
    with Image.open(src) as original, Image.open(result.path) as out:
        assert out.mode == "P"
        assert ImageChops.difference(out.convert("RGB"), original.convert("RGB")).getbbox() is None


def test_palette_png_with_transparency_keeps_it(tmp_path: Path) -> None:
    src = tmp_path / "icon.png"
    image = Image.new("P", (32, 32), 0)
    image.putpalette([255, 255, 255, 255, 0, 0])
    ImageDraw.Draw(image).rectangle((8, 8, 23, 23), fill=1)
    image.save(src, "PNG", transparency=0)
    result = prep(src)
    assert result.media_type == "image/png"
    with Image.open(result.path) as out:
        rgba = out.convert("RGBA")
        assert px(rgba, (1, 1))[3] == 0
        assert px(rgba, (16, 16)) == (255, 0, 0, 255)


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    src = tmp_path / "deep.png"
    deep = Image.new("I;16", (256, 4))
    deep.putdata([x * 257 for _ in range(4) for x in range(256)])
    deep.save(src, "PNG")
    with Image.open(src) as check:
        assert check.mode.startswith("I")
    result = prep(src)
    with Image.open(result.path) as out:
        grey = out.convert("L")
        assert px(grey, (0, 1))[0] <= 2
        assert abs(px(grey, (128, 1))[0] - 128) <= 3
        assert px(grey, (255, 1))[0] >= 252


def test_animated_gif_becomes_first_frame_png(tmp_path: Path) -> None:
    src = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, (20, 200, 20), BLUE)]
    frames[0].save(src, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0,
                   comment=b"secret comment")
    result = prep(src)
    assert result.media_type == "image/png"
    with Image.open(result.path) as out:
        assert getattr(out, "n_frames", 1) == 1
        assert close(px(out.convert("RGB"), (20, 15)), RED, tolerance=10)
    assert_no_metadata(result.path)


def test_animated_gif_kept_when_profile_allows(tmp_path: Path) -> None:
    src = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (80, 60), colour) for colour in (RED, (20, 200, 20), BLUE)]
    frames[0].save(src, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0,
                   comment=b"secret comment")
    profile = ImageProfile(max_long_edge=40, max_pixels=None, first_frame_only=False)
    result = prep(src, profile)
    assert result.media_type == "image/gif"
    assert (result.width, result.height) == (40, 30)
    with Image.open(result.path) as out:
        assert getattr(out, "n_frames", 1) == 3
        assert "comment" not in out.info
    assert b"secret comment" not in result.path.read_bytes()


def test_animated_gif_kept_in_a_batch_of_one(tmp_path: Path) -> None:
    """The batch path (one request on the source) keeps the animation too."""
    src = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (80, 60), colour) for colour in (RED, (20, 200, 20), BLUE)]
    frames[0].save(src, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0)
    animated = ImageRequest(src, ImageProfile(max_long_edge=40, max_pixels=None,
                                              first_frame_only=False))
    still = ImageRequest(src, ImageProfile(max_long_edge=40, max_pixels=None))
    alone = prepare_images([animated], cache=None, out_dir=tmp_path / "a")[animated]
    both = prepare_images([animated, still], cache=None, out_dir=tmp_path / "b")
    for result in (alone, both[animated]):
        with Image.open(result.path) as out:
            assert getattr(out, "n_frames", 1) == 3
    assert both[still].media_type == "image/png"


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF"])
def test_other_raster_formats_are_converted(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / f"image.{fmt.lower()}"
    screenshot((200, 150)).save(src, fmt)
    result = prep(src)
    assert result.media_type in ("image/png", "image/jpeg")
    assert (result.width, result.height) == (200, 150)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow cannot write AVIF")
def test_avif_becomes_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "photo.avif"
    photo((96, 64)).save(src, "AVIF")
    result = prep(src)
    assert result.media_type == "image/jpeg"
    assert (result.width, result.height) == (96, 64)


def test_heic_without_plugin_is_a_clear_error(tmp_path: Path) -> None:
    try:
        import pillow_heif  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("pillow-heif is installed: HEIC is supported")
    src = tmp_path / "photo.heic"
    src.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64)
    with pytest.raises(ImageError, match="pillow-heif"):
        prep(src)


# ---------------------------------------------------------------- encoding choice


def test_jpeg_named_png_stays_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "screenshot.png"
    photo((160, 120)).save(src, "JPEG")
    result = prep(src)
    assert result.media_type == "image/jpeg"
    assert result.path.suffix == ".jpg"


def test_png_named_jpg_is_judged_as_png(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    screenshot().save(src, "PNG")
    result = prep(src)
    assert result.media_type == "image/png"


def test_photographic_png_becomes_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "holiday.png"
    photo().save(src, "PNG")
    result = prep(src)
    assert result.media_type == "image/jpeg"
    assert result.path.stat().st_size < src.stat().st_size / 3


def test_opaque_rgba_photo_becomes_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "export.png"
    photo().convert("RGBA").save(src, "PNG")
    assert prep(src).media_type == "image/jpeg"


def test_many_colour_screenshot_stays_png(tmp_path: Path) -> None:
    src = tmp_path / "shot.png"
    image = screenshot()
    assert image.getcolors(256) is None  # antialiasing: more than a palette holds
    image.save(src, "PNG")
    result = prep(src)
    assert result.media_type == "image/png"
    with Image.open(result.path) as out:
        assert ImageChops.difference(out.convert("RGB"), image).getbbox() is None  # lossless


def test_progressive_optimised_jpeg_with_profile_quality(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    photo((320, 240)).save(src, "JPEG", quality=95)
    low = prep(src, ImageProfile(max_long_edge=None, max_pixels=None, jpeg_quality=40))
    high = prep(src, ImageProfile(max_long_edge=None, max_pixels=None, jpeg_quality=90))
    with Image.open(high.path) as out:
        assert out.info.get("progressive") or out.info.get("progression")
    assert low.path.stat().st_size < high.path.stat().st_size


# ---------------------------------------------------------------- sizes


@pytest.mark.parametrize(("source", "profile", "target", "expected"), [
    ((1000, 750), ImageProfile(max_long_edge=400, max_pixels=None), None, (400, 300)),
    ((750, 1000), ImageProfile(max_long_edge=400, max_pixels=None), None, (300, 400)),
    ((1000, 750), ImageProfile(max_long_edge=None, max_pixels=75_000), None, (316, 237)),
    ((1000, 750), UNLIMITED, 200, (200, 150)),
    ((1000, 750), ImageProfile(max_long_edge=1600, max_pixels=4_000_000), 360, (360, 270)),
    ((1000, 750), ImageProfile(max_long_edge=200, max_pixels=4_000_000), 360, (200, 150)),
    ((300, 200), ImageProfile(max_long_edge=1600, max_pixels=4_000_000), 2000, (300, 200)),
    ((300, 200), UNLIMITED, None, (300, 200)),
])
def test_resize_limits_and_never_upscale(tmp_path: Path, source: tuple[int, int],
                                         profile: ImageProfile, target: int | None,
                                         expected: tuple[int, int]) -> None:
    src = tmp_path / "image.png"
    Image.new("RGB", source, (90, 140, 200)).save(src, "PNG")
    result = prep(src, profile, target_width=target)
    assert (result.width, result.height) == expected
    with Image.open(result.path) as out:
        assert out.size == expected
    if profile.max_pixels:
        assert result.width * result.height <= profile.max_pixels


@settings(max_examples=150, deadline=None)
@given(width=st.integers(1, 20_000), height=st.integers(1, 20_000),
       target=st.none() | st.integers(1, 5000), edge=st.none() | st.integers(1, 5000),
       pixels=st.none() | st.integers(1, 30_000_000))
def test_fit_size_meets_every_limit(width: int, height: int, target: int | None,
                                    edge: int | None, pixels: int | None) -> None:
    w, h = fit_size(width, height, target_width=target, max_long_edge=edge, max_pixels=pixels)
    assert 1 <= w <= width and 1 <= h <= height
    if target:
        assert w <= target
    if edge:
        assert max(w, h) <= edge
    if pixels and (w, h) != (1, 1):
        assert w * h <= pixels
    if (w, h) != (width, height) and min(w, h) > 20:
        assert abs(w / h - width / height) <= 0.1 * width / height  # aspect kept


# ---------------------------------------------------------------- metadata


def test_metadata_stripped_from_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "phone.jpg"
    photo((200, 150)).save(src, "JPEG", exif=gps_exif(), xmp=XMP, icc_profile=srgb_icc(),
                           comment=b"secret comment")
    source_bytes = src.read_bytes()
    with Image.open(src) as check:  # the input really carries all of it
        assert check.getexif().get_ifd(0x8825)
        assert b"http://ns.adobe.com/xap" in source_bytes and b"ICC_PROFILE" in source_bytes
    assert_no_metadata(prep(src).path)


def test_metadata_stripped_from_png(tmp_path: Path) -> None:
    src = tmp_path / "shot.png"
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add_text("Comment", "secret comment")
    screenshot((120, 90)).save(src, "PNG", pnginfo=info, exif=gps_exif(), icc_profile=srgb_icc())
    with Image.open(src) as check:
        assert check.getexif().get_ifd(0x8825)
    result = prep(src)
    assert result.media_type == "image/png"
    assert_no_metadata(result.path)
    assert b"tEXt" not in result.path.read_bytes() and b"iTXt" not in result.path.read_bytes()


# ---------------------------------------------------------------- hostile and broken files


def test_decompression_bomb_header_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "bomb.png"
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
                    + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b""))
    with pytest.raises(ImageError, match="too large"):
        prep(src)


@pytest.mark.parametrize("limit", [10_000, 30_000])  # over twice the limit, and just over it
def test_configurable_pixel_limit(tmp_path: Path, limit: int) -> None:
    src = tmp_path / "big.png"
    Image.new("RGB", (200, 200)).save(src, "PNG")
    with pytest.raises(ImageError, match="too large"):
        prep(src, max_source_pixels=limit)
    assert Image.MAX_IMAGE_PIXELS != limit  # restored after the call
    assert prep(src, max_source_pixels=40_000).width == 200


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # not captured off the main thread
def test_pixel_limit_holds_on_a_background_thread(tmp_path: Path) -> None:
    src = tmp_path / "big.png"
    Image.new("RGB", (200, 200)).save(src, "PNG")
    filters = list(warnings.filters)
    with ThreadPoolExecutor(max_workers=1) as pool:  # as api.py overlaps the stage
        future = pool.submit(prep, src, max_source_pixels=30_000)
        with pytest.raises(ImageError, match="too large"):
            future.result()
    assert warnings.filters == filters


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_jpeg_is_an_image_error(tmp_path: Path, keep: float) -> None:
    whole = io.BytesIO()
    photo((160, 120)).save(whole, "JPEG")
    src = tmp_path / "cut.jpg"
    src.write_bytes(whole.getvalue()[: int(len(whole.getvalue()) * keep)])
    with pytest.raises(ImageError, match="truncated"):
        prep(src)


@pytest.mark.parametrize("data", [
    b"\xff\xd8\xff\xe0\x00\x10JFIF",  # a JPEG header and nothing else
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    b"GIF89a\x10\x00",
    b"",
    b"hello, I am text",
])
def test_corrupt_files_are_image_errors(tmp_path: Path, data: bytes) -> None:
    src = tmp_path / "broken.jpg"
    src.write_bytes(data)
    with pytest.raises(ImageError) as caught:
        prep(src)
    assert caught.value.path == src
    assert "\n" not in caught.value.reason


def test_missing_file_is_an_image_error(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="cannot read"):
        prep(tmp_path / "nowhere.png")


def _samples() -> list[bytes]:
    samples = []
    for fmt, mode in (("JPEG", "RGB"), ("PNG", "RGBA"), ("GIF", "P"), ("WEBP", "RGB")):
        buffer = io.BytesIO()
        image = photo((24, 16)).convert(mode) if mode != "P" else photo((24, 16)).quantize(16)
        image.save(buffer, fmt)
        samples.append(buffer.getvalue())
    return samples


SAMPLES = _samples()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, len(SAMPLES) - 1), cut=st.integers(0, 2000),
       flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=6))
def test_mangled_images_never_raise_anything_but_image_error(tmp_path: Path, which: int, cut: int,
                                                             flips: list[tuple[int, int]]) -> None:
    data = bytearray(SAMPLES[which])
    for offset, value in flips:
        if data:
            data[offset % len(data)] = value
    src = tmp_path / "fuzz.img"
    src.write_bytes(bytes(data[: max(0, len(data) - cut)]))
    try:
        result = prep(src, max_source_pixels=100_000)
    except ImageError:
        return
    assert result.path.is_file()


@pytest.mark.parametrize("kwargs", [
    {"max_long_edge": 0, "max_pixels": None}, {"max_long_edge": None, "max_pixels": -1},
    {"max_long_edge": None, "max_pixels": None, "jpeg_quality": 0},
    {"max_long_edge": None, "max_pixels": None, "jpeg_quality": 101},
])
def test_profile_rejects_nonsense(kwargs: dict[str, int | None]) -> None:
    with pytest.raises(ValueError):
        ImageProfile(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ImageRequest(Path("x.png"), EPUB, target_width_px=0)


def test_image_error_is_a_picklable_asset_error(tmp_path: Path) -> None:
    error = ImageError(tmp_path / "x.png", "corrupt image: bad")
    assert isinstance(error, AssetError) and isinstance(error, HanjiError)
    assert str(error) == f"{tmp_path / 'x.png'}: corrupt image: bad"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason) == (error.path, error.reason)


# ---------------------------------------------------------------- SVG


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


# ---------------------------------------------------------------- cache


def test_cache_hit_returns_same_path_without_decoding(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "photo.jpg"
    photo((160, 120)).save(src, "JPEG")
    cache = ImageCache(tmp_path / "cache")
    first = prep(src, cache=cache)
    assert first.path.parent == cache.directory

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cache hit must not decode")

    monkeypatch.setattr(raster, "process_raster_many", no_decoding)
    monkeypatch.setattr(Image, "open", no_decoding)
    second = prep(src, cache=cache)
    assert second == first
    copy = tmp_path / "renamed-copy.png"
    copy.write_bytes(src.read_bytes())
    third = prep(copy, cache=cache)  # keyed by content, not by name
    assert third.path == first.path and third.source == copy


def test_cache_key_covers_profile_and_target(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    photo((400, 300)).save(src, "JPEG")
    cache = ImageCache(tmp_path / "cache")
    paths = {prep(src, EPUB, cache=cache).path,
             prep(src, ImageProfile(max_long_edge=200, max_pixels=None), cache=cache).path,
             prep(src, EPUB, target_width=100, cache=cache).path,
             prep(src, ImageProfile(max_long_edge=1600, max_pixels=4_000_000, jpeg_quality=60),
                  cache=cache).path}
    assert len(paths) == 4


def test_broken_cache_entry_is_rebuilt(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    photo((100, 80)).save(src, "JPEG")
    cache = ImageCache(tmp_path / "cache")
    first = prep(src, cache=cache)
    first.path.with_suffix(".json").write_text("{not json", encoding="utf-8")
    assert prep(src, cache=cache) == first
    first.path.unlink()
    again = prep(src, cache=cache)
    assert again.path.is_file() and again == first
    assert not list(cache.directory.glob("*.tmp"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG applies on Linux")
def test_default_cache_dir_honours_xdg_cache_home(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "hanji" / "images"
    cache = ImageCache(None)
    assert cache.directory == tmp_path / "xdg" / "hanji" / "images"
    assert cache.directory.is_dir()


def test_temporary_cache_is_removed_on_close(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    photo((100, 80)).save(src, "JPEG")
    with ImageCache(temporary=True) as cache:
        result = prepare_image(ImageRequest(src, EPUB), cache=cache)
        assert result.path.is_file()
        assert cache.temporary
    assert not cache.directory.exists()
    with pytest.raises(ValueError):
        ImageCache(tmp_path, temporary=True)


def test_no_cache_writes_to_out_dir_or_a_new_temporary_dir(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    photo((100, 80)).save(src, "JPEG")
    into = prepare_image(ImageRequest(src, EPUB), cache=None, out_dir=tmp_path / "mine")
    assert into.path.parent == tmp_path / "mine"
    loose = prepare_image(ImageRequest(src, EPUB), cache=None)
    try:
        assert loose.path.is_file() and loose.path.parent != tmp_path / "mine"
    finally:
        loose.path.unlink()
        loose.path.parent.rmdir()


# ---------------------------------------------------------------- batches


def _batch_sources(directory: Path) -> list[Path]:
    directory.mkdir()
    sources = {
        "a.jpg": lambda p: photo((300, 200)).save(p, "JPEG"),
        "b.png": lambda p: screenshot((200, 150)).save(p, "PNG"),
        "c.gif": lambda p: Image.new("P", (30, 20), 3).save(p, "GIF"),
        "d.svg": lambda p: p.write_bytes(SVG_DIRTY),
        "e.jpg": lambda p: p.write_bytes(b"\xff\xd8\xff broken"),
    }
    for name, write in sources.items():
        write(directory / name)
    return [directory / name for name in sources]


def test_prepare_images_deduplicates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = _batch_sources(tmp_path / "src")
    calls: list[Path] = []
    original = raster.process_raster_many

    def counting(data: bytes, media_type: str, reqs: list[ImageRequest], **kwargs: object) -> object:
        calls.extend(r.source for r in reqs)
        return original(data, media_type, reqs, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(raster, "process_raster_many", counting)
    requests = [ImageRequest(p, EPUB) for p in sources]
    results = prepare_images(requests + requests[:2], cache=None, out_dir=tmp_path / "out")
    assert set(results) == set(requests)
    assert sorted(calls) == sorted(p for p in sources if p.suffix != ".svg")
    assert isinstance(results[requests[4]], ImageError)


def test_parallel_equals_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare_module, "MIN_REQUESTS_PER_WORKER", 1)  # a pool even for 6
    started: list[int] = []
    original = prepare_module._in_processes

    def spy(requests: list[ImageRequest], *args: object) -> object:
        started.append(len(requests))
        return original(requests, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(prepare_module, "_in_processes", spy)
    sources = _batch_sources(tmp_path / "src")
    requests = [ImageRequest(p, EPUB) for p in sources]
    requests += [ImageRequest(sources[0], EPUB, target_width_px=120)]
    serial = prepare_images(requests, cache=ImageCache(tmp_path / "serial"), workers=1)
    parallel = prepare_images(requests, cache=ImageCache(tmp_path / "parallel"), workers=2)
    assert serial.keys() == parallel.keys()
    for request in requests:
        one, other = serial[request], parallel[request]
        if isinstance(one, ImageError):
            assert isinstance(other, ImageError) and other.reason == one.reason
            continue
        assert isinstance(other, PreparedImage)
        assert (one.media_type, one.width, one.height) == (other.media_type, other.width, other.height)
        assert one.path.read_bytes() == other.path.read_bytes()
        assert other.path.parent == tmp_path / "parallel"
    assert started == [len(requests)]
    # A warm cache answers in this process: same results, no pool (the broken file is retried).
    warm = prepare_images(requests, cache=ImageCache(tmp_path / "parallel"), workers=2)
    assert warm == parallel
    assert started == [len(requests)]


def test_small_batches_do_not_start_a_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object) -> None:
        raise AssertionError("a pool for three images costs more than it saves")

    monkeypatch.setattr(prepare_module, "_in_processes", no_pool)
    sources = _batch_sources(tmp_path / "src")[:3]
    results = prepare_images([ImageRequest(p, EPUB) for p in sources], cache=None,
                             out_dir=tmp_path / "out", workers=8)
    assert all(isinstance(r, PreparedImage) for r in results.values())


def test_broken_pool_falls_back_to_this_process(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    class BrokenPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def __enter__(self) -> Self:
            return self

        def __exit__(self, *args: object) -> None:
            pass

        def submit(self, *args: object) -> Future[object]:
            future: Future[object] = Future()
            future.set_exception(BrokenProcessPool("a child process terminated abruptly"))
            return future

    monkeypatch.setattr(prepare_module, "ProcessPoolExecutor", BrokenPool)
    monkeypatch.setattr(prepare_module, "MIN_REQUESTS_PER_WORKER", 1)
    sources = _batch_sources(tmp_path / "src")
    results = prepare_images([ImageRequest(p, EPUB) for p in sources], cache=None,
                             out_dir=tmp_path / "out", workers=2)
    assert [isinstance(r, PreparedImage) for r in results.values()] == [True] * 4 + [False]


def test_truncated_jpeg_is_reported_even_after_weasyprint_import(tmp_path: Path) -> None:
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES globally; the stage must not rely on it."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    whole = io.BytesIO()
    photo((160, 120)).save(whole, "JPEG")
    src = tmp_path / "cut.jpg"
    src.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(ImageError, match="truncated"):
        prep(src)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint


def test_requests_on_one_source_decode_it_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EPUB and PDF ask for the same photo at two sizes: one decode serves both."""
    from PIL import Image as PILImage

    src = tmp_path / "photo.jpg"
    photo((1200, 900)).save(src, "JPEG")
    loads = []
    real_open = PILImage.open

    def counting_open(*args: object, **kwargs: object) -> PILImage.Image:
        loads.append(args)
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PILImage, "open", counting_open)
    big = ImageRequest(src, ImageProfile(max_long_edge=1000, max_pixels=None))
    small = ImageRequest(src, ImageProfile(max_long_edge=None, max_pixels=None), target_width_px=300)
    results = prepare_images([big, small], cache=None, out_dir=tmp_path / "out")
    assert (results[big].width, results[small].width) == (1000, 300)
    assert len(loads) == 1


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
