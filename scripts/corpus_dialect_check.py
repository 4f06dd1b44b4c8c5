#!/usr/bin/env python3
"""Count Jekyll/kramdown syntax that survives normalize → render → transforms on a corpus.

Runs the shared chapter pipeline (:func:`converter.assemble.build_chapter`: dialect rules,
Python-Markdown, sanitizer, tree transforms; no images decoded, nothing written) over every post
under each blog folder of the corpus, and counts leftovers in the resulting text outside code
and math:

``{%`` ``{{`` ``{:`` ``![`` ``|---`` ``$$`` ``\\begin{`` ``latex`` (a ``\\frac``-like command),
``$tex$`` (single-dollar spans that look like TeX), ``<img`` (escaped HTML image tags),
`````` ``` `````` (a fence line shown as text), placeholder characters, ``img?`` (``<img>``
elements that neither resolved to a file nor were replaced by a warned placeholder),
``attr-liquid`` (Liquid left in ``src``/``href``/``alt``), ``ial-marker`` (IAL markers not
applied) and ``math-src`` (math shown as TeX source because it could not be converted).
``code{{`` counts ``{{`` kept inside code on purpose and ``math`` the formulas converted to
MathML (information, not defects). Warnings are summarised per blog (image/Liquid/math/other). Exit status 0 (also when the corpus is absent).

    python scripts/corpus_dialect_check.py [/work/shared/corpus] [--show KIND] [--verbose]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import html

from converter.assemble import build_chapter
from converter.book import ASSET_ATTRIBUTE, AssetStore
from converter.errors import HanjiError
from converter.options import Options
from converter.post import load_post
from converter.site import Site, find_site_root, site_for

DEFAULT_CORPUS = Path("/work/shared/corpus")
SUFFIXES = {".md", ".markdown"}
# Elements whose text is code or math: leftovers there are intended.
_CODE_TAGS = {"pre", "code", "kbd", "samp"}
_MATH_CLASSES = {"math-inline", "math-display"}
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table",
               "tr", "td", "th", "figure", "figcaption", "blockquote", "dl", "dt", "dd", "br",
               "hr", "section", "header", "footer"}
_LATEX_COMMANDS = (
    "frac|dfrac|tfrac|sqrt|sum|prod|int|oint|lim|infty|partial|nabla|cdot|cdots|ldots|times|"
    "alpha|beta|gamma|delta|epsilon|varepsilon|theta|lambda|mu|sigma|Sigma|pi|phi|omega|rho|tau|"
    "leq|geq|neq|approx|sim|propto|mathbf|mathrm|mathcal|mathbb|boldsymbol|operatorname|left|"
    "right|hat|bar|tilde|overline|underbrace|text|displaystyle|quad|qquad|in|notin|subset|"
    "cup|cap|forall|exists|rightarrow|Rightarrow|leftarrow|mid|log|exp|max|min|argmax|argmin|"
    "mathbb|begin|end"
)
#: Leftover kinds → pattern searched in text outside code and math.
CHECKS: dict[str, re.Pattern[str]] = {
    "{%": re.compile(r"\{%"),
    "{{": re.compile(r"\{\{"),
    "{:": re.compile(r"\{:"),
    "![": re.compile(r"!\[[^\]\n]*\]\s*[(\[]"),
    "|---": re.compile(r"\|\s*:?-{3,}"),
    "$$": re.compile(r"\$\$"),
    "\\begin{": re.compile(r"\\begin\{"),
    "latex": re.compile(r"\\(?:" + _LATEX_COMMANDS + r")(?![A-Za-z])"),
    "$tex$": re.compile(r"(?<![\\$\w])\$(?=\S)[^$\n]{0,200}?(?:\\[A-Za-z]+|[_^]\{)[^$\n]{0,200}?(?<=\S)\$(?!\$)"),
    "<img": re.compile(r"<img\b", re.IGNORECASE),
    "```": re.compile(r"^\s*(?:`{3,}|~{3,})", re.MULTILINE),
    "\ue000": re.compile("[\ue000\ue001]"),
}


def posts_of(blog: Path) -> list[Path]:
    """Markdown posts under any ``_posts`` folder of ``blog``."""
    return sorted(p for p in blog.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and "_posts" in p.relative_to(blog).parts)


def prose_text(root: html.HtmlElement) -> tuple[str, str]:
    """(text outside code and math, text inside code) of a tree."""
    prose: list[str] = []
    code: list[str] = []

    def walk(element: html.HtmlElement, in_code: bool) -> None:
        if element.tag in _BLOCK_TAGS:
            # Block boundaries are line breaks; inline elements join their text.
            (code if in_code else prose).append("\n")
        classes = set((element.get("class") or "").split())
        if classes & _MATH_CLASSES:
            if element.tail:
                (code if in_code else prose).append(element.tail)
            return
        inside = in_code or element.tag in _CODE_TAGS
        if element.text:
            (code if inside else prose).append(element.text)
        for child in element:
            if isinstance(child.tag, str):
                walk(child, inside)
            elif child.tail:
                (code if inside else prose).append(child.tail)
        if element.tail and element is not root:
            (code if in_code else prose).append(element.tail)

    walk(root, False)
    return "".join(prose), "".join(code)


def check_post(path: Path, site: Site, options: Options) -> tuple[Counter[str], list[str], list[tuple[str, str]]]:
    """Leftover counts, warnings and (kind, excerpt) samples for one post."""
    counts: Counter[str] = Counter()
    samples: list[tuple[str, str]] = []
    post = load_post(path)
    chapter = build_chapter(post, site, options, AssetStore(), chapter_id="c")
    prose, code = prose_text(chapter.body)
    for kind, pattern in CHECKS.items():
        for match in pattern.finditer(prose):
            counts[kind] += 1
            start = max(0, match.start() - 40)
            samples.append((kind, prose[start:match.end() + 40].replace("\n", "⏎")))
    counts["code{{"] += code.count("{{")
    for element in chapter.body.iter():
        classes = (element.get("class") or "").split() if isinstance(element.tag, str) else []
        if "hanji-ial" in classes:
            counts["ial-marker"] += 1
        if "math-source" in classes:
            counts["math-src"] += 1
        if element.tag == "math":
            counts["math"] += 1
    for img in chapter.body.iter("img"):
        if img.get(ASSET_ATTRIBUTE) is None:
            counts["img?"] += 1
            samples.append(("img?", img.get("src") or ""))
    for element in chapter.body.iter():
        for name in ("src", "href", "alt"):
            value = element.get(name) or ""
            if "{{" in value or "{%" in value:
                counts["attr-liquid"] += 1
                samples.append(("attr-liquid", value))
    warnings = [w.message for w in post.warnings.warnings]
    return counts, warnings, samples


def _warning_kind(message: str) -> str:
    if message.startswith("image "):
        return "image"
    if "Liquid" in message or "include" in message or "{%" in message:
        return "liquid"
    if "math" in message.lower() or "TeX" in message:
        return "math"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show", action="append", default=[],
                        help="print excerpts of this leftover kind (repeatable; 'all')")
    parser.add_argument("--verbose", action="store_true", help="print every warning")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    if not args.corpus.is_dir():
        print(f"corpus {args.corpus} not found; nothing to check")
        return 0
    options = Options()
    blogs = sorted(p for p in args.corpus.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    kinds = [*CHECKS, "img?", "attr-liquid", "ial-marker", "math-src"]
    header = f"{'blog':14} {'posts':>5} {'err':>3} " + " ".join(f"{k:>7}" for k in kinds) + \
        "   warnings (image/liquid/math/other)   code{{    math"
    print(header)
    totals: Counter[str] = Counter()
    started = time.perf_counter()
    for blog in blogs:
        posts = posts_of(blog)
        sites: dict[Path | None, Site] = {}
        counts: Counter[str] = Counter()
        warning_kinds: Counter[str] = Counter()
        errors = 0
        for path in posts:
            try:
                # _config.yml is parsed once per site, not once per post.
                root = find_site_root(path)
                site = sites.get(root) or sites.setdefault(root, site_for(path))
                post_counts, warnings, samples = check_post(path, site, options)
            except HanjiError as exc:
                errors += 1
                print(f"  ERROR {path}: {exc}")
                continue
            counts.update(post_counts)
            warning_kinds.update(_warning_kind(w) for w in warnings)
            for kind, excerpt in samples:
                if kind in args.show or "all" in args.show:
                    print(f"  [{kind}] {path.relative_to(args.corpus)}: {excerpt}")
            if args.verbose:
                for warning in warnings:
                    print(f"  W {path.relative_to(args.corpus)}: {warning}")
        totals.update(counts)
        totals["posts"] += len(posts)
        totals["errors"] += errors
        print(f"{blog.name:14} {len(posts):>5} {errors:>3} "
              + " ".join(f"{counts[k]:>7}" for k in kinds)
              + f"   {warning_kinds['image']:>5}/{warning_kinds['liquid']}/"
                f"{warning_kinds['math']}/{warning_kinds['other']}"
              + f"   {counts['code{{']:>10} {counts['math']:>7}")
    print(f"{'total':14} {totals['posts']:>5} {totals['errors']:>3} "
          + " ".join(f"{totals[k]:>7}" for k in kinds))
    print(f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
