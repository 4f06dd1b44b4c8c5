"""Live preview latency and memory, measured in a real browser (headless Chromium).

Reads ../shared (the seed site and the danbi-ncsoft corpus blog; says so and exits if they are
missing), copies each site to a temporary folder (nothing under ../shared is written), starts
`hanji serve` on it, opens the EPUB reading view and the PDF view in Chromium and saves the
post again and again with a new marker word in its first paragraph. Prints:

- seed post: save → marker visible in the EPUB view / PDF view (median of 10 edits);
- danbi-ncsoft as a 64-post book (book.yml written into the copy): save one post → that
  chapter updated in the EPUB view / PDF view (median of 5 edits), and the server's RSS after
  the first and after 50 edits.

"Visible" is measured in the page: a poller (every 5 ms) notes when the marker first appears
in the reading view's text, and in the PDF view when a page whose image has loaded (new
version) carries the marker in its text layer. The book's first start lays out all chapters
(about two minutes on two cores); the layout cache (--cache-dir, kept between runs) makes the
next starts quick. Usage: python bench/bench_serve.py [--skip-book] [--edits N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
SEED = SHARED / "seed-site"
DANBI = SHARED / "corpus" / "danbi-ncsoft"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
CACHE = Path(tempfile.gettempdir()) / "hanji-bench-serve-cache"
#: The server's idle delay before it hands memory back (converter.serve.preview).
RELEASE_AFTER = 1.0

#: Polls the page every 5 ms and notes (Date.now()) when each marker is first seen.
WATCH_JS = """
(mode) => {
  window.__seen = window.__seen || {};
  window.__want = window.__want || [];
  if (window.__poller) return;
  window.__poller = setInterval(() => {
    for (const marker of window.__want) {
      if (window.__seen[marker]) continue;
      let found = false;
      if (mode === 'epub') {
        const c = document.getElementById('hs-content');
        found = !!c && c.textContent.includes(marker);
      } else {
        const v = document.body.dataset.version;
        for (const f of document.querySelectorAll('.hs-page')) {
          const t = f.querySelector('.hs-text');
          if (f.dataset.loaded === v && t && t.textContent.includes(marker)) { found = true; break; }
        }
      }
      if (found) window.__seen[marker] = Date.now();
    }
  }, 5);
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: the work, whatever the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def server(target: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`hanji serve` in a subprocess, stopped with SIGINT (as Ctrl-C) at the end."""
    cmd = [sys.executable, "-m", "converter", "serve", str(target), "--port", str(port),
           "--cache-dir", str(CACHE)]
    process = subprocess.Popen(cmd, cwd=HERE.parent, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_status", timeout=1).read()
                break
            if process.poll() is not None:
                raise SystemExit("server exited: " + process.stderr.read().decode())
            time.sleep(0.1)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            print("  (server did not stop within 15 s of SIGINT)")


def edit(post: Path, original: str, marker: str) -> None:
    """The post with a marker word at the start of its body (same length every time)."""
    head, sep, body = original.partition("\n---\n")
    if not sep:
        body, head = original, ""
    text = f"{head}{sep}\n{marker} 한지 미리보기.\n\n{body}" if sep else f"{marker}\n\n{body}"
    tmp = post.with_name(post.name + ".tmp~")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, post)


def measure(pages: dict[str, object], post: Path, original: str, marker: str,
            timeout: float = 60.0) -> dict[str, float]:
    for page in pages.values():
        page.evaluate("(m) => window.__want.push(m)", marker)  # type: ignore[attr-defined]
    start = time.time() * 1000
    edit(post, original, marker)
    found: dict[str, float] = {}
    deadline = time.time() + timeout
    while len(found) < len(pages) and time.time() < deadline:
        for name, page in pages.items():
            if name not in found:
                seen = page.evaluate("(m) => window.__seen[m] || 0", marker)  # type: ignore
                if seen:
                    found[name] = (seen - start) / 1000
        time.sleep(0.02)
    return found


def open_views(browser: object, base: str, epub_path: str, pdf_path: str) -> dict[str, object]:
    pages = {}
    for name, path in (("epub", epub_path), ("pdf", pdf_path)):
        page = browser.new_page(viewport={"width": 1000, "height": 1300})  # type: ignore
        page.goto(base + path)
        if name == "pdf":
            page.wait_for_selector(".hs-page[data-loaded]", timeout=600_000)
        page.evaluate(WATCH_JS, name)
        pages[name] = page
    return pages


def report(label: str, samples: list[float], goal: float) -> None:
    if not samples:
        print(f"  {label}: no sample (timed out)")
        return
    median = statistics.median(samples)
    verdict = "meets" if median <= goal else "MISSES"
    print(f"  {label}: median {median:.3f} s (min {min(samples):.3f}, max {max(samples):.3f}, "
          f"n={len(samples)}; goal ≤ {goal} s: {verdict})")


def bench_seed(browser: object, work: Path, edits: int, shots: Path | None = None) -> None:
    site = work / "seed"
    shutil.copytree(SEED, site)
    post = next((site / "_posts").glob("*.md"))
    original = post.read_text(encoding="utf-8")
    port = free_port()
    with server(site, port) as process:
        base = f"http://127.0.0.1:{port}"
        status = json.loads(urllib.request.urlopen(base + "/_status").read())
        key = status["documents"][0]
        pages = open_views(browser, base, f"/{key}/epub/1", f"/{key}/pdf#page-2")
        epub, pdf = [], []
        cpu = 0.0
        for n in range(edits + 1):
            found = measure(pages, post, original, f"HANJISEED{n:04d}")
            if n == 0:
                cpu = cpu_seconds(process.pid)
                continue  # the first edit also warms the page renderer
            if "epub" in found:
                epub.append(found["epub"])
            if "pdf" in found:
                pdf.append(found["pdf"])
        cpu = (cpu_seconds(process.pid) - cpu) / edits
        print(f"seed post ({post.name}), {edits} edits (load average {load_average()}):")
        report("save → EPUB view", epub, 0.3)
        report("save → PDF view", pdf, 1.0)
        print(f"  server CPU time per edit (both views): {cpu:.2f} s")
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            for name, page in pages.items():
                path = shots / f"seed-{name}-view.png"
                page.screenshot(path=str(path))  # type: ignore[attr-defined]
                print(f"  screenshot: {path}")
        for page in pages.values():
            page.close()  # type: ignore[attr-defined]


def bench_book(browser: object, work: Path, edits: int, memory_edits: int) -> None:
    site = work / "danbi"
    shutil.copytree(DANBI, site)
    (site / "book.yml").write_text("title: 단비 블로그\nsources: [.]\nsort: date\n",
                                   encoding="utf-8")
    port = free_port()
    started = time.time()
    with server(site, port) as process:
        base = f"http://127.0.0.1:{port}"
        status = json.loads(urllib.request.urlopen(base + "/_status").read())
        book = next(k for k in status["documents"] if k.startswith("book/"))
        number = 32
        pages = open_views(browser, base, f"/{book}/epub/{number}",
                           f"/{book}/pdf?chapter=ch{number:03d}")
        print(f"danbi-ncsoft book: ready in {time.time() - started:.1f} s (first start lays "
              "out every chapter; later starts use the cache)")
        pdf_page = pages["pdf"]
        info = json.loads(urllib.request.urlopen(
            f"{base}/{urllib.parse.quote(book)}/pdf/pages.json").read())
        first_page = info["chapters"][f"ch{number:03d}-title"]
        pdf_page.evaluate(f"() => document.getElementById('page-{first_page}')"  # type: ignore
                          ".scrollIntoView()")
        pdf_page.wait_for_selector(f"#page-{first_page}[data-loaded]")  # type: ignore
        # The post of that chapter, in the order the server uses (the library's Builder).
        from converter.builder import Builder

        post = Builder(site, output_dir=work / "scan").documents[book].sources[number - 1]
        original = post.read_text(encoding="utf-8")
        epub, pdf = [], []
        rss_first = rss_last = 0.0
        total = max(edits, memory_edits)
        cpu = 0.0
        for n in range(total):
            found = measure(pages, post, original, f"HANJIBOOK{n:04d}", timeout=60)
            if n == 0:
                cpu = cpu_seconds(process.pid)
            elif n <= edits:
                if "epub" in found:
                    epub.append(found["epub"])
                if "pdf" in found:
                    pdf.append(found["pdf"])
                if n == edits:
                    cpu = (cpu_seconds(process.pid) - cpu) / edits
            if n + 1 in (1, 10, 25, 50) or n + 1 == total:
                time.sleep(RELEASE_AFTER + 0.5)  # the server hands memory back when idle
                rss_last = rss_mb(process.pid)
                if n == 0:
                    rss_first = rss_last
                print(f"  server RSS after {n + 1} edits: {rss_last:.0f} MB", flush=True)
        print(f"  chapter {number} ({post.name}), {edits} edits (load average "
              f"{load_average()}):")
        report("save → EPUB view (that chapter)", epub, 0.5)
        report("save → PDF view (that chapter's pages)", pdf, 4.0)
        print(f"  server CPU time per edit (both views): {cpu:.2f} s")
        growth = (rss_last - rss_first) / rss_first * 100 if rss_first else float("nan")
        print(f"  server RSS: {rss_first:.0f} MB after the first edit, {rss_last:.0f} MB after "
              f"{total} ({growth:+.1f} %; goal within ±20 %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-book", action="store_true")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--edits", type=int, default=10, help="seed post edits (default 10)")
    parser.add_argument("--book-edits", type=int, default=5)
    parser.add_argument("--memory-edits", type=int, default=50)
    parser.add_argument("--shots", type=Path, default=None,
                        help="save screenshots of the seed post's two views in this folder")
    args = parser.parse_args()
    missing = [p for p in (SEED, DANBI) if not p.is_dir()]
    if missing:
        raise SystemExit("bench_serve: missing " + ", ".join(map(str, missing)) +
                         " (this benchmark reads ../shared)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="hanji-bench-serve-") as tmp, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            if not args.skip_seed:
                bench_seed(browser, Path(tmp), args.edits, args.shots)
            if not args.skip_book:
                bench_book(browser, Path(tmp), args.book_edits, args.memory_edits)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
