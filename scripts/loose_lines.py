#!/usr/bin/env python3
"""Count loose justified lines in hanji's PDFs: lines whose widest word gap is more than
2.5 times a normal space of their font.

A justified line is stretched by widening its spaces; a line with few spaces (a long URL, a
long code token, an inline formula) is stretched a lot ("이   되어   우물   바깥쪽의"). This
script measures that, with pdfplumber, in the PDFs hanji makes:

- Lines are pdfplumber's text lines; only body text counts: the font and size most of the
  document's characters use (not headings, captions, footnotes, tables in smaller type or code).
- A line ending a paragraph is not justified (it is set ragged) and is not measured: a line
  short of the text column's right edge (the rightmost edge of the page's body lines, within
  1.5 pt) followed by a new block (a wider gap than the line pitch), by an indented first line
  of a paragraph, or by nothing on its page. Every other body line is measured, also one that
  ends short because its justification was capped.
- A word gap is the empty space between two visible characters of the line (an image, a
  formula drawn as curves, or an inline-code box inside it is ink, not space). A normal space
  is the advance of the space character of the line's font at its size, as the PDF gives it.
- A line is loose when its widest gap exceeds ``--ratio`` (2.5) normal spaces. A gap that
  borders a formula or image is reported apart: its width includes the object's own side
  margin (math drawn as SVG has some), not only the space.

    python scripts/loose_lines.py                        # ../shared seed post + 20 corpus posts
    python scripts/loose_lines.py --posts 40 -j 2        # more corpus posts
    python scripts/loose_lines.py FILE.pdf... [--show]   # PDFs made already

The posts are converted with the hanji of this checkout into ``--out`` (default: a temporary
folder), PDF only. The corpus sample is deterministic: every k-th post of the sorted list of
the posts in ``../shared/corpus`` (those of at least 1,500 characters). Needs ../shared (says so
when it is missing) for the default sample.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
SEED = SHARED / "seed-site" / "_posts" / "2019-07-03-nvidia-ai-conference-2019.md"
CORPUS = SHARED / "corpus"
#: Characters drawn with no ink (the PDF writer's word joiners, spaces).
_INVISIBLE = {" ", "\u00a0", "\u2060", "\u200b", "\ufeff"}


@dataclass
class LooseLine:
    page: int
    ratio: float
    text: str
    #: The gap borders a formula or image (its own side margin is part of the gap).
    beside_object: bool = False


@dataclass
class PdfCount:
    """Loose lines of one PDF."""

    name: str
    justified: int = 0
    #: Measured lines that end short of the right edge (their justification was capped).
    short: int = 0
    loose: list[LooseLine] = field(default_factory=list)


def _font(char: dict) -> tuple[str, float]:
    return char["fontname"].split("+", 1)[-1], round(char["size"], 1)


def _ink_boxes(page: object) -> list[tuple[float, float, float, float]]:
    """Boxes of what is drawn besides text: images, formula curves, code-span boxes."""
    boxes = []
    for kind in ("images", "curves", "rects", "lines"):
        for obj in getattr(page, kind):
            boxes.append((obj["x0"], obj["top"], obj["x1"], obj["bottom"]))
    return boxes


def _widest_empty_gap(chars: Sequence[dict], boxes: Iterable[tuple[float, float, float, float]],
                      top: float, bottom: float) -> tuple[float, bool]:
    """The widest horizontal stretch between visible characters of a line with no ink in it,
    and whether it borders something drawn (a formula, an image) rather than two letters."""
    visible = sorted((c for c in chars if c["text"] not in _INVISIBLE), key=lambda c: c["x0"])
    if len(visible) < 2:
        return 0.0, False
    band = [(x0, x1) for x0, b_top, x1, b_bottom in boxes
            if b_top < bottom - 1 and b_bottom > top + 1 and x1 - x0 < 200]
    widest, beside = 0.0, False
    for left, right in zip(visible, visible[1:]):
        start, end = left["x1"], right["x0"]
        if end - start <= widest:
            continue
        # Cut out the ink inside the gap; keep the widest empty piece.
        cuts = sorted((max(start, x0), min(end, x1)) for x0, x1 in band if x0 < end and x1 > start)
        pieces, cursor = [], start
        for x0, x1 in cuts:
            pieces.append((x0 - cursor, cursor != start or x0 != end))
            cursor = max(cursor, x1)
        pieces.append((end - cursor, bool(cuts)))
        for width, touches in pieces:
            if width > widest:
                widest, beside = width, touches
    return widest, beside


def _ends_paragraph(lines: Sequence[tuple[dict, list[dict]]], index: int, pitch: float) -> bool:
    """Whether the line at ``index`` (short of the right edge) ends its paragraph: it is the
    page's last body line, or the next one starts a new block (further down than the line
    pitch) or a new paragraph (indented further than this line)."""
    if index + 1 >= len(lines):
        return True
    line, following = lines[index][0], lines[index + 1][0]
    return (following["top"] - line["top"] > 1.25 * pitch
            or following["x0"] > line["x0"] + 2)


def count_pdf(path: Path, ratio: float = 2.5) -> PdfCount:
    """The justified body lines of ``path`` and the loose ones among them."""
    import pdfplumber

    result = PdfCount(path.name)
    with pdfplumber.open(path) as pdf:
        fonts = Counter(_font(c) for page in pdf.pages for c in page.chars
                        if c["text"] not in _INVISIBLE)
        if not fonts:
            return result
        body = fonts.most_common(1)[0][0]
        spaces = {_font(c): c["x1"] - c["x0"] for page in pdf.pages for c in page.chars
                  if c["text"] == " " and c["x1"] > c["x0"]}
        space = spaces.get(body, body[1] * 0.3)
        for number, page in enumerate(pdf.pages, start=1):
            lines = []
            for line in page.extract_text_lines(return_chars=True, strip=True):
                chars = [c for c in line["chars"] if c["text"] not in _INVISIBLE]
                if not chars:
                    continue
                main = Counter(_font(c) for c in chars).most_common(1)[0][0]
                if main == body:
                    lines.append((line, chars))
            if not lines:
                continue
            right_edge = max(max(c["x1"] for c in chars) for _, chars in lines)
            pitches = [b["top"] - a["top"] for (a, _), (b, _) in zip(lines, lines[1:])]
            pitch = statistics.median(pitches) if pitches else 0.0
            boxes = _ink_boxes(page)
            for index, (line, chars) in enumerate(lines):
                full = max(c["x1"] for c in chars) >= right_edge - 1.5
                if not full and _ends_paragraph(lines, index, pitch):
                    continue  # a paragraph's last line is set ragged, never stretched
                result.justified += 1
                result.short += not full
                gap, beside = _widest_empty_gap(line["chars"], boxes, line["top"],
                                                line["bottom"])
                if gap > ratio * space:
                    result.loose.append(LooseLine(number, gap / space, line["text"], beside))
    return result


def sample_posts(count: int) -> list[Path]:
    """Every k-th post of the corpus (sorted; posts of 1,500+ characters), ``count`` in all."""
    posts = sorted(p for p in CORPUS.rglob("*.md") if "_posts" in p.parts
                   and p.stat().st_size >= 1500)
    if not posts or count <= 0:
        return []
    step = max(1, len(posts) // count)
    return posts[::step][:count]


def convert(post: Path, out: Path, cache: Path) -> Path | None:
    import logging

    import converter

    logging.getLogger("converter").setLevel(logging.ERROR)  # the posts' own warnings

    options = converter.Options(formats=("pdf",), jobs=1, cache_dir=cache)
    try:
        result = converter.convert(post, output_dir=out, options=options)
    except converter.HanjiError as exc:
        print(f"  skipped {post.name}: {exc}", file=sys.stderr)
        return None
    return result.outputs["pdf"].path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path, help="PDFs to measure (default: convert "
                        "the seed post and a corpus sample)")
    parser.add_argument("--posts", type=int, default=20, help="corpus posts (default 20)")
    parser.add_argument("--ratio", type=float, default=2.5, help="loose above this many spaces")
    parser.add_argument("--out", type=Path, default=None, help="folder for the PDFs")
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) /
                        "hanji-loose-lines-cache")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--show", action="store_true", help="print every loose line")
    args = parser.parse_args(argv)

    pdfs = list(args.pdfs)
    if not pdfs:
        if not SEED.is_file() or not CORPUS.is_dir():
            print(f"loose_lines: {SHARED} (seed post and corpus) is missing; give PDFs instead",
                  file=sys.stderr)
            return 2
        posts = [SEED, *sample_posts(args.posts)]
        out = args.out or Path(tempfile.mkdtemp(prefix="hanji-loose-"))
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            made = list(pool.map(convert, posts, [out] * len(posts),
                                 [args.cache_dir] * len(posts)))
        pdfs = [p for p in made if p is not None]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        counts = list(pool.map(count_pdf, pdfs, [args.ratio] * len(pdfs)))
    for count in counts:
        worst = max((line.ratio for line in count.loose), default=0.0)
        print(f"{len(count.loose):4d} loose / {count.justified:5d} justified lines"
              f" ({count.short:3d} short)  (worst {worst:4.1f}×)  {count.name}")
        if args.show:
            for line in count.loose:
                where = "beside a formula/image" if line.beside_object else "between words"
                print(f"       p{line.page} {line.ratio:4.1f}×  {where:22s}  {line.text[:80]}")
    loose = sum(len(c.loose) for c in counts)
    beside = sum(line.beside_object for c in counts for line in c.loose)
    justified = sum(c.justified for c in counts)
    short = sum(c.short for c in counts)
    ratios = [line.ratio for c in counts for line in c.loose]
    median = f", median {statistics.median(ratios):.1f}×" if ratios else ""
    print(f"total: {loose} loose of {justified} justified lines in {len(counts)} PDFs "
          f"(widest gap > {args.ratio}× space{median}); {loose - beside} between words, "
          f"{beside} beside a formula or image; {short} measured lines end short of the margin")
    return 0 if loose == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
