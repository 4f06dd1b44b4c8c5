#!/usr/bin/env python3
"""Count PDF line breaks that fall inside a Korean word (eojeol).

For each post the script needs two things: the PDF, and the text the PDF was laid out from.

- The PDF is converted by hanji (``--pdf-dir DIR`` reuses ``DIR/<post stem>.pdf`` when it
  exists, e.g. after ``python -m converter convert BLOG -o DIR --format pdf``).
- The reference text is the PDF writer's own HTML document, rebuilt from the post, with the
  word joiners (U+2060) taken out: exactly the words the author wrote, after Markdown/HTML
  rendering, with a space wherever a block (paragraph, cell, list item, ``<br>``) ends.

``pdftotext`` (plain, not ``-layout``) gives the lines of every page; the running head (first
line, when it is a chapter or book title) and the folio (last line, a number) are dropped so a
paragraph continuing on the next page is checked across the page break too.

For every pair of consecutive lines whose joint has Hangul on at least one side and a letter or
digit on the other (``다`` | ``음``, ``GPU`` | ``를``, ``2022`` | ``년``), the joint is looked
up in the reference text: the last words of the upper line and the first words of the lower
line, written once with a space between them and once without. Whichever occurs decides; when
both do, more words of context are taken. A break where the reference has no space is a break
inside a word. Breaks inside code blocks are counted separately (code wraps anywhere on
purpose). The W3C klreq rules are checked on every joint: no line may begin with closing
punctuation nor end with an opening bracket unless the author put a space there.

    python scripts/count_linebreaks.py                      # ../shared seed post + corpus
    python scripts/count_linebreaks.py POST_OR_DIR... [--pdf-dir DIR] [-j 2] [--show]
    python scripts/count_linebreaks.py POST --no-joiners    # hanji without its joiners

Exit status: 0 when no break falls inside a Korean word (outside code), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SHARED = REPO.parent / "shared"
WORD_JOINER = "\u2060"

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
#: klreq / UAX #14 classes: never at the start of a line …
CLOSING = set(".,!?:;)]}」』’”…〉》】〕）］｝、。·%‰℃°")
#: … never at the end of one.
OPENING = set("([{「『‘“〈《【〔（［｛")
_FOLIO = re.compile(r"^\s*(?:\d+|[ivxlcdm]+)\s*$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_LEADER = re.compile(r"^[\s.·]+(?:\d+)?$")
_TRAILING_LEADER = re.compile(r"(?:\s*\.){2,}(?:\s*\d+)?\s*$|(?:\s*\.)+\s*$")

_SKIP = {"script", "style", "head", "title", "svg", "math"}
_BLOCKS = {"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div",
           "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
           "header", "hr", "html", "img", "li", "nav", "ol", "p", "pre", "section", "table",
           "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
_CODE = {"pre"}


def is_hangul(char: str) -> bool:
    return bool(_HANGUL.match(char))


def is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in {"L", "N"}


# ---------------------------------------------------------------- reference text


def block_text(root) -> tuple[str, list[bool]]:  # type: ignore[no-untyped-def]
    """The text of an HTML tree with a newline at every block boundary, and for each
    character whether it is inside a code block. Word joiners are dropped."""
    chars: list[str] = []
    code: list[bool] = []

    def emit(text: str | None, in_code: bool) -> None:
        if text:
            text = text.replace(WORD_JOINER, "").replace("\u00ad", "")
            chars.append(text)
            code.extend([in_code] * len(text))

    def walk(element, in_code: bool) -> None:  # type: ignore[no-untyped-def]
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP or not tag:
            return
        classes = (element.get("class") or "").split()
        # Page-foot notes float out of the line they are called from.
        block = tag in _BLOCKS or "footnote" in classes
        in_code = in_code or tag in _CODE
        if block:
            emit("\n", in_code)
        emit(element.text, in_code)
        for child in element:
            walk(child, in_code)
            emit(child.tail, in_code)
        if block:
            emit("\n", in_code)

    walk(root, False)
    return "".join(chars), code


@dataclass
class Reference:
    """Normalised reference text: single spaces, NFKC; ``code[i]``: char ``i`` is in code."""

    text: str
    code: list[bool]
    titles: set[str]

    @classmethod
    def from_tree(cls, root, titles: Iterable[str]) -> Reference:  # type: ignore[no-untyped-def]
        raw, raw_code = block_text(root)
        out: list[str] = []
        code: list[bool] = []
        for char, in_code in zip(raw, raw_code):
            for c in unicodedata.normalize("NFKC", char):
                if c.isspace():
                    if out and out[-1] == " ":
                        code[-1] = code[-1] and in_code
                        continue
                    c = " "
                out.append(c)
                code.append(in_code)
        return cls("".join(out), code, {normalize(t) for t in titles if t})

    def occurrences(self, needle: str) -> list[int]:
        found, start = [], self.text.find(needle)
        while start >= 0:
            found.append(start)
            start = self.text.find(needle, start + 1)
        return found


def add_generated_text(document) -> None:  # type: ignore[no-untyped-def]
    """Put the text the print CSS generates into the tree: "#" before tags, footnote calls
    and markers (the note itself leaves the line for the page foot), video link targets."""
    from lxml import etree

    for tag in document.find_class("tag"):
        tag.text = "#" + (tag.text or "")
    for chapter in [*document.find_class("chapter")] or [document]:
        for number, note in enumerate(chapter.find_class("footnote"), start=1):
            if note.tag != "span":
                continue
            call = etree.Element("span")
            call.text = str(number)
            call.tail = note.tail
            note.tail = None
            note.tag = "div"
            note.text = f"{number}. " + (note.text or "")
            note.addprevious(call)
    for video in document.find_class("video-link"):
        for link in video.iter("a"):
            target = etree.SubElement(link, "div")
            target.text = link.get("href") or ""


def normalize(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text.replace(WORD_JOINER, ""))).strip()


def build_reference(post: Path, options, *, joiners: bool = True):  # type: ignore[no-untyped-def]
    """Rebuild the PDF writer's document for ``post`` (no images needed) → :class:`Reference`."""
    from converter.api import cover_asset
    from converter.assemble import build_chapter
    from converter.book import AssetStore, Book, BookMeta
    from converter.post import load_post
    from converter.site import site_for
    from converter.themes import load_theme
    from converter.writers.pdf import PdfWriter

    loaded = load_post(post, max_bytes=options.max_post_bytes)
    site = site_for(post, options.site)
    assets = AssetStore()
    chapter = build_chapter(loaded, site, options, assets, chapter_id="post")
    meta = BookMeta(title=loaded.title, author=loaded.author or site.author, lang=chapter.lang,
                    date=loaded.date)
    book = Book(meta=meta, chapters=[chapter], assets=assets,
                cover=cover_asset(loaded, site, loaded.warnings), kind="post")
    writer = PdfWriter(options, load_theme(options.theme))
    # Images are not needed for text; keep them out of the reference (no placeholder text).
    document = writer.build_document(book, {})
    for missing in document.find_class("image-missing"):
        missing.text = ""
        for child in list(missing):
            missing.remove(child)
    add_generated_text(document)
    return Reference.from_tree(document, [loaded.title, meta.title]), chapter.lang


# ---------------------------------------------------------------- PDF lines


def pdf_lines(pdf: Path, titles: set[str], mode: str = "bbox") -> list[tuple[int, str]]:
    """(page number, line) for every text line of the PDF, without running heads and folios,
    so lines on both sides of a page break are neighbours.

    ``mode`` "bbox" (default): ``pdftotext -raw -bbox`` words in content-stream order, which
    WeasyPrint writes line box by line box, grouped into lines by position (a raised
    superscript such as a footnote call stays on its line). "raw": ``pdftotext -raw`` (starts
    a new line at every superscript). "plain": no option; poppler guesses the reading order and
    now and then takes widely spaced justified lines for columns. None of them is ``-layout``.
    """
    if mode == "bbox":
        pages = _bbox_pages(pdf)
    else:
        command = ["pdftotext", "-enc", "UTF-8", *(["-raw"] if mode == "raw" else []),
                   str(pdf), "-"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        pages = [page.split("\n") for page in out.split("\f")]
    lines: list[tuple[int, str]] = []

    def furniture(line: str) -> bool:
        return bool(_FOLIO.match(line)) or normalize(line) in titles

    for number, page in enumerate(pages, start=1):
        page_lines = [line for line in page if line.strip()]
        if number > 2:  # the cover and the chapter opening carry the title as content
            while page_lines and furniture(page_lines[0]):
                page_lines.pop(0)
        while page_lines and furniture(page_lines[-1]):
            page_lines.pop()
        # TOC entries: "title . . . . 7" comes out as the title, one line per leader dot and
        # the page number; keep only the title.
        kept: list[str] = []
        after_leader = False
        nav_page = sum(1 for line in page_lines if ".........." in line) >= 2
        for line in page_lines:
            if _LEADER.match(line) and "." in line:
                after_leader = not line.rstrip()[-1:].isdigit()
                if kept:
                    kept[-1] = _TRAILING_LEADER.sub("", kept[-1])
                continue
            if nav_page and _TRAILING_LEADER.search(line):
                line = _TRAILING_LEADER.sub("", line)
            if after_leader and _FOLIO.match(line):
                after_leader = False
                continue
            after_leader = False
            kept.append(line)
        lines.extend((number, unicodedata.normalize("NFKC", line).strip())
                     for line in kept if line.strip())
    return lines


def _bbox_pages(pdf: Path) -> list[list[str]]:
    """Lines of each page from ``pdftotext -raw -bbox`` words (content-stream order).

    A word starts a new line when it goes back to the left of the previous word or does not
    overlap it vertically; words of a line are joined with a space when there is a visible gap.
    """
    from lxml import etree

    out = subprocess.run(["pdftotext", "-raw", "-bbox", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, check=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True, huge_tree=True))
    pages: list[list[str]] = []
    for page in root.iter("{*}page"):
        lines: list[str] = []
        previous = None
        for word in page.iter("{*}word"):
            box = [float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            text = word.text or ""
            if previous is None:
                lines.append(text)
            else:
                height = min(box[3] - box[1], previous[3] - previous[1])
                overlap = min(box[3], previous[3]) - max(box[1], previous[1])
                if box[0] < previous[2] - 0.5 * height or overlap < 0.3 * height:
                    lines.append(text)
                else:
                    gap = box[0] - previous[2]
                    lines[-1] += (" " if gap > 0.12 * height else "") + text
            previous = box
        pages.append(lines)
    return pages


# ---------------------------------------------------------------- joints


@dataclass
class Joint:
    page: int
    upper: str
    lower: str
    kind: str  # "hangul" (both sides Hangul) or "mixed" (Hangul + letter/digit)
    verdict: str  # "space", "inside", "ambiguous", "unmatched"
    in_code: bool = False

    def show(self) -> str:
        where = " (code)" if self.in_code else ""
        return f"p.{self.page}{where}: …{self.upper[-24:]}⏎{self.lower[:24]}…"


def judge(upper: str, lower: str, ref: Reference) -> tuple[str, bool]:
    """Whether the break between ``upper`` and ``lower`` falls on a space of the reference."""
    left_words, right_words = upper.split(), lower.split()
    verdict, in_code = "unmatched", False
    for k in range(1, 9):
        if k > max(len(left_words), len(right_words)) and k > 1:
            break
        left = " ".join(left_words[-k:])
        right = " ".join(right_words[:k])
        joined = ref.occurrences(left + right)
        spaced = ref.occurrences(left + " " + right)
        if joined and spaced:
            verdict = "ambiguous"
            continue
        if joined:
            at = joined[0] + len(left)
            return "inside", ref.code[at - 1] and ref.code[min(at, len(ref.code) - 1)]
        if spaced:
            return "space", False
        break  # more context no longer matches (extraction spacing differs); keep the verdict
    return verdict, in_code


@dataclass
class PostReport:
    post: str
    pdf: str = ""
    lang: str = ""
    pages: int = 0
    hangul_ends: int = 0  # both sides Hangul
    mixed_ends: int = 0  # Hangul + letter/digit
    inside: list[str] = field(default_factory=list)
    inside_code: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    klreq: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def checked(self) -> int:
        return self.hangul_ends + self.mixed_ends


def measure(pdf: Path, ref: Reference, report: PostReport, mode: str = "bbox") -> None:
    """Check every joint of consecutive lines of ``pdf`` against ``ref`` into ``report``."""
    lines = pdf_lines(pdf, ref.titles, mode)
    report.pages = max((p for p, _ in lines), default=0)
    for (page, upper), (_, lower) in zip(lines, lines[1:]):
        a, b = upper[-1], lower[0]
        # "%" closes a number ("50%"), not a percent-encoded URL broken after its slash.
        if (b in CLOSING and (b != "%" or a.isdigit())) or a in OPENING:
            verdict, in_code = judge(upper, lower, ref)
            if verdict == "inside" and not in_code:
                rule = "starts with closing" if b in CLOSING else "ends with opening"
                report.klreq.append(f"{rule}: " + Joint(page, upper, lower, "", verdict).show())
        if not (is_hangul(a) or is_hangul(b)) or not (is_word_char(a) and is_word_char(b)):
            continue
        kind = "hangul" if is_hangul(a) and is_hangul(b) else "mixed"
        if kind == "hangul":
            report.hangul_ends += 1
        else:
            report.mixed_ends += 1
        verdict, in_code = judge(upper, lower, ref)
        joint = Joint(page, upper, lower, kind, verdict, in_code)
        if verdict == "inside":
            (report.inside_code if in_code else report.inside).append(joint.show())
        elif verdict == "ambiguous":
            report.ambiguous.append(joint.show())
        elif verdict == "unmatched":
            report.unmatched.append(joint.show())


# ---------------------------------------------------------------- driver


def _options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from converter.options import Options

    data: dict[str, object] = {"formats": ["pdf"], "jobs": 1}
    if args.theme:
        data["theme"] = args.theme
    if args.page_size:
        data["page_size"] = args.page_size
    if args.css:
        data["extra_css"] = list(args.css)
    return Options.from_mapping(data)


def run_one(post: Path, args: argparse.Namespace) -> PostReport:
    import logging

    logging.disable(logging.WARNING)
    from converter.writers import linebreak

    report = PostReport(post=str(post))
    try:
        options = _options(args)
        if args.no_joiners:
            linebreak.apply = lambda root: None  # measure hanji as if it had no joiners
        ref, report.lang = build_reference(post, options)
        pdf = Path(args.pdf_dir) / f"{post.stem}.pdf" if args.pdf_dir else None
        if pdf is None or not pdf.exists():
            from converter.api import convert

            out_dir = Path(args.pdf_dir) if args.pdf_dir else Path(tempfile.mkdtemp(prefix="lb-"))
            pdf = convert(post, output_dir=out_dir, options=options).outputs["pdf"].path
        report.pdf = str(pdf)
        measure(pdf, ref, report, args.mode)
    except Exception as exc:  # noqa: BLE001 - one broken post must not stop the count
        report.error = f"{type(exc).__name__}: {exc}"
    return report


def discover(paths: list[Path]) -> list[Path]:
    from converter.api import discover_posts

    return discover_posts(paths)


def default_paths() -> list[Path]:
    seed = SHARED / "seed-site" / "_posts"
    corpus = SHARED / "corpus"
    paths = [p for p in (seed, corpus) if p.exists()]
    if paths:
        print(f"reading {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        help="posts or folders (default: ../shared seed post and corpus)")
    parser.add_argument("--pdf-dir", help="use (or write) DIR/<post stem>.pdf")
    parser.add_argument("--no-joiners", action="store_true",
                        help="render without hanji's word joiners (the 'before' number)")
    parser.add_argument("--mode", choices=["bbox", "raw", "plain"], default="bbox",
                        help="how pdftotext gives the lines (default bbox: content-stream "
                             "order, grouped by position)")
    parser.add_argument("--theme")
    parser.add_argument("--page-size")
    parser.add_argument("--css", action="append")
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("--show", action="store_true", help="print every break found")
    parser.add_argument("--json", type=Path, help="write the full report as JSON")
    args = parser.parse_args(argv)
    if args.no_joiners and args.pdf_dir:
        parser.error("--no-joiners renders its own PDFs; leave out --pdf-dir")

    paths = args.paths or default_paths()
    if not paths:
        print(f"{SHARED} not found: pass posts or folders to check", file=sys.stderr)
        return 2
    posts = discover(paths)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        reports = list(pool.map(run_one, posts, [args] * len(posts)))

    total = PostReport(post="TOTAL")
    korean = 0
    for report in reports:
        if report.error:
            print(f"ERROR {report.post}: {report.error}")
            continue
        if report.checked == 0 and not report.lang.startswith("ko"):
            continue
        korean += 1
        for name in ("hangul_ends", "mixed_ends"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        for name in ("inside", "inside_code", "ambiguous", "unmatched", "klreq"):
            getattr(total, name).extend(getattr(report, name))
        total.pages += report.pages
        flag = "!!" if report.inside else "ok"
        print(f"{flag} {Path(report.post).name}: {report.pages} pages, {report.checked} Hangul "
              f"line ends ({report.hangul_ends} Hangul|Hangul, {report.mixed_ends} mixed), "
              f"{len(report.inside)} inside a word, {len(report.inside_code)} in code, "
              f"{len(report.klreq)} klreq, {len(report.ambiguous)} ambiguous, "
              f"{len(report.unmatched)} unmatched")
        if args.show or report.inside:
            for name in ("inside", "klreq") + (("inside_code", "ambiguous", "unmatched")
                                              if args.show else ()):
                for item in getattr(report, name):
                    print(f"     {name}: {item}")
    print(f"\n{korean} posts with Korean text, {total.pages} pages: {total.checked} Hangul line "
          f"ends checked ({total.hangul_ends} Hangul|Hangul, {total.mixed_ends} Hangul|letter "
          f"or digit); {len(total.inside)} inside a word, {len(total.inside_code)} inside a "
          f"word in code blocks, {len(total.klreq)} klreq violations, {len(total.ambiguous)} "
          f"ambiguous, {len(total.unmatched)} unmatched; "
          f"{sum(1 for r in reports if r.error)} errors")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in reports], ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 1 if total.inside or any(r.error for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
