"""Benchmark for issue 16 (speed): hanji against both pandoc routes, side by side, in one run.

Every command is a separate process; the commands of one round run one after another and the
rounds repeat (alternating A/B/C…), so a loaded machine slows every row alike; the table shows
medians and the ratios between rows of the same run, which mean more than absolute times.

Seed post (``../shared/seed-site``), each round:

- hanji PDF+EPUB with a cold image cache (a fresh ``--cache-dir``);
- hanji EPUB only, cold (``--format epub``), and its ratio to PDF+EPUB;
- with ``--baseline DIR``: the same PDF+EPUB command run from another checkout (e.g. main);
- pandoc's two-step route: pandoc -> standalone HTML, then ``weasyprint.HTML().write_pdf()``;
- pandoc's documented route: ``pandoc --pdf-engine=weasyprint``.

Both pandoc routes use ``../shared/anchors/siteroot.lua`` so that they find the post's images
(without it they skip all 11 photos and finish in a fraction of the time). Then the outputs are
compared: hanji's page count, text and sizes (with ``--baseline``, against the baseline's).

``--corpus N`` converts the first N posts of each corpus blog (0: all 393) with a cold cache,
``-j 1``, ``-j 2`` and ``-j 2 --format epub``: posts per minute, the -j 2/-j 1 scaling and how
much faster EPUB alone is (goal: 3x).

``--book BLOG`` builds a corpus blog as one book: cold, then after a one-post edit; wall time,
CPU seconds (all processes) and peak memory summed over all processes; with ``--baseline``, the
baseline's builds alternate with hanji's and the outputs are compared.

    python bench/bench_speed.py [--runs 5] [--baseline ../main] [--book danbi-ncsoft] [--corpus 4]

Reads ../shared (seed site, anchors, corpus) and says so when it is missing. hanji keeps
WeasyPrint's prebuilt C declarations in the user cache dir (made by the first run after an
install, like ``.pyc`` files); a cold ``--cache-dir`` does not remove them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_convert import pandoc_path, tree_rss_mib

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SITE = SHARED / "seed-site"
SEED_POST = SITE / "_posts" / "2019-07-03-nvidia-ai-conference-2019.md"
FILTER = SHARED / "anchors" / "siteroot.lua"


def tree_cpu_seconds(root: int) -> dict[int, float]:
    """User + system CPU seconds of process ``root`` and each of its descendants now, by pid
    (Linux /proc, else empty)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
            except (OSError, IndexError, ValueError):
                continue
    found: dict[int, float] = {}
    pending = [root]
    while pending:
        pid = pending.pop()
        if pid in times:
            found[pid] = times[pid]
        pending.extend(child for child, parent in parents.items() if parent == pid)
    return found


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
        tree: bool = False) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak memory (MiB: the command's own, or with ``tree`` the
    largest sum over it and its helpers). CPU: the command and its waited-for helpers, or with
    ``tree`` at least the sum over every process of the tree, each as last seen (processes a
    fork server starts are not the command's waited-for children; sampled every 0.2 s, so each
    process's last 0.2 s may be missed). A failing command is reported on stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    peak = 0
    seen: dict[int, float] = {}
    if tree:
        import threading

        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                peak = max(peak, tree_rss_mib(proc.pid))
                for pid, cpu in tree_cpu_seconds(proc.pid).items():
                    seen[pid] = max(cpu, seen.get(pid, 0.0))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if tree:
        done.set()
        sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(f"command failed ({code}): {' '.join(cmd)}\n"
                         f"{stderr.decode('utf-8', 'replace')[-2000:]}\n")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, max(cpu, sum(seen.values())), (peak if tree else usage.ru_maxrss // 1024)


def pdf_pages_and_text(pdf: Path) -> tuple[int, str]:
    """Page count and text (pdftotext) of a PDF; (0, "") when it is missing."""
    if not pdf.exists():
        return 0, ""
    from pypdf import PdfReader

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    return len(PdfReader(pdf).pages), text


def hanji_cmd(checkout: Path, post: Path, out: Path, cache: Path, *fmt: str) -> tuple[list[str],
                                                                                    dict[str, str]]:
    """``python -m converter convert`` to run from ``checkout`` (its own package first on the
    path, whatever is installed; ``-m`` puts the working directory before ``PYTHONPATH``, so
    each command runs in its checkout)."""
    env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONWARNINGS="ignore")
    return ([sys.executable, "-m", "converter", "-q", "convert", str(post), "-o", str(out),
             "--cache-dir", str(cache), *fmt], env)


def bench_seed(runs: int, baseline: Path | None, with_pandoc: bool) -> None:
    if not SEED_POST.exists():
        print(f"seed post not found at {SEED_POST} (../shared absent): skipping the seed post")
        return
    pandoc = pandoc_path() if with_pandoc else None
    if with_pandoc and not pandoc:
        print("pandoc not found: the pandoc rows are skipped")
    if pandoc and not FILTER.exists():
        print(f"{FILTER} not found (../shared/anchors absent): the pandoc rows are skipped")
        pandoc = None
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-speed-"))
    cache = work / "cache"
    bin_dir = str(Path(sys.executable).parent)
    pandoc_env = dict(os.environ, PATH=f"{bin_dir}:{os.environ.get('PATH', '')}",
                      PYTHONWARNINGS="ignore")
    common = [f"--resource-path={SITE}", f"--lua-filter={FILTER}", "-f", "markdown"]

    def cold(checkout: Path, out: str, *fmt: str) -> Callable[[], tuple[float, float, int]]:
        def go() -> tuple[float, float, int]:
            shutil.rmtree(cache, ignore_errors=True)
            cmd, env = hanji_cmd(checkout, SEED_POST, work / out, cache, *fmt)
            return run(cmd, cwd=checkout, env=env)
        return go

    def two_step() -> tuple[float, float, int]:
        html = work / "pandoc.html"
        a = run([str(pandoc), str(SEED_POST), *common, "-s", "-o", str(html)], cwd=SITE)
        b = run([sys.executable, "-c", "import sys,weasyprint;weasyprint.HTML(sys.argv[1],"
                 "base_url=sys.argv[2]).write_pdf(sys.argv[3])", str(html), f"{SITE}/",
                 str(work / "two-step.pdf")], env=pandoc_env)
        return a[0] + b[0], a[1] + b[1], max(a[2], b[2])

    def documented() -> tuple[float, float, int]:
        return run([str(pandoc), str(SEED_POST), *common, "--pdf-engine=weasyprint", "-o",
                    str(work / "documented.pdf")], cwd=SITE, env=pandoc_env)

    rows: dict[str, Callable[[], tuple[float, float, int]]] = {
        "hanji pdf+epub, cold": cold(REPO, "out"),
        "hanji epub only, cold": cold(REPO, "epub", "--format", "epub"),
    }
    if baseline:
        rows["baseline pdf+epub, cold"] = cold(baseline, "base")
    if pandoc:
        rows["pandoc two-step pdf"] = two_step
        rows["pandoc documented pdf"] = documented
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, go in rows.items():
            results[name].append(go())
    median = {name: statistics.median(w for w, _, _ in values) for name, values in results.items()}
    print(f"seed post {SEED_POST.name}: {runs} alternating rounds, median wall (min-max), "
          "median CPU-s, peak RSS of the main process")
    for name, values in results.items():
        walls = [w for w, _, _ in values]
        print(f"  {name:26s} {median[name]:6.2f} s ({min(walls):.2f}-{max(walls):.2f})  "
              f"CPU {statistics.median(c for _, c, _ in values):5.2f} s  "
              f"peak {max(p for _, _, p in values)} MiB")
    both = median["hanji pdf+epub, cold"]
    print("  ratios (same run):")
    print(f"    epub only / pdf+epub              {median['hanji epub only, cold'] / both:.2f}")
    if baseline:
        print(f"    pdf+epub / baseline pdf+epub      {both / median['baseline pdf+epub, cold']:.2f}")
    if pandoc:
        print(f"    pdf+epub / pandoc two-step        {both / median['pandoc two-step pdf']:.2f}"
              "  (goal <= 0.5)")
        print(f"    pdf+epub / pandoc documented      {both / median['pandoc documented pdf']:.2f}"
              "  (goal <= 0.2)")
    pdf = work / "out" / f"{SEED_POST.stem}.pdf"
    pages, text = pdf_pages_and_text(pdf)
    epub = pdf.with_suffix(".epub")
    print(f"  hanji output: {pages} pages, pdf {os.path.getsize(pdf) / 1e6:.2f} MB, "
          f"epub {os.path.getsize(epub) / 1e6:.2f} MB")
    if baseline:
        base_pdf = work / "base" / pdf.name
        base_pages, base_text = pdf_pages_and_text(base_pdf)
        size = os.path.getsize(pdf) / os.path.getsize(base_pdf)
        esize = os.path.getsize(epub) / os.path.getsize(base_pdf.with_suffix(".epub"))
        print(f"  vs baseline: pages {pages} / {base_pages}, text "
              f"{'identical' if text == base_text else 'DIFFERENT'}, pdf size x{size:.3f}, "
              f"epub size x{esize:.3f}")
    if pandoc:
        print(f"  pandoc pdfs: two-step {os.path.getsize(work / 'two-step.pdf') / 1e6:.2f} MB, "
              f"documented {os.path.getsize(work / 'documented.pdf') / 1e6:.2f} MB "
              "(images embedded when several MB)")
    shutil.rmtree(work, ignore_errors=True)


def bench_book(blog: str, baseline: Path | None) -> None:
    """``hanji book`` on a corpus blog: cold, then after editing one post of a copy of it (the
    caches are keyed by content); with a baseline checkout, both alternate (own caches)."""
    root = SHARED / "corpus" / blog
    if not root.exists():
        print(f"corpus blog {root} not found (../shared absent): skipping the book")
        return
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-book-"))
    site = work / "site"
    shutil.copytree(root, site)
    checkouts = {"hanji": REPO, **({"baseline": baseline} if baseline else {})}

    def book(name: str, out: str) -> tuple[float, float, int]:
        env = dict(os.environ, PYTHONPATH=str(checkouts[name]), PYTHONWARNINGS="ignore")
        return run([sys.executable, "-m", "converter", "-q", "book", str(site), "--title",
                    f"{blog} book", "--cache-dir", str(work / f"cache-{name}"), "-o",
                    str(work / f"{out}-{name}")], cwd=checkouts[name], env=env, tree=True)

    cold = {name: book(name, "cold") for name in checkouts}
    posts = sorted((site / "_posts").rglob("*.m*"))
    edited = posts[len(posts) // 2]
    edited.write_text(edited.read_text(encoding="utf-8")
                      + "\n\n다시 빌드하는 시간을 재려고 덧붙인 문단입니다.\n", encoding="utf-8")
    warm = {name: book(name, "rebuilt") for name in checkouts}
    for name in checkouts:
        pdfs = sorted((work / f"cold-{name}").glob("*.pdf"))
        pages, text = pdf_pages_and_text(pdfs[0]) if pdfs else (0, "")
        sizes = {p.suffix: p.stat().st_size / 1e6 for p in (work / f"cold-{name}").glob("*.*")}
        print(f"book of {blog} by {name} ({len(posts)} posts, {pages} pages, "
              + ", ".join(f"{k[1:]} {v:.2f} MB" for k, v in sorted(sizes.items())) + "):")
        c, w = cold[name], warm[name]
        print(f"  cold            {c[0]:6.1f} s wall, {c[1]:6.1f} CPU-s, peak {c[2]} MiB "
              "all processes (goals <= 30 s, <= 1.5 GB)")
        print(f"  one post edited {w[0]:6.1f} s wall, {w[1]:6.1f} CPU-s, peak {w[2]} MiB "
              "(goal <= 5 s)")
        if name == "baseline":
            base_pdf = sorted((work / "cold-baseline").glob("*.pdf"))
            own_pdf = sorted((work / "cold-hanji").glob("*.pdf"))
            if base_pdf and own_pdf:
                own_pages, own_text = pdf_pages_and_text(own_pdf[0])
                print(f"  hanji vs baseline: pages {own_pages} / {pages}, text "
                      f"{'identical' if own_text == text else 'DIFFERENT'}, pdf size "
                      f"x{own_pdf[0].stat().st_size / base_pdf[0].stat().st_size:.3f}; "
                      f"wall cold x{cold['hanji'][0] / c[0]:.2f}, CPU cold "
                      f"x{cold['hanji'][1] / c[1]:.2f}, edit wall x{warm['hanji'][0] / w[0]:.2f}")
    shutil.rmtree(work, ignore_errors=True)


def corpus_posts(per_blog: int) -> list[Path]:
    """The first ``per_blog`` posts (by file name) of each corpus blog; all with 0."""
    posts: list[Path] = []
    for blog in sorted(p for p in (SHARED / "corpus").iterdir() if p.is_dir()):
        found = sorted(p for p in blog.rglob("*") if "_posts" in p.relative_to(blog).parts
                       and p.suffix.lower() in {".md", ".markdown"} and p.is_file())
        posts.extend(found[:per_blog] if per_blog else found)
    return posts


def bench_corpus(per_blog: int, baseline: Path | None) -> None:
    """``hanji convert`` over corpus posts with a cold cache: ``-j 1`` and ``-j 2`` (PDF and
    EPUB), and ``-j 2 --format epub``; posts per minute of wall time and CPU seconds per post.
    With a baseline checkout, its runs alternate with hanji's."""
    if not (SHARED / "corpus").is_dir():
        print(f"{SHARED / 'corpus'} not found (../shared absent): skipping the corpus")
        return
    posts = corpus_posts(per_blog)
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-corpus-"))
    checkouts = {"hanji": REPO, **({"baseline": baseline} if baseline else {})}
    runs = {"-j 1 pdf+epub": ["-j", "1"], "-j 2 pdf+epub": ["-j", "2"],
            "-j 2 epub only": ["-j", "2", "--format", "epub"]}
    results: dict[tuple[str, str], tuple[float, float, int]] = {}
    for label, flags in runs.items():
        for name, checkout in checkouts.items():
            shutil.rmtree(work / "cache", ignore_errors=True)
            shutil.rmtree(work / "out", ignore_errors=True)
            env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONWARNINGS="ignore")
            results[(name, label)] = run(
                [sys.executable, "-m", "converter", "-q", "convert", *map(str, posts), "-o",
                 str(work / "out"), "--cache-dir", str(work / "cache"), *flags], cwd=checkout,
                env=env, tree=True)
    scope = f"the first {per_blog} posts of each blog" if per_blog else "every post"
    print(f"corpus ({scope}: {len(posts)} posts), cold cache, wall / CPU-s (all processes):")
    for name in checkouts:
        for label in runs:
            wall, cpu, _ = results[(name, label)]
            print(f"  {name:8s} {label:15s} {wall:7.1f} s  {cpu:7.1f} CPU-s  "
                  f"{len(posts) / wall * 60:6.1f} posts/min  {cpu / len(posts):5.2f} CPU-s/post")
        j1, j2 = results[(name, "-j 1 pdf+epub")], results[(name, "-j 2 pdf+epub")]
        epub = results[(name, "-j 2 epub only")]
        print(f"  {name:8s} -j 2 / -j 1 speed-up x{j1[0] / j2[0]:.2f} (wall); "
              f"EPUB only vs PDF+EPUB at -j 2: x{j2[0] / epub[0]:.2f} faster (wall), "
              f"x{j2[1] / epub[1]:.2f} (CPU)  (goal >= 3)")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", type=Path, default=None, metavar="CHECKOUT",
                        help="also run hanji from this checkout (e.g. ../main), alternating")
    parser.add_argument("--no-pandoc", action="store_true", help="skip the pandoc routes")
    parser.add_argument("--no-seed", action="store_true", help="skip the seed post")
    parser.add_argument("--book", default=None, metavar="BLOG",
                        help="also build this corpus blog as one book, cold and after an edit")
    parser.add_argument("--corpus", type=int, default=None, metavar="N",
                        help="also convert the first N posts of each corpus blog (0: all) "
                        "with -j 1, -j 2 and EPUB only")
    args = parser.parse_args()
    if not args.no_seed:
        bench_seed(args.runs, args.baseline.resolve() if args.baseline else None,
                   not args.no_pandoc)
    if args.book:
        bench_book(args.book, args.baseline.resolve() if args.baseline else None)
    if args.corpus is not None:
        bench_corpus(args.corpus, args.baseline.resolve() if args.baseline else None)


if __name__ == "__main__":
    main()
