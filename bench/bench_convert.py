"""Benchmark: hanji on the seed post (and a corpus blog, and a book) against pandoc.

Runs each command as a separate process, alternating A/B, and prints wall time, peak RSS
(the largest process, from ``os.wait4``), output sizes and ratios. ``--book BLOG`` builds a
corpus blog as one book, cold and after editing one post (issue 6's goals); its peak RSS is
the sum over the command and its helper processes.

    python bench/bench_convert.py [--runs 3] [--blog danbi-ncsoft] [--book danbi-ncsoft]

Reads ../shared (the seed site and corpus) when present and says so when not. pandoc comes
from `pip install pypandoc_binary`; without it the pandoc rows are skipped.
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
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED_POST = SHARED / "seed-site" / "_posts" / "2019-07-03-nvidia-ai-conference-2019.md"


def tree_rss_mib(root: int) -> int:
    """Resident memory of process ``root`` and all its descendants now (MiB; Linux /proc,
    else 0). Shared pages count once per process, so this is an upper bound."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
        pending.extend(children.get(pid, []))
    return total // 2**20


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        tree: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of the command.

    The peak comes from ``os.wait4`` on this child alone (``RUSAGE_CHILDREN`` would give the
    largest of every child so far); with ``tree``, it is instead the largest sum over the
    command and all the processes it starts (its helpers), sampled every 0.2 s.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    tree_peak = 0
    if tree:
        import threading

        done = threading.Event()

        def sample() -> None:
            nonlocal tree_peak
            while not done.wait(0.2):
                tree_peak = max(tree_peak, tree_rss_mib(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if tree:
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                         f"{stderr.decode('utf-8', 'replace')[-2000:]}\n")
    return wall, (tree_peak if tree else usage.ru_maxrss // 1024)


def pandoc_path() -> str | None:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except Exception:  # noqa: BLE001 - any trouble with pypandoc: look on PATH instead
        return shutil.which("pandoc")


def size_mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else float("nan")


def image_metadata_leaks(epub: Path) -> int:
    """Images in the EPUB that still carry EXIF/GPS/XMP."""
    from io import BytesIO

    from PIL import Image

    leaks = 0
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.lower().endswith((".jpg", ".jpeg", ".png")):
                data = archive.read(name)
                image = Image.open(BytesIO(data))
                if image.getexif() or b"http://ns.adobe.com/xap" in data or b"Exif\x00" in data:
                    leaks += 1
    return leaks


def bench_seed(runs: int) -> None:
    if not SEED_POST.exists():
        print(f"seed post not found at {SEED_POST} (../shared absent): skipping seed benchmark")
        return
    pandoc = pandoc_path()
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-"))
    cache = work / "cache"
    hanji = [sys.executable, "-m", "converter", "-q", "convert", str(SEED_POST), "-o", str(work / "out"),
             "--cache-dir", str(cache)]
    site = SEED_POST.parent.parent
    rows: dict[str, list[float]] = {"hanji cold (pdf+epub)": [], "hanji warm (pdf+epub)": [],
                                    "pandoc→WeasyPrint pdf": [], "pandoc epub": []}
    rss: dict[str, int] = {}
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        wall, peak = run(hanji)
        rows["hanji cold (pdf+epub)"].append(wall)
        rss["hanji cold (pdf+epub)"] = peak
        # Edit the text (not the images): a rebuild with a warm image cache.
        edited = work / "edited" / "_posts"
        edited.mkdir(parents=True, exist_ok=True)
        text = SEED_POST.read_text(encoding="utf-8") + f"\n\n수정한 문장 {time.time()}.\n"
        post = edited / SEED_POST.name
        post.write_text(text, encoding="utf-8")
        wall, peak = run([*hanji[:5], str(post), "-o", str(work / "out2"), "--site", str(site),
                          "--cache-dir", str(cache)])
        rows["hanji warm (pdf+epub)"].append(wall)
        rss["hanji warm (pdf+epub)"] = peak
        if pandoc:
            # pandoc does not know Jekyll's site-root paths: hand-patch them so its images exist.
            patched = work / "pandoc-input.md"
            patched.write_text(SEED_POST.read_text(encoding="utf-8").replace("(/assets", "(assets")
                               .replace('"/assets', '"assets'), encoding="utf-8")
            html_out = work / "pandoc.html"
            start = time.perf_counter()
            subprocess.run([pandoc, str(patched), "-s", "-o", str(html_out),
                            f"--resource-path={site}", "--metadata", "title=seed"],
                           capture_output=True, cwd=site)
            subprocess.run([sys.executable, "-c",
                            "import sys,weasyprint;weasyprint.HTML(sys.argv[1],base_url=sys.argv[2]).write_pdf(sys.argv[3])",
                            str(html_out), str(site) + "/", str(work / "pandoc.pdf")],
                           capture_output=True)
            rows["pandoc→WeasyPrint pdf"].append(time.perf_counter() - start)
            wall, peak = run([pandoc, str(patched), "-o", str(work / "pandoc.epub"),
                              f"--resource-path={site}"], cwd=site)
            rows["pandoc epub"].append(wall)
            rss["pandoc epub"] = peak
    print(f"seed post: {SEED_POST.name}, {runs} runs each (median seconds)")
    for name, values in rows.items():
        if values:
            print(f"  {name:28s} {statistics.median(values):7.2f} s  (min {min(values):.2f}, "
                  f"max {max(values):.2f}){'' if name not in rss else f'  peak RSS {rss[name]} MiB'}")
    out = work / "out" / (SEED_POST.stem + ".pdf")
    epub = out.with_suffix(".epub")
    print(f"  hanji sizes: pdf {size_mb(out):.2f} MB, epub {size_mb(epub):.2f} MB; "
          f"EPUB images with metadata: {image_metadata_leaks(epub)}")
    if pandoc:
        print(f"  pandoc sizes: pdf {size_mb(work / 'pandoc.pdf'):.2f} MB, "
              f"epub {size_mb(work / 'pandoc.epub'):.2f} MB")
        cold = statistics.median(rows["hanji cold (pdf+epub)"])
        ref = statistics.median(rows["pandoc→WeasyPrint pdf"])
        print(f"  ratio hanji cold (both formats) / pandoc→WeasyPrint (pdf only): {cold / ref:.2f}"
              f"  (goal ≤ 0.25)")
    warm = statistics.median(rows["hanji warm (pdf+epub)"])
    cold = statistics.median(rows["hanji cold (pdf+epub)"])
    print(f"  ratio warm rebuild / cold: {warm / cold:.2f}  (goal ≤ 0.5)")
    shutil.rmtree(work, ignore_errors=True)


def bench_blog(blog: str, runs: int) -> None:
    root = SHARED / "corpus" / blog
    if not root.exists():
        print(f"corpus blog {root} not found (../shared absent): skipping")
        return
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-blog-"))
    for jobs in (1, 2):
        for temperature in ("cold", "warm"):
            if temperature == "cold":
                shutil.rmtree(work / "cache", ignore_errors=True)
            wall, peak = run([sys.executable, "-m", "converter", "-q", "convert", str(root), "-o",
                              str(work / "out"), "-j", str(jobs), "--cache-dir", str(work / "cache")])
            print(f"  {blog}: convert -j {jobs} {temperature}: {wall:.1f} s, peak RSS {peak} MiB")
    shutil.rmtree(work, ignore_errors=True)


def bench_book(blog: str) -> None:
    """``hanji book`` on a corpus blog: cold, then rebuilt after editing one post (a copy of the
    site shares the image and formula cache, which is keyed by content)."""
    root = SHARED / "corpus" / blog
    if not root.exists():
        print(f"corpus blog {root} not found (../shared absent): skipping the book")
        return
    work = Path(tempfile.mkdtemp(prefix="hanji-bench-book-"))
    site = work / "site"
    shutil.copytree(root, site)
    book = [sys.executable, "-m", "converter", "-q", "book", str(site), "--title", f"{blog} book",
            "--cache-dir", str(work / "cache")]
    cold, cold_peak = run([*book, "-o", str(work / "cold")], tree=True)
    posts = sorted((site / "_posts").rglob("*.m*"))
    edited = posts[len(posts) // 2]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text + "\n\n다시 빌드하는 시간을 재려고 덧붙인 문단입니다.\n", encoding="utf-8")
    warm, warm_peak = run([*book, "-o", str(work / "rebuilt")], tree=True)
    print(f"book of {blog} ({len(posts)} posts):")
    print(f"  cold            {cold:6.1f} s  peak RSS {cold_peak} MiB, all processes "
          "(goal <= 60 s, 1.5 GB)")
    print(f"  one post edited {warm:6.1f} s  peak RSS {warm_peak} MiB, all processes   "
          f"cold/rebuild {cold / warm:.2f}x (goal >= 3x)")
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--blog", default=None, help="also batch-convert this corpus blog")
    parser.add_argument("--book", default=None, metavar="BLOG",
                        help="also build this corpus blog as one book, cold and after an edit")
    parser.add_argument("--no-seed", action="store_true", help="skip the seed post")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    if not args.no_seed:
        bench_seed(args.runs)
    if args.blog:
        bench_blog(args.blog, args.runs)
    if args.book:
        bench_book(args.book)


if __name__ == "__main__":
    main()
