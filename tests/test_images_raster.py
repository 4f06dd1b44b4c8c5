"""The image stage on raster images (converter/images/sniff.py, raster.py): sniffing, decoding,
orientation, colour, encoding choice, sizes and metadata stripping."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imaging import (
    BLUE,
    RED,
    UNLIMITED,
    XMP,
    assert_no_metadata,
    close,
    gps_exif,
    halves,
    photo,
    prep,
    px,
    screenshot,
    srgb_icc,
)
from PIL import (
    Image,
    ImageChops,
    ImageDraw,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    features,
)

from converter.images import (
    ImageError,
    ImageProfile,
    ImageRequest,
    prepare_images,
    sniff_image_type,
)
from converter.images.raster import fit_size

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
