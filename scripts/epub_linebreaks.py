#!/usr/bin/env python3
"""Count line breaks inside Korean words in EPUB chapters as headless Chromium lays them out.

EPUB readers break Korean text by ``word-break: keep-all`` in the theme's CSS (no joiners in
the text). This script checks that they do: each chapter of the EPUB is unzipped, a small
script is added to a copy of it that measures every character with ``Range.getClientRects()``
after the fonts have loaded, finds where each line ends, and writes what it found into the
DOM; Chromium's ``--dump-dom`` hands it back. A break between two characters of the same
block with no whitespace between them, where one side is Hangul and the other a letter or
digit, is a break inside a word (counted apart inside ``pre``/``code``). The page is laid out
at the given CSS widths (phone-sized by default, where lines are short and breaks many).

    python scripts/epub_linebreaks.py BOOK.epub... [--width 360 --width 600] [--show]
    python scripts/epub_linebreaks.py BOOK.epub --screenshot DIR   # PNGs to look at

Exit status: 0 when no break falls inside a Korean word outside code, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--allow-file-access-from-files", "--hide-scrollbars"]

# Runs in the page: walks the text of each block, measures each character, and writes
# {checked, hangul, inside, insideCode, samples} as JSON into <pre id="hanji-linebreaks">.
MEASURE_JS = r"""
(function () {
  const HANGUL = /[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]/;
  const WORD = /[\p{L}\p{N}]/u;
  const BLOCK = new Set(["P","LI","TD","TH","DD","DT","H1","H2","H3","H4","H5","H6","FIGCAPTION",
    "CAPTION","BLOCKQUOTE","PRE","DIV","SECTION","HEADER","NAV","BODY","TABLE","TR","UL","OL"]);
  function blockOf(node) {
    let el = node.parentElement;
    while (el && !BLOCK.has(el.tagName.toUpperCase())) el = el.parentElement;
    return el;
  }
  function inCode(node) {
    let el = node.parentElement;
    while (el) { const t = el.tagName.toUpperCase(); if (t === "PRE" || t === "CODE") return true;
      el = el.parentElement; }
    return false;
  }
  function run() {
    const result = {checked: 0, hangul: 0, inside: 0, insideCode: 0, samples: [], lines: 0};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let prev = null;  // {ch, rect, block, code, context}
    let spaceSince = false;
    let recent = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const block = blockOf(node);
      const code = inCode(node);
      const text = node.data;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (/\s/.test(ch)) { spaceSince = true; recent += " "; continue; }
        range.setStart(node, i); range.setEnd(node, i + 1);
        const rects = range.getClientRects();
        if (!rects.length) continue;
        const rect = rects[0];
        if (prev && prev.block === block) {
          const newLine = rect.top >= prev.rect.top + 0.5 * prev.rect.height
                          && rect.left < prev.rect.right;
          if (newLine) {
            result.lines++;
            const a = prev.ch, b = ch;
            const hangulEnd = (HANGUL.test(a) || HANGUL.test(b)) && WORD.test(a) && WORD.test(b);
            if (hangulEnd) {
              result.checked++;
              if (HANGUL.test(a) && HANGUL.test(b)) result.hangul++;
              if (!spaceSince) {
                const sample = recent.slice(-16) + "\u23ce" + text.slice(i, i + 12);
                if (code || prev.code) { result.insideCode++; }
                else { result.inside++; }
                if (result.samples.length < 50) result.samples.push((code ? "(code) " : "") + sample);
              }
            }
          }
        } else {
          recent = "";
        }
        prev = {ch: ch, rect: rect, block: block, code: code};
        spaceSince = false;
        recent += ch;
        if (recent.length > 64) recent = recent.slice(-32);
      }
    }
    const out = document.createElement("pre");
    out.id = "hanji-linebreaks";
    out.textContent = JSON.stringify(result);
    document.documentElement.appendChild(out);
  }
  (document.fonts ? document.fonts.ready : Promise.resolve()).then(run);
})();
"""

XHTML_NS = "http://www.w3.org/1999/xhtml"


def chapters(root: Path) -> list[Path]:
    """Content documents in spine order (the cover and navigation left out)."""
    container = etree.parse(str(root / "META-INF" / "container.xml"))
    opf_path = container.find(".//{*}rootfile").get("full-path")
    opf = etree.parse(str(root / opf_path))
    base = posixpath.dirname(opf_path)
    items = {i.get("id"): i for i in opf.iter("{*}item")}
    out = []
    for ref in opf.iter("{*}itemref"):
        item = items.get(ref.get("idref"))
        if item is None or "nav" in (item.get("properties") or "").split():
            continue
        href = posixpath.normpath(posixpath.join(base, item.get("href")))
        if re.search(r"cover", href):
            continue
        out.append(root / href)
    return out


def prepare(chapter: Path, width: int, keep_all: bool = True) -> Path:
    """A copy of ``chapter`` beside it with the measuring script and a fixed text width."""
    tree = etree.parse(str(chapter))
    head = tree.find(f"{{{XHTML_NS}}}head")
    style = etree.SubElement(head, f"{{{XHTML_NS}}}style")
    style.text = f"html {{ width: {width}px !important; }}"
    if not keep_all:  # the control: what a reader without keep-all would do
        style.text += " * { word-break: normal !important; }"
    body = tree.find(f"{{{XHTML_NS}}}body")
    script = etree.SubElement(body, f"{{{XHTML_NS}}}script")
    script.text = MEASURE_JS
    copy = chapter.with_name(f".measure-{width}-{chapter.name}")
    tree.write(str(copy), xml_declaration=True, encoding="utf-8")
    return copy


def chromium(args: list[str], timeout: int = 120) -> str:
    profile = tempfile.mkdtemp(prefix="hanji-chromium-")
    try:
        done = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, check=False)
        return done.stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def measure(chapter: Path, width: int, keep_all: bool = True) -> dict:
    copy = prepare(chapter, width, keep_all)
    try:
        dom = chromium(["--virtual-time-budget=15000", f"--window-size={width + 40},900",
                        "--dump-dom", copy.as_uri()])
    finally:
        copy.unlink()
    found = re.search(r'<pre id="hanji-linebreaks">(.*?)</pre>', dom, re.DOTALL)
    if not found:
        raise RuntimeError(f"{chapter.name}: Chromium returned no measurement")
    import html as htmllib

    return json.loads(htmllib.unescape(found.group(1)))


def screenshot(chapter: Path, width: int, target: Path) -> None:
    chromium(["--virtual-time-budget=15000", f"--window-size={width},1600",
              f"--screenshot={target}", chapter.as_uri()])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("epubs", nargs="+", type=Path)
    parser.add_argument("--width", type=int, action="append",
                        help="CSS px width of the text (repeatable; default 360 and 600)")
    parser.add_argument("--show", action="store_true", help="print each break found")
    parser.add_argument("--screenshot", type=Path, help="also write a PNG per chapter here")
    parser.add_argument("--no-keep-all", action="store_true",
                        help="control run: override word-break to normal (expect many breaks)")
    args = parser.parse_args(argv)
    widths = args.width or [360, 600]
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found", file=sys.stderr)
        return 2

    total = {"checked": 0, "hangul": 0, "inside": 0, "insideCode": 0, "lines": 0}
    for epub in args.epubs:
        with tempfile.TemporaryDirectory(prefix="hanji-epub-") as tmp:
            root = Path(tmp)
            with zipfile.ZipFile(epub) as archive:
                archive.extractall(root)
            for chapter in chapters(root):
                for width in widths:
                    result = measure(chapter, width, keep_all=not args.no_keep_all)
                    for key in total:
                        total[key] += result[key]
                    flag = "!!" if result["inside"] else "ok"
                    print(f"{flag} {epub.name} {chapter.name} @{width}px: {result['lines']} "
                          f"line breaks, {result['checked']} Hangul line ends "
                          f"({result['hangul']} Hangul|Hangul), {result['inside']} inside a "
                          f"word, {result['insideCode']} in code")
                    if args.show or result["inside"]:
                        for sample in result["samples"]:
                            # JavaScript slices may cut an emoji's surrogate pair in half.
                            sample = sample.encode("utf-8", "surrogatepass").decode(
                                "utf-8", "replace")
                            print(f"     {sample}")
                    if args.screenshot:
                        args.screenshot.mkdir(parents=True, exist_ok=True)
                        screenshot(chapter, width, args.screenshot
                                   / f"{epub.stem}-{chapter.stem}-{width}.png")
    print(f"\n{len(args.epubs)} EPUBs: {total['lines']} line breaks, {total['checked']} Hangul "
          f"line ends checked ({total['hangul']} Hangul|Hangul); {total['inside']} inside a "
          f"word, {total['insideCode']} inside a word in code")
    return 1 if total["inside"] else 0


if __name__ == "__main__":
    sys.exit(main())
