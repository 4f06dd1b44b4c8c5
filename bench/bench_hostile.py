"""Benchmark: pathological posts and thousands of mutated posts, counting seconds, exit codes,
tracebacks and hangs.

``--classes`` (on by default): one post of each pathological class (Liquid loops, deep quotes
and lists, huge Markdown and HTML tables, thousands of footnotes, a post near and past the
size limit) through the real command, ``hanji convert`` with its default settings (PDF and
EPUB), each run cold in a fresh cache; prints per class the wall seconds, the CPU seconds of
the conversion and all its helpers (on a loaded machine wall time grows, CPU time does not),
the exit code and the warning or error line. The must-show: each ends within ``--limit``
seconds with exit 0 and a warning (a class at a limit, not past it, converts whole: no
warning), or exit 1 and a one-line error, no traceback, no partial file. Words and Korean
without spaces, tables, footnotes and long posts cost PDF layout time; the limits in
``converter/dialect/limits.py`` say what each costs.

Then two runs on seeded mutations of real-looking posts of our own (``tests/_mutations.py``):

* ``--posts N`` (default 10,000): each post up to the finished HTML book without layout
  (load → Liquid/Markdown → transforms → chapter), in groups of 50 assembled as one book whose
  chapters are serialised; spread over ``-j`` processes.
* ``--full M`` (default 300): each post through the real pipeline to PDF and EPUB
  (``run_batch``, its per-post timeout and memory limit).

A *traceback* is any exception other than :class:`converter.HanjiError` (for the full run:
a post whose error says "internal error"); a *hang* is a post past ``--limit`` seconds.
Prints counts and times. Reads nothing from ../shared.

    python bench/bench_hostile.py [--classes | --no-classes] [--only KIND …] [--posts 10000]
                                  [--full 300] [-j 2] [--limit 10]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import resource
import subprocess
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


def _table(rows: int, columns: int) -> str:
    head = "| " + " | ".join(f"열{c}" for c in range(columns)) + " |\n"
    return head + "|" + "---|" * columns + "\n" + "".join(
        "| " + " | ".join(f"값 {r}.{c}" for c in range(columns)) + " |\n" for r in range(rows))


def _html_table(rows: int, columns: int) -> str:
    return "<table>\n" + "".join(
        "<tr>" + "".join(f"<td>값 {r}.{c}</td>" for c in range(columns)) + "</tr>\n"
        for r in range(rows)) + "</table>\n"


def _list(depth: int) -> str:
    return "".join("    " * level + f"- 항목 {level}\n" for level in range(depth))


def _footnotes(count: int) -> str:
    return ("".join(f"문장 {i}에 주석이 붙습니다.[^{i}] " for i in range(count)) + "\n\n"
            + "".join(f"[^{i}]: 주석 {i}의 내용입니다.\n" for i in range(count)))


def _prose(size: int) -> str:
    paragraph = ("한지는 지킬 블로그의 글을 책으로 만듭니다. 이 문단은 크기를 채우려고 "
                 "되풀이됩니다. Hanji turns posts into books.\n\n")
    return paragraph * (size // len(paragraph.encode("utf-8")))


#: Pathological classes: name → the post's Markdown body (front matter is added). Sizes sit at
#: the default limits (the worst a post may do undegraded) and far past them.
CLASSES: dict[str, str] = {
    "liquid-loop": "시작\n\n{% for i in (1..100000000) %}{{ i }}{% endfor %}\n\n끝\n",
    "liquid-nested": "시작\n\n{% for i in (1..1000) %}{% for j in (1..1000) %}"
                     "{% for k in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}\n",
    "liquid-doubling": '{% assign s = "xy" %}\n' + "{% assign s = s | append: s %}\n" * 40
                       + "{{ s }}\n",
    "liquid-growth": "시작\n\n{% for i in (1..99999) %}한 줄이 되풀이되어 글이 커집니다 {{ i }}.\n\n"
                     "{% endfor %}\n",
    "quotes-3000": "시작\n\n" + ">" * 3000 + " 인용\n",
    "list-12": "시작\n\n" + "".join(_list(12) for _ in range(20)),
    "list-120": "시작\n\n" + _list(120),
    "list-400-2sp": "시작\n\n" + "".join("  " * i + "- 항목\n" for i in range(400)),
    "html-lists-95": "시작\n\n<div>\n" + "<ul><li>항목 " * 95 + "깊은 곳의 긴 문장입니다. " * 200
                     + "</li></ul>" * 95 + "\n</div>\n",
    "html-quotes-95": "시작\n\n" + "<blockquote>" * 95 + "깊은 곳의 긴 문장입니다. " * 200
                      + "</blockquote>" * 95 + "\n",
    "table-2500": "시작\n\n" + _table(124, 20),
    "html-table-2500": "시작\n\n" + _html_table(125, 20),
    "table-20000": "시작\n\n" + "| a | b | c | d | e | f | g | h | i | j |\n" + "|-" * 10 + "|\n"
                   + "| 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 0 |\n" * 2000,
    "html-table-20000": "시작\n\n<table>\n" + ("<tr>" + "<td>1" * 20 + "\n") * 1000
                        + "</table>\n\n끝\n",
    "footnotes-100": _footnotes(100),
    "footnotes-500": _footnotes(500),
    "footnotes-5000": "".join(f"말[^{i}] " for i in range(5000)) + "\n\n"
                      + "".join(f"[^{i}]: 주{i}\n" for i in range(5000)),
    "word-150k": "시작\n\n" + "x" * 150_000 + "\n",
    "hangul-50k": "시작\n\n" + "가" * 50_000 + "\n",
    "post-160k": _prose(160 * 1024 - 200),
    "post-8mb": _prose(8 * 1024 * 1024),
}


#: Classes at a limit, not past it: the heaviest post converted whole (exit 0, no warning).
AT_LIMIT = {"list-12", "table-2500", "html-table-2500", "footnotes-100", "word-150k",
            "hangul-50k", "post-160k"}


def _warning_line(output: str) -> str:
    """The first line of ``output`` that is a warning or a failure (else the last line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("warning:", "failed")) or "warning" in line.split(":")[0]:
            return line
    return lines[-1] if lines else ""


def _children_cpu() -> float:
    """CPU seconds of the waited-for children so far (a conversion and every helper of it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def class_run(names: list[str], limit: float, folder: Path) -> int:
    """Each class through ``hanji convert`` (defaults: PDF and EPUB): seconds, exit code and
    warning line. Returns the number of classes that missed the must-show."""
    posts = make_site(folder)
    (posts / "2020-04-24-serial-uart.md").unlink()
    missed = 0
    print(f"load average {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPUs")
    print(f"{'class':18} {'seconds':>7} {'cpu s':>6} exit  warning or error")
    for name in names:
        post = posts / f"2020-01-01-{name}.md"
        post.write_text(f"---\ntitle: \"{name}\"\n---\n\n{CLASSES[name]}", encoding="utf-8")
        out = folder / f"out-{name}"
        began = time.perf_counter()
        cpu = _children_cpu()
        try:
            run = subprocess.run([sys.executable, "-m", "converter", "-v", "convert", str(post),
                                  "-o", str(out), "--cache-dir", str(folder / f"cache-{name}")],
                                 capture_output=True, text=True,
                                 timeout=max(limit * 12, 60))
            code, output = run.returncode, run.stdout + run.stderr
        except subprocess.TimeoutExpired as exc:
            code, output = -9, f"killed after {exc.timeout:.0f} s"
        seconds = time.perf_counter() - began
        cpu = _children_cpu() - cpu
        post.unlink()
        made = sorted(p.name for p in out.iterdir()) if out.exists() else []
        expected = ([f"{post.stem}.epub", f"{post.stem}.pdf"] if code == 0 else [])
        line = _warning_line(output)
        ok = (seconds <= limit and code in (0, 1) and "Traceback" not in output
              and made == expected and (code == 1 or "warning" in output or name in AT_LIMIT))
        missed += not ok
        print(f"{name:18} {seconds:7.1f} {cpu:6.1f} {code:4}  {line[:160]}"
              + ("" if ok else f"   <-- MISSED (outputs {made})"), flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} (1 min)")
    return missed


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
    parser.add_argument("--classes", action=argparse.BooleanOptionalAction, default=True,
                        help="time each pathological class through hanji convert")
    parser.add_argument("--only", nargs="+", choices=sorted(CLASSES), default=None,
                        help="the classes to run (default: all)")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--full", type=int, default=300)
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--limit", type=float, default=10.0,
                        help="seconds after which a post counts as hung")
    args = parser.parse_args()
    missed = 0
    with tempfile.TemporaryDirectory(prefix="hanji-hostile-") as folder:
        if args.classes:
            missed = class_run(args.only or list(CLASSES), args.limit, Path(folder) / "classes")
        if args.posts:
            html_run(args.posts, args.jobs, args.limit, Path(folder) / "html")
        if args.full:
            full_run(args.full, args.jobs, args.limit, Path(folder) / "full")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
