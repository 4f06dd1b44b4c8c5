"""Prepare images for writers: read, sniff, look up the cache, process, store; one or many.

Many requests run in a process pool (decoding is CPU-bound and Pillow's decompression-bomb
limit is process-wide, so threads would not do), forked where that is safe and cheap
(:func:`converter.processes.helper_context`). Knows nothing about
output formats: writers describe what they need in :class:`ImageRequest` objects.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path

from ..files import write_atomic
from ..lifetime import die_with_parent
from ..processes import forks, helper_context
from . import raster, svg
from .cache import ImageCache, cache_key, content_digest
from .model import (
    DEFAULT_MAX_SOURCE_PIXELS,
    EXTENSIONS,
    SVG,
    Encoded,
    ImageError,
    ImageRequest,
    PreparedImage,
)
from .sniff import SNIFF_BYTES, sniff_bytes

logger = logging.getLogger(__name__)

#: Source files larger than this are refused unread (no blog image comes near it).
MAX_SOURCE_BYTES = 256 * 1024 * 1024
#: A spawned worker (a fresh interpreter importing ``converter``) costs 0.5-0.75 s of CPU
#: before its first image, about what 3-4 phone photos or 10+ screenshots take to prepare;
#: each worker gets at least this many requests or the pool is smaller (or not started).
#: Measured on the seed post (22 requests, 11 photos): without a pool, preparing images in a
#: thread beside the writers' imports is ~20% faster end to end than a 2-process pool.
MIN_REQUESTS_PER_WORKER = 16
#: The same for a forked worker (:func:`converter.processes.helper_context`), which starts in
#: milliseconds with everything imported: one photo asked for by two writers is enough.
MIN_REQUESTS_PER_FORKED_WORKER = 2

Result = PreparedImage | ImageError


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise ImageError(path, f"image too large: the file has {size:,} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageError(path, "cannot read file: it does not exist") from None
    except IsADirectoryError:
        raise ImageError(path, "cannot read file: it is a directory") from None
    except OSError as exc:
        raise ImageError(path, f"cannot read file: {exc.strerror or exc}") from None


def _encode_many(data: bytes, requests: list[ImageRequest], max_source_pixels: int) -> list[Encoded]:
    """Encode one or more requests on the same source bytes (decoded once)."""
    path = requests[0].source
    if not data:
        raise ImageError(path, "corrupt image: the file is empty")
    media_type = sniff_bytes(data[:SNIFF_BYTES])
    if media_type is None:
        raise ImageError(path, "unsupported image type: the content is no image format hanji reads")
    if media_type == SVG:
        safe, width, height = svg.sanitise_svg(data, path)
        return [Encoded(data=safe, media_type=SVG, width=width, height=height)] * len(requests)
    return raster.process_raster_many(data, media_type, requests, path=path,
                                      max_source_pixels=max_source_pixels)


def _store(key: str, request: ImageRequest, encoded: Encoded, cache: ImageCache | None,
           out_dir: Path | None) -> PreparedImage:
    if cache is not None:
        return cache.put(key, request.source, encoded)
    directory = out_dir if out_dir is not None else Path(tempfile.mkdtemp(prefix="hanji-images-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key}{EXTENSIONS[encoded.media_type]}"
    write_atomic(path, encoded.data)
    return PreparedImage(path=path, media_type=encoded.media_type, width=encoded.width,
                         height=encoded.height, source=request.source)


def _prepare_group(group: list[ImageRequest], cache: ImageCache | None, out_dir: Path | None,
                   max_source_pixels: int) -> dict[ImageRequest, Result]:
    """Prepare requests that share one source file: read and decode it once."""
    source = group[0].source
    try:
        data = _read(source)
    except ImageError as error:
        return {request: error for request in group}
    digest = content_digest(data)
    results: dict[ImageRequest, Result] = {}
    misses: list[tuple[ImageRequest, str]] = []
    for request in group:
        key = cache_key(digest, request)
        hit = cache.get(key, source) if cache is not None else None
        if hit is not None:
            logger.debug("%s: cached as %s", source, hit.path.name)
            results[request] = hit
        else:
            misses.append((request, key))
    if misses:
        try:
            encoded = _encode_many(data, [request for request, _ in misses], max_source_pixels)
        except ImageError as error:
            results.update({request: error for request, _ in misses})
            return results
        for (request, key), item in zip(misses, encoded):
            results[request] = _store(key, request, item, cache, out_dir)
    return results


def _groups(requests: list[ImageRequest]) -> list[list[ImageRequest]]:
    by_source: dict[Path, list[ImageRequest]] = {}
    for request in requests:
        by_source.setdefault(request.source, []).append(request)
    return list(by_source.values())


def prepare_image(request: ImageRequest, *, cache: ImageCache | None, out_dir: Path | None = None,
                  max_source_pixels: int = DEFAULT_MAX_SOURCE_PIXELS) -> PreparedImage:
    """Prepare one image as ``request`` asks; raise :class:`ImageError` if it cannot be used.

    With a ``cache``, a hit returns the stored file without decoding anything, and a miss is
    stored there. With ``cache=None`` nothing is looked up or kept: the output is written to
    ``out_dir`` or, without one, to a new temporary directory — either way the caller owns it
    and deletes it (``ImageCache(temporary=True)`` does that for you). ``max_source_pixels``
    is the decompression-bomb limit: larger sources are refused before decoding.
    """
    result = _prepare_group([request], cache, out_dir, max_source_pixels)[request]
    if isinstance(result, ImageError):
        raise result
    return result


def _worker(group: list[ImageRequest], cache_dir: Path | None, out_dir: Path | None,
            max_source_pixels: int) -> dict[ImageRequest, Result]:
    """Runs in a worker process; a temporary cache is shared by its directory, never owned."""
    cache = ImageCache(cache_dir) if cache_dir is not None else None
    return _prepare_group(group, cache, out_dir, max_source_pixels)


def _cached(request: ImageRequest, cache: ImageCache) -> Result | None:
    """The cache hit (or read error) for ``request``, or ``None`` if it must be processed."""
    try:
        data = _read(request.source)
    except ImageError as error:
        return error
    return cache.get(cache_key(content_digest(data), request), request.source)


def _in_processes(requests: list[ImageRequest], cache: ImageCache | None, out_dir: Path | None,
                  workers: int, max_source_pixels: int,
                  context: BaseContext) -> dict[ImageRequest, Result]:
    """Prepare ``requests`` in a process pool; finish here if the pool breaks."""
    results: dict[ImageRequest, Result] = {}
    cache_dir = cache.directory if cache is not None else None
    broken = False
    # Workers end with this process, even if it is killed (no orphan decoding images).
    parent = os.getpid() if forks(context) else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=die_with_parent,
                             initargs=(parent, os.getpid(),
                                       threading.current_thread() is threading.main_thread())
                             ) as pool:
        futures: dict[Future[dict[ImageRequest, Result]], list[ImageRequest]] = {
            pool.submit(_worker, group, cache_dir, out_dir, max_source_pixels): group
            for group in _groups(requests)}
        try:
            for future in as_completed(futures):
                try:
                    results.update(future.result())
                except BrokenProcessPool:
                    broken = True
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    if broken:
        # A worker died (killed, or could not start: e.g. a __main__ without an import guard).
        # That says nothing about the images, so the rest are prepared in this process.
        left = [request for request in requests if request not in results]
        logger.warning("image worker processes failed; preparing %d images in this process",
                       len(left))
        for group in _groups(left):
            results.update(_prepare_group(group, cache, out_dir, max_source_pixels))
    return results


def prepare_images(requests: Sequence[ImageRequest], *, cache: ImageCache | None,
                   workers: int = 1, out_dir: Path | None = None,
                   max_source_pixels: int = DEFAULT_MAX_SOURCE_PIXELS
                   ) -> dict[ImageRequest, PreparedImage | ImageError]:
    """Prepare many images; map every request to its :class:`PreparedImage` or :class:`ImageError`.

    Identical requests are prepared once. ``workers=1`` runs in this process; more starts a
    pool of at most that many processes, for the requests the cache does not already hold,
    with at least :data:`MIN_REQUESTS_PER_WORKER` of them per process
    (:data:`MIN_REQUESTS_PER_FORKED_WORKER` where workers are forked).
    ``cache``, ``out_dir`` and ``max_source_pixels`` are as for :func:`prepare_image`, except
    that with neither a cache nor ``out_dir`` the whole batch shares one new temporary
    directory. Errors other than :class:`ImageError` (an unwritable cache, say) propagate.
    """
    started = time.perf_counter()
    unique = list(dict.fromkeys(requests))
    if cache is None and out_dir is None and unique:
        out_dir = Path(tempfile.mkdtemp(prefix="hanji-images-"))
    results: dict[ImageRequest, Result] = {}
    pending = unique
    context = helper_context() if workers > 1 else None
    per_worker = (MIN_REQUESTS_PER_FORKED_WORKER if context is not None and forks(context)
                  else MIN_REQUESTS_PER_WORKER)
    if cache is not None and min(workers, len(unique) // per_worker) > 1:
        # Answer hits here: a warm cache then costs no process start-up at all.
        pending = []
        for request in unique:
            found = _cached(request, cache)
            if found is None:
                pending.append(request)
            else:
                results[request] = found
    processes = min(workers, len(pending) // per_worker, len(_groups(pending)))
    if processes > 1 and context is not None:
        results.update(_in_processes(pending, cache, out_dir, processes, max_source_pixels,
                                     context))
    else:
        for group in _groups(pending):
            results.update(_prepare_group(group, cache, out_dir, max_source_pixels))
    failed = sum(isinstance(result, ImageError) for result in results.values())
    logger.debug("prepared %d images (%d processed, %d failed) with %d processes in %.2f s",
                 len(unique), len(pending), failed, max(1, processes),
                 time.perf_counter() - started)
    return {request: results[request] for request in requests}
