"""Benchmark: thousands of mutated posts through the pipeline, counting tracebacks and hangs.

Two runs, on seeded mutations of real-looking posts of our own (``tests/_mutations.py``):

* ``--posts N`` (default 10,000): each post up to the finished HTML book without layout
  (load → Liquid/Markdown → transforms → chapter), in groups of 50 assembled as one book whose
  chapters are serialised; spread over ``-j`` processes.
* ``--full M`` (default 300): each post through the real pipeline to PDF and EPUB
  (``run_batch``, its per-post timeout and memory limit).

A *traceback* is any exception other than :class:`converter.HanjiError` (for the full run:
a post whose error says "internal error"); a *hang* is a post past ``--limit`` seconds.
Prints counts and times. Reads nothing from ../shared.

    python bench/bench_hostile.py [--posts 10000] [--full 300] [-j 2] [--limit 10]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from _mutations import hostile_post, make_site

import converter
from converter.batch import PostTimeout, run_batch, time_limit
from converter.diagnostics import Diagnostics
from converter.errors import HanjiError
from converter.post import load_post
from converter.series import BookConfig, assemble_book

GROUP = 50


def _html_group(args: tuple[int, int, str, float]) -> tuple[int, int, list[str], float, int]:
    """Posts ``start``..``start + GROUP`` up to the book's HTML: (posts, hangs, tracebacks,
    seconds of the slowest post, chapters)."""
    from lxml import html

    start, count, folder, limit = args
    logging.getLogger().setLevel(logging.CRITICAL)
    logging.getLogger("converter").setLevel(logging.CRITICAL)
    posts_dir = Path(folder) / "_posts"
    options = converter.Options(formats=("epub",), jobs=1, timeout=limit)
    hangs, problems, slowest, loaded = 0, [], 0.0, []
    for seed in range(start, start + count):
        path = posts_dir / f"2021-01-01-m{seed}.md"
        path.write_bytes(hostile_post(seed))
        began = time.perf_counter()
        try:
            with time_limit(limit):
                loaded.append(load_post(path))
        except PostTimeout:
            hangs += 1
        except HanjiError:
            pass
        except Exception:  # noqa: BLE001 - counted and shown
            problems.append(f"seed {seed}: {traceback.format_exc(limit=-3)}")
        slowest = max(slowest, time.perf_counter() - began)
    chapters = 0
    began = time.perf_counter()
    try:
        # assemble_book applies the per-post timeout itself and skips what fails.
        book, _ = assemble_book(BookConfig(title="책"), options, loaded, Diagnostics())
        for chapter in book.chapters:
            html.tostring(chapter.body, encoding="unicode")
        chapters = len(book.chapters)
    except HanjiError as exc:
        problems.append(f"group {start}: {exc}") if "no post" not in str(exc) else None
    except Exception:  # noqa: BLE001
        problems.append(f"group {start}: {traceback.format_exc(limit=-3)}")
    hangs += int(time.perf_counter() - began > limit * max(1, len(loaded)))
    for seed in range(start, start + count):
        (posts_dir / f"2021-01-01-m{seed}.md").unlink(missing_ok=True)
    return count, hangs, problems, slowest, chapters


def html_run(total: int, jobs: int, limit: float, folder: Path) -> None:
    make_site(folder)
    groups = [(start, min(GROUP, total - start), str(folder), limit)
              for start in range(0, total, GROUP)]
    began = time.perf_counter()
    done = hangs = chapters = 0
    problems: list[str] = []
    slowest = 0.0
    with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
        for count, hung, failed, slow, made in pool.imap_unordered(_html_group, groups):
            done += count
            hangs += hung
            chapters += made
            problems += failed
            slowest = max(slowest, slow)
    seconds = time.perf_counter() - began
    print(f"HTML book: {done} mutated posts, {chapters} chapters built, "
          f"{len(problems)} tracebacks, {hangs} hangs, {seconds:.0f} s "
          f"({seconds / max(1, done) * 1000:.0f} ms/post wall with -j {jobs})")
    for problem in problems[:5]:
        print(problem)


def full_run(total: int, jobs: int, limit: float, folder: Path) -> None:
    posts_dir = make_site(folder)
    posts = []
    for seed in range(1_000_000, 1_000_000 + total):
        path = posts_dir / f"2021-01-01-f{seed}.md"
        path.write_bytes(hostile_post(seed))
        posts.append(path)
    options = converter.Options(jobs=jobs, timeout=limit * 6, cache_dir=folder / "cache")
    began = time.perf_counter()
    summary = run_batch(posts, output_dir=folder / "out", options=options)
    seconds = time.perf_counter() - began
    internal = [o for o in summary.failures if "internal error" in (o.error or "")]
    timeouts = [o for o in summary.failures if "timed out" in (o.error or "")]
    slowest = max((o.seconds for o in summary.outcomes), default=0)
    print(f"PDF + EPUB: {total} mutated posts, {summary.converted} converted, "
          f"{summary.failed} failed cleanly ({len(internal)} tracebacks, {len(timeouts)} hangs), "
          f"{seconds:.0f} s, slowest post {slowest:.1f} s")
    for outcome in internal[:5] + timeouts[:5]:
        print(" ", outcome.error)


def main() -> None:
    logging.getLogger().setLevel(logging.ERROR)
    logging.getLogger("converter").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--full", type=int, default=300)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--limit", type=float, default=10.0,
                        help="seconds after which a post counts as hung")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hanji-hostile-") as folder:
        if args.posts:
            html_run(args.posts, args.jobs, args.limit, Path(folder) / "html")
        if args.full:
            full_run(args.full, args.jobs, args.limit, Path(folder) / "full")


if __name__ == "__main__":
    main()
