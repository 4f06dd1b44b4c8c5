"""The image stage against hostile and broken files: decompression bombs, truncated and corrupt
data, fuzzed images; only ImageError ever comes out."""

from __future__ import annotations

import io
import pickle
import struct
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imaging import (
    EPUB,
    photo,
    png_chunk,
    prep,
)
from PIL import (
    Image,
)

from converter.errors import AssetError, HanjiError
from converter.images import (
    ImageError,
    ImageProfile,
    ImageRequest,
)

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
