"""Prepared images on disk and in batches (converter/images/cache.py, prepare.py): the cache,
deduplication, the process pool and its fallbacks."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Self

import pytest
from imaging import (
    EPUB,
    SVG_DIRTY,
    photo,
    prep,
    screenshot,
)
from PIL import (
    Image,
)

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
)
from converter.images import prepare as prepare_module

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
