"""Benchmark the image stage against a bare Pillow loop over the same images.

    python bench/bench_images.py [DIRECTORY] [--workers N] [--repeat N]

DIRECTORY is searched recursively for images (by content, not name); by default it is
``../shared/seed-site/assets/Images`` beside the repository, and when that is absent eight
synthetic 4032x3024 JPEGs (with EXIF and GPS) are generated in a temporary directory.

Both sides use the EPUB profile (1600 px long edge, 4 Mpx, quality 82) with a cold cache:

* bare loop: ``Image.open -> draft -> resize(LANCZOS) -> save`` (progressive optimised JPEG,
  or level-6 PNG for images with alpha) — no orientation, colour management, metadata stripping,
  content sniffing, hashing or caching;
* stage: ``prepare_images(..., cache=ImageCache(temporary=True), workers=1)``.

Prints the best wall time of ``--repeat`` runs for each, their ratio (goal <= 1.5x), the output
sizes, a warm-cache time and a parallel time, and checks that no stage output carries EXIF,
GPS, XMP or ICC data. Exits non-zero if that check fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from converter.images import (
    ImageCache,
    ImageError,
    ImageProfile,
    ImageRequest,
    PreparedImage,
    prepare_images,
    sniff_image_type,
)
from converter.images.prepare import MIN_REQUESTS_PER_FORKED_WORKER, MIN_REQUESTS_PER_WORKER
from converter.images.raster import fit_size
from converter.processes import forks, helper_context

DEFAULT_DIR = REPO.parent / "shared" / "seed-site" / "assets" / "Images"
PROFILE = ImageProfile(max_long_edge=1600, max_pixels=4_000_000, jpeg_quality=82)
RASTER_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}


def synthetic_images(directory: Path, count: int = 8) -> list[Path]:
    """Photo-like 4032x3024 JPEGs carrying EXIF with a GPS IFD, as a phone writes them."""
    paths = []
    for index in range(count):
        small = Image.effect_noise((126, 94), 60).convert("RGB")
        image = small.resize((4032, 3024), Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(image)
        for step in range(0, 4032, 288):
            top = (step * 3 + index * 400) % 2500
            draw.ellipse((step, top, step + 500, top + 500), width=12,
                         outline=((step * 7) % 256, (index * 40) % 256, 200))
        exif = Image.Exif()
        exif[0x010F] = "BenchPhone"
        exif.get_ifd(0x8825).update({1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)})
        path = directory / f"synthetic-{index}.jpg"
        image.save(path, "JPEG", quality=92, exif=exif)
        paths.append(path)
    return paths


def find_images(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and sniff_image_type(p) in RASTER_TYPES)


def bare_loop(paths: list[Path], out_dir: Path) -> list[Path]:
    """What a naive script does: open, draft, resize, save."""
    outputs = []
    for index, path in enumerate(paths):
        source = Image.open(path)
        size = fit_size(*source.size, max_long_edge=PROFILE.max_long_edge,
                        max_pixels=PROFILE.max_pixels)
        source.draft("RGB", size)
        image = source.resize(size, Image.Resampling.LANCZOS)
        if image.mode in ("RGB", "L"):
            target = out_dir / f"{index}.jpg"
            image.save(target, "JPEG", quality=PROFILE.jpeg_quality, optimize=True, progressive=True)
        else:
            target = out_dir / f"{index}.png"
            image.save(target, "PNG", compress_level=6)
        outputs.append(target)
    return outputs


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the pool's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, float, object]:
    """The best wall time of ``repeat`` runs, the CPU time of that run, and its result."""
    best, best_cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), cpu_seconds()
        result = run()
        wall = time.perf_counter() - started
        if wall < best:
            best, best_cpu = wall, cpu_seconds() - cpu
    return best, best_cpu, result


def leaks(path: Path) -> list[str]:
    """The kinds of metadata found in an output file."""
    data = path.read_bytes()
    found = []
    with Image.open(path) as image:
        exif = image.getexif()
        if len(exif) or b"Exif\x00\x00" in data:
            found.append("EXIF")
        if exif.get_ifd(0x8825) or 0x8825 in exif:
            found.append("GPS")
        if b"http://ns.adobe.com/xap" in data or "xmp" in image.info:
            found.append("XMP")
        if image.info.get("icc_profile") or b"ICC_PROFILE" in data or b"iCCP" in data:
            found.append("ICC")
        if image.info.get("comment"):
            found.append("comment")
    return found


def megabytes(paths: list[Path]) -> float:
    return sum(p.stat().st_size for p in paths) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hanji-bench-") as scratch_name:
        scratch = Path(scratch_name)
        directory = args.directory or DEFAULT_DIR
        if directory.is_dir():
            paths = find_images(directory)
            print(f"images: {len(paths)} from {directory}")
        else:
            print(f"{directory} is absent: generating 8 synthetic 4032x3024 JPEGs")
            (scratch / "src").mkdir()
            paths = synthetic_images(scratch / "src")
        if not paths:
            print("no images found")
            return 1
        print(f"input: {megabytes(paths):.1f} MB; profile: long edge {PROFILE.max_long_edge} px, "
              f"{PROFILE.max_pixels:,} px, quality {PROFILE.jpeg_quality}")
        requests = [ImageRequest(source=p, profile=PROFILE) for p in paths]

        def run_bare() -> list[Path]:
            out = Path(tempfile.mkdtemp(dir=scratch))
            return bare_loop(paths, out)

        def run_stage(workers: int) -> Callable[[], dict[ImageRequest, PreparedImage | ImageError]]:
            def run() -> dict[ImageRequest, PreparedImage | ImageError]:
                with ImageCache(temporary=True) as cold:  # a new, empty cache every run
                    results = prepare_images(requests, cache=cold, workers=workers)
                    # Keep the files past the cache's cleanup, for the checks below.
                    kept = Path(tempfile.mkdtemp(dir=scratch))
                    for result in results.values():
                        if isinstance(result, PreparedImage):
                            os.link(result.path, kept / result.path.name)
                    return {r: (PreparedImage(kept / p.path.name, p.media_type, p.width, p.height,
                                              p.source) if isinstance(p, PreparedImage) else p)
                            for r, p in results.items()}
            return run

        bare_time, bare_cpu, bare_outputs = best_of(args.repeat, run_bare)
        stage_time, stage_cpu, stage_results = best_of(args.repeat, run_stage(1))
        assert isinstance(bare_outputs, list) and isinstance(stage_results, dict)
        parallel_time, parallel_cpu, _ = best_of(args.repeat, run_stage(args.workers))
        with ImageCache(temporary=True) as warm:
            prepare_images(requests, cache=warm)
            warm_time, _, _ = best_of(args.repeat, lambda: prepare_images(requests, cache=warm))

        prepared = [r for r in stage_results.values() if isinstance(r, PreparedImage)]
        failures = [r for r in stage_results.values() if isinstance(r, ImageError)]
        ratio = stage_time / bare_time
        print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; wall times "
              f"are the best of {args.repeat} runs, CPU times do not count other processes' load")
        print(f"bare loop (open/draft/resize/save): {bare_time:7.3f} s wall {bare_cpu:7.3f} s CPU  "
              f"{1000 * bare_time / len(paths):6.1f} ms/image  output {megabytes(bare_outputs):.2f} MB")
        print(f"image stage, cold cache, 1 worker:  {stage_time:7.3f} s wall {stage_cpu:7.3f} s CPU  "
              f"{1000 * stage_time / len(paths):6.1f} ms/image  "
              f"output {megabytes([p.path for p in prepared]):.2f} MB")
        print(f"ratio stage / bare: {ratio:.2f}x wall, {stage_cpu / bare_cpu:.2f}x CPU "
              f"(goal <= 1.5x): {'OK' if ratio <= 1.5 else 'OVER'}")
        forked = forks(helper_context())
        per_worker = MIN_REQUESTS_PER_FORKED_WORKER if forked else MIN_REQUESTS_PER_WORKER
        processes = min(args.workers, len(paths) // per_worker, len(paths))
        print(f"image stage, cold cache, workers={args.workers}: {parallel_time:7.3f} s wall "
              f"{parallel_cpu:7.3f} s CPU ({max(1, processes)} {'forked' if forked else 'spawned'} "
              f"process(es), {per_worker}+ images per worker; start-up included)")
        print(f"image stage, warm cache:            {warm_time:7.3f} s wall")
        for result in prepared:
            print(f"  {result.source.name:36} -> {result.media_type:10} {result.width}x{result.height}"
                  f"  {result.path.stat().st_size / 1e3:8.1f} kB")
        for error in failures:
            print(f"  failed: {error}")
        bare_leaks = sorted({kind for p in bare_outputs for kind in leaks(p)})
        stage_leaks = {p.source.name: leaks(p.path) for p in prepared if leaks(p.path)}
        print(f"metadata in bare-loop outputs: {', '.join(bare_leaks) or 'none'}")
        print(f"metadata in stage outputs: {stage_leaks or 'none (no EXIF, GPS, XMP, ICC)'}")
        return 1 if stage_leaks or failures else 0


if __name__ == "__main__":
    sys.exit(main())
