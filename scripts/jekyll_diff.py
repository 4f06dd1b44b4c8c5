#!/usr/bin/env python3
"""Compare hanji's rendering of posts with the real Jekyll's (the differential oracle).

For every Jekyll site under the given folders (default ``../shared/corpus``; absent → says so,
exit 0) this builds the site with the real Jekyll (Debian's ``jekyll``: Jekyll 4.3, kramdown
2.4) in a temporary copy with layouts and plugins off, and runs hanji's shared chapter pipeline
(:func:`converter.assemble.build_chapter`, the same tree the EPUB and PDF writers get) on the
same posts. Per post it prints the word similarity of the two texts (difflib ratio over words)
and the counts that differ (headings, list items, table cells, images, links, code blocks,
footnotes, formulas); at the end the differences grouped by kind, with examples.

The temporary site holds the posts, ``_config.yml`` (``plugins: []``, no ``theme``/
``remote_theme``, future and unpublished posts on), ``_includes/`` and ``_data/``; every layout
is a bare ``{{ content }}``; includes a post names but the site does not ship (they live in the
theme gem) are empty files, and Liquid tags from plugins (``gist``, ``youtube`` …) are empty
tags. One plugin of our own is loaded (so the build is not ``--safe``): a ``post_convert`` hook
that writes each post's converted HTML to a JSON file, so no permalink has to be guessed.

Deliberate deviations of hanji from Jekyll are normalised by name (:data:`NORMALISATIONS`,
documented in docs/DIALECT.md, "Differences from Jekyll, on purpose"). ``--loose`` also
equates typography (curly/straight quotes, dashes, ellipsis, guillemets): the comparison the
project used before hanji rendered kramdown's typography.

    python scripts/jekyll_diff.py [SITE_OR_CORPUS ...] [--json FILE] [--loose] [--show N]
                                  [--only SUBSTRING] [--keep DIR]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from lxml import html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from converter.api import discover_posts
from converter.assemble import build_chapter
from converter.book import AssetStore
from converter.dialect import permalinks
from converter.dialect.html_quirks import HTML_ELEMENTS
from converter.dialect.span_html import DROPPED_CLOSINGS
from converter.options import Options
from converter.post import load_post
from converter.site import find_site_root, load_site

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
GOAL_SIMILARITY = 0.995

#: Deliberate deviations, normalised by name before comparing (reason in docs/DIALECT.md).
NORMALISATIONS: dict[str, str] = {
    "toc": "kramdown's in-page TOC (`{:toc}`) is dropped: the book's table of contents replaces it",
    "footnote_backlinks": "footnotes have no back links (↩) in a book",
    "image_placeholder": "an image that cannot be shown is a `[alt: reason]` box; it counts as "
                         "an image and its text is not compared",
    "video_link": "videos and players become a `▶ link` paragraph; `<video>`/`<iframe>` are not "
                  "compared",
    "liquid_in_code": "`{{ }}`/`{% %}` inside code stay as written when they do not resolve "
                      "(Jekyll blanks them)",
    "math": "formulas are compared by count only (hanji renders MathML/SVG, Jekyll leaves TeX "
            "for MathJax)",
    "style_script": "`<style>`/`<script>` blocks are not content (hanji's sanitizer drops them)",
    "bare_urls": "hanji links bare URLs (magiclink); such links are not counted",
    "code_line_numbers": "Rouge's line-number gutter (`block: line_numbers: true`) is not "
                         "compared: hanji prints the code without it",
    "empty_header_row": "a table header row whose cells are all empty (`|||`) is dropped",
    "task_checkboxes": "GFM task-list checkboxes are printed as ☐/☑ (a form control cannot be "
                       "printed); the glyph is not compared",
    "unknown_tags": "an angle-bracketed word that is no HTML element (`<eos>`) is shown as text; "
                    "Jekyll passes it to the browser, which hides it",
    "stray_block_closing": "a closing tag of a block element that closes nothing in span text "
                           "(`…</span></Blockquote>`) is dropped; kramdown shows it as text",
    "diagram_caption": "a mermaid fence hanji cannot draw is a listing captioned \"Mermaid "
                       "다이어그램 (원문)\" (the caption is not compared)",
    "dead_fragment_links": "a link to an anchor the page does not have (`(#절)` with "
                           "`auto_ids: false`) is its text alone in hanji",
    "include_stub": "includes from the theme gem are empty in the Jekyll build and rendered "
                    "natively or dropped by hanji; their output is not compared",
}

_BLOCK = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
          "pre", "table", "tr", "td", "th", "thead", "tbody", "blockquote", "figure",
          "figcaption", "br", "hr", "section", "aside", "details", "summary", "center",
          "caption", "img", "iframe", "video"}
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_KNOWN_TAGS = {
    "assign", "capture", "endcapture", "case", "when", "endcase", "comment", "endcomment", "cycle",
    "for", "endfor", "break", "continue", "if", "elsif", "else", "endif", "unless", "endunless",
    "ifchanged", "endifchanged", "include", "include_relative", "increment", "decrement", "raw",
    "endraw", "tablerow", "endtablerow", "highlight", "endhighlight", "link", "post_url", "liquid",
    "echo", "render",
}
_TYPO = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "--", "—": "---",
                       "…": "...", "«": "<<", "»": ">>"})
_MATH_TEXT = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$", re.S)
_SINGLE_DOLLAR = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\d$])")
# MathJax also accepts spaces inside the dollars (``$ A = \\frac{1}{2} $``)
# (and line breaks: ``$\n\\begin{bmatrix}…\n$`` in a raw ``<center>``), TeX-looking only.
_SPACED_DOLLAR = re.compile(r"(?<![\\$])\$(?![\d$])((?:[^$\n]|\n(?![ \t]*\n))*?\\[A-Za-z]"
                            r"(?:[^$\n]|\n(?![ \t]*\n))*?)\$(?![\d$])")
_LIQUID = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\S", re.M)


@dataclass
class Rendered:
    """One side's rendering of a post, reduced to what is compared."""

    words: list[str]
    counts: dict[str, int]
    markers_in_paragraphs: int = 0


@dataclass
class PostResult:
    """The comparison of one post."""

    post: str
    similarity: float | None
    count_diffs: dict[str, tuple[int, int]] = field(default_factory=dict)
    word_diffs: list[tuple[str, str, str]] = field(default_factory=list)
    markers_in_paragraphs: int = 0
    error: str | None = None
    #: hanji's permalink when it differs from the URL Jekyll serves the post at.
    url_diff: tuple[str, str] | None = None


# --- the Jekyll side ------------------------------------------------------------------------

_DUMP_PLUGIN = """\
require 'json'
$hanji_out = {}
$hanji_urls = {}
Jekyll::Hooks.register :posts, :post_convert do |doc|
  $hanji_out[doc.relative_path] = doc.content
  $hanji_urls[doc.relative_path] = doc.url
end
Jekyll::Hooks.register :site, :post_write do |site|
  File.write(ENV.fetch('HANJI_DUMP'), JSON.generate($hanji_out))
  File.write(ENV.fetch('HANJI_DUMP') + '.urls', JSON.generate($hanji_urls))
end
"""


def _front_matter(text: str) -> dict[str, Any]:
    match = re.match(r"---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _stub_tags(texts: Iterable[str]) -> str:
    """Ruby for empty Liquid tags/blocks standing in for plugin tags."""
    names: set[str] = set()
    blocks: set[str] = set()
    for text in texts:
        for name in re.findall(r"\{%-?\s*(\w+)", text):
            if name.startswith("end") and name[3:]:
                blocks.add(name[3:])
            names.add(name)
    lines = []
    for name in sorted(names - _KNOWN_TAGS):
        if name.startswith("end") and name[3:] in names:
            continue
        base = "Liquid::Block" if name in blocks else "Liquid::Tag"
        lines.append(f"Liquid::Template.register_tag({name!r}, Class.new({base}) "
                     "{ def render(context) '' end })")
    return "\n".join(lines) + "\n"


def prepare_jekyll_site(site_root: Path, posts: list[Path], work: Path) -> Path:
    """Copy what Jekyll needs into ``work`` with layouts and plugins off; return the source dir."""
    source = work / "src"
    source.mkdir(parents=True)
    config_path = site_root / "_config.yml"
    config: dict[str, Any] = {}
    if config_path.is_file():
        try:
            loaded = yaml.safe_load(config_path.read_text(encoding="utf-8-sig"))
            config = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            config = {}
    for key in ("theme", "remote_theme", "plugins_dir", "gems", "whitelist", "source",
                "destination", "include", "exclude", "keep_files", "collections_dir"):
        config.pop(key, None)
    kramdown = config.get("kramdown")
    if isinstance(kramdown, dict) and kramdown.get("math_engine") not in (None, "mathjax"):
        kramdown["math_engine"] = "mathjax"  # math: other engines need gems; compared by count
    config.update({"plugins": [], "future": True, "unpublished": True, "show_drafts": False,
                   "incremental": False, "strict_front_matter": False})
    # Every string double-quoted: Ruby's YAML reads a plain ``:word`` as a Symbol and refuses it.
    (source / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True,
                                                       default_style='"'),
                                        encoding="utf-8")
    if (site_root / "_includes").is_dir():
        shutil.copytree(site_root / "_includes", source / "_includes", symlinks=False)
    if (site_root / "_data").is_dir():
        shutil.copytree(site_root / "_data", source / "_data", symlinks=False)
        for data in (source / "_data").rglob("*.y*ml"):
            # Re-spelled with every string quoted (Ruby's YAML refuses a plain ``:word``).
            try:
                loaded = yaml.safe_load(data.read_text(encoding="utf-8-sig"))
                data.write_text(yaml.safe_dump(loaded, allow_unicode=True, default_style='"'),
                                encoding="utf-8")
            except (yaml.YAMLError, UnicodeDecodeError):
                data.unlink()
    texts: list[str] = []
    layouts = {p.stem for p in (site_root / "_layouts").glob("*")} if (
        site_root / "_layouts").is_dir() else set()
    layouts |= {"default", "post", "page", "single"}
    for post in posts:
        target = source / post.relative_to(site_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(post, target)
        text = post.read_text(encoding="utf-8", errors="replace")
        texts.append(text)
        layout = _front_matter(text).get("layout")
        if isinstance(layout, str) and re.fullmatch(r"[\w.-]+", layout):
            layouts.add(layout)
    for default in config.get("defaults") or []:
        layout = (default or {}).get("values", {}).get("layout") if isinstance(default, dict) else None
        if isinstance(layout, str) and re.fullmatch(r"[\w.-]+", layout):
            layouts.add(layout)
    (source / "_layouts").mkdir()
    for layout in layouts:
        (source / "_layouts" / f"{layout}.html").write_text("{{ content }}", encoding="utf-8")
    # Includes named by posts or by shipped includes but not shipped: empty files.
    include_texts = [p.read_text(encoding="utf-8", errors="replace")
                     for p in (source / "_includes").rglob("*") if p.is_file()] if (
        source / "_includes").is_dir() else []
    for text in texts + include_texts:
        for name in re.findall(r"\{%-?\s*include\s+([\w./-]+)", text):
            stub = source / "_includes" / name
            if ".." not in name and not stub.exists():
                stub.parent.mkdir(parents=True, exist_ok=True)
                stub.write_text("", encoding="utf-8")
    (source / "_plugins").mkdir()
    (source / "_plugins" / "hanji_dump.rb").write_text(_DUMP_PLUGIN, encoding="utf-8")
    (source / "_plugins" / "hanji_stubs.rb").write_text(_stub_tags(texts + include_texts),
                                                        encoding="utf-8")
    return source


def jekyll_build(site_root: Path, posts: list[Path], work: Path) -> dict[str, str]:
    """Build with the real Jekyll; return post path relative to the site root → HTML."""
    source = prepare_jekyll_site(site_root, posts, work)
    dump = work / "dump.json"
    env = dict(os.environ, HANJI_DUMP=str(dump), JEKYLL_ENV="production", LC_ALL="C.UTF-8")
    proc = subprocess.run(["jekyll", "build", "-q", "-s", str(source), "-d", str(work / "site")],
                          env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0 or not dump.is_file():
        raise RuntimeError(f"jekyll build failed for {site_root}: "
                           f"{(proc.stderr or proc.stdout).strip()[:1500]}")
    built: dict[str, str] = json.loads(dump.read_text(encoding="utf-8"))
    urls_file = dump.with_name(dump.name + ".urls")
    if urls_file.is_file():
        JEKYLL_URLS[str(site_root)] = json.loads(urls_file.read_text(encoding="utf-8"))
    return built


#: Site root → post path relative to it → the URL Jekyll serves the post at.
JEKYLL_URLS: dict[str, dict[str, str]] = {}


def hanji_permalink(post_path: Path, site_root: Path) -> str:
    """The URL hanji computes for a post (``{% post_url %}``, book links)."""
    site = load_site(site_root)
    return permalinks.permalink(front_matter=load_post(post_path).front_matter, source=post_path,
                                site=site.config, site_root=site.root)


# --- the hanji side -------------------------------------------------------------------------

def hanji_html(post_path: Path, site_root: Path) -> str:
    """The chapter body hanji makes of a post (the tree both writers start from)."""
    post = load_post(post_path)
    site = load_site(site_root)
    options = Options(formats=("epub",))
    chapter = build_chapter(post, site, options, AssetStore(), chapter_id="c")
    return html.tostring(chapter.body, encoding="unicode")


# --- reducing both sides to words and counts -------------------------------------------------

def _parse(fragment: str) -> html.HtmlElement:
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                             huge_tree=True, default_doctype=False)
    return html.fragment_fromstring(fragment or "", create_parent="div", parser=parser)


def _drop(element: html.HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + " " + tail
        else:
            parent.text = (parent.text or "") + " " + tail
    parent.remove(element)


def _words(root: html.HtmlElement) -> list[str]:
    parts: list[str] = []

    def walk(element: html.HtmlElement) -> None:
        block = isinstance(element.tag, str) and element.tag in _BLOCK
        if block:
            parts.append(" ")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(" ")

    walk(root)
    return "".join(parts).replace("\u00a0", " ").split()


def _paragraph_markers(root: html.HtmlElement) -> int:
    """Lines inside paragraphs that start with a Markdown list marker (a list left as text)."""
    count = 0
    for p in root.iter("p"):
        text = p.text_content()
        lines = text.split("\n")[1:]
        count += sum(1 for line in lines if _LIST_MARKER.match(line))
    return count


def _strip_liquid_in_code(root: html.HtmlElement) -> None:
    """liquid_in_code: ``{{ }}``/``{% %}`` inside code are not compared (on both sides: Jekyll
    blanks them unless ``{% raw %}``, hanji keeps them unless they resolve)."""
    for code in list(root.iter("pre", "code")):
        if code.getparent() is not None and code.getparent().tag == "pre":
            continue  # done with its <pre>
        text = code.text_content()
        if "{{" in text or "{%" in text:
            # Highlighting may split a tag over spans: compare the code's text as a whole.
            for child in list(code):
                code.remove(child)
            code.text = _LIQUID.sub("", text)


_STRAY_BLOCK_CLOSING = re.compile(r"</(" + "|".join(sorted(DROPPED_CLOSINGS)) + r")\s*>",
                                  re.IGNORECASE)
def _drop_stray_block_closings(root: html.HtmlElement) -> None:
    """stray_block_closing: kramdown's text ``</Blockquote>`` (a block element's closing tag
    whose opening is not shown as text beside it) is dropped by hanji."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        in_code = any(a.tag in ("pre", "code") for a in element.iterancestors())
        for attr in ("text", "tail"):
            if in_code or (attr == "text" and element.tag in ("pre", "code")):
                continue  # code (a code element's tail is prose)
            value = getattr(element, attr)
            if not value or "</" not in value:
                continue

            def drop(match: re.Match[str], value: str = value) -> str:
                name = match.group(1).lower()
                return match.group() if ("<" + name) in value.lower() else ""

            setattr(element, attr, _STRAY_BLOCK_CLOSING.sub(drop, value))


_BARE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\s*(/?)>")
_HANGUL_TAG = re.compile(r"<(?P<name>[\uac00-\ud7a3\u3131-\u318e][^\s<>/]*)(?P<attrs>[^<>\n]*)>")


def _hangul_tags_as_text(fragment: str) -> str:
    """unknown_tags: kramdown reads ``<내부 통신 인터페이스>`` as an element ``내부`` with two
    attributes and raw content up to a ``</내부>`` it adds; hanji shows the words as written."""
    while (match := _HANGUL_TAG.search(fragment)) is not None:
        name = match.group("name")
        attrs = re.sub(r'=""', "", match.group("attrs"))
        closing = fragment.find(f"</{name}>", match.end())
        end = closing if closing >= 0 else match.end()
        inner = fragment[match.end():end].replace("`", "")  # raw content: backticks shown
        rest = fragment[end + len(f"</{name}>"):] if closing >= 0 else fragment[end:]
        fragment = (fragment[:match.start()] + "&lt;" + name + attrs + "&gt;" + inner + rest)
    return fragment


def reduce_jekyll(fragment: str, *, single_dollar: bool) -> Rendered:
    # unknown_tags: a bare <word> that is no HTML element is text in hanji; the browser hides it.
    fragment = _BARE_TAG.sub(lambda m: m.group() if m.group(2).lower() in HTML_ELEMENTS
                             else "&lt;" + m.group()[1:-1] + "&gt;", fragment)
    fragment = _hangul_tags_as_text(fragment)
    root = _parse(fragment)
    _drop_stray_block_closings(root)
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for link in list(root.iter("a")):  # dead_fragment_links
        href = link.get("href") or ""
        if href.startswith("#") and unquote(href[1:]) not in ids:
            link.drop_tag()
    for el in root.xpath("//*[@id='markdown-toc']"):  # toc
        _drop(el)
    for el in root.xpath("//a[contains(concat(' ', @class, ' '), ' reversefootnote ')]"):
        _drop(el)  # footnote_backlinks
    for el in root.xpath("//style|//script|//noscript"):  # style_script
        _drop(el)
    for el in root.xpath("//video|//iframe|//audio"):  # video_link
        _drop(el)
    for tr in root.xpath("//thead/tr"):  # empty_header_row
        if not tr.text_content().strip() and not list(tr.iter("img")):
            tr.getparent().remove(tr)
    for el in root.xpath("//table[contains(@class,'rouge-table')]//td[contains(@class,'gutter')]"):
        _drop(el)  # code_line_numbers (``linenos`` / ``line_numbers: true``)
    for table in root.xpath("//table[contains(@class,'rouge-table')]"):
        code = table.xpath(".//td[contains(@class,'code')]/pre")
        if code:
            code[0].tag = "span"
            code[0].tail = table.tail
            table.getparent().replace(table, code[0])
    _strip_liquid_in_code(root)
    formulas = 0
    for text_el in root.iter():
        in_code = any(a.tag in ("pre", "code") for a in text_el.iterancestors())
        for attr in ("text", "tail"):
            if attr == "text" and (in_code or text_el.tag in ("pre", "code")):
                continue  # code; a code element's tail is prose
            if attr == "tail" and in_code:
                continue
            value = getattr(text_el, attr)
            if not value:
                continue
            value, n = _MATH_TEXT.subn(" ", value)
            formulas += n
            if single_dollar:
                value, n = _SINGLE_DOLLAR.subn(" ", value)
                formulas += n
                value, n = _SPACED_DOLLAR.subn(" ", value)
                formulas += n
            setattr(text_el, attr, value)
    counts = _counts(root)
    counts["formulas"] = formulas
    return Rendered(_words(root), counts, _paragraph_markers(root))


def reduce_hanji(fragment: str) -> Rendered:
    root = _parse(fragment)
    for li in root.iter("li"):  # task_checkboxes
        if li.text and li.text.lstrip()[:1] in ("☐", "☑"):
            li.text = li.text.lstrip()[1:]
    images = len(root.xpath("//span[contains(@class,'image-missing')]"))
    for el in root.xpath("//span[contains(@class,'image-missing')]"):  # image_placeholder
        _drop(el)
    for el in root.xpath("//p[contains(@class,'video-link')]"):  # video_link
        _drop(el)
    for el in root.xpath("//figure[contains(@class,'diagram-source')]/figcaption"):
        _drop(el)  # diagram_caption
    # math: a lone \ref/\eqref is a number link (``.math-ref``) in hanji, a formula in Jekyll.
    formula_path = ("//*[@data-tex]|//*[contains(@class,'math-source')]"
                    "|//*[contains(concat(' ', @class, ' '), ' math-ref ')]")
    formulas = len(root.xpath(formula_path))
    for el in root.xpath(formula_path):  # math
        _drop(el)
    _strip_liquid_in_code(root)
    counts = _counts(root)
    counts["images"] += images
    counts["formulas"] = formulas
    # Footnote references are counted as footnotes, not links.
    counts["links"] -= len(root.xpath("//sup[contains(@class,'footnote-ref')]/a[@href]"))
    return Rendered(_words(root), counts, _paragraph_markers(root))


def _counts(root: html.HtmlElement) -> dict[str, int]:
    footnotes = root.xpath("//div[contains(@class,'footnotes')]//li")
    return {
        "headings": sum(1 for _ in root.iter(*_HEADINGS)),
        "list_items": sum(1 for li in root.iter("li")) - len(footnotes),
        "table_cells": sum(1 for _ in root.iter("td", "th")),
        "images": sum(1 for _ in root.iter("img")),
        # bare_urls: a link whose text is its address is not counted on either side (hanji's
        # magiclink makes them from bare URLs).
        "links": sum(1 for a in root.iter("a") if a.get("href")
                     and "footnote" not in (a.get("class") or "")
                     and not (a.get("href") or "").startswith("#fn")
                     and a.text_content().strip() != a.get("href")),
        "code_blocks": sum(1 for _ in root.iter("pre")),
        "footnotes": len(footnotes),
        "abbreviations": sum(1 for _ in root.iter("abbr")),
    }


# --- comparing ------------------------------------------------------------------------------

def _loose(words: list[str]) -> list[str]:
    return [w.translate(_TYPO) for w in words]


def _kind(a: str, b: str) -> str:
    """Name the kind of a word difference (``a`` Jekyll's words, ``b`` hanji's)."""
    if a.translate(_TYPO) == b.translate(_TYPO):
        if re.search("[“”‘’\"']", a + b):
            return "quotes"
        return "dashes/ellipsis/guillemets"
    if re.search(r"(^|\s)(?:[-*+]|\d{1,3}\.)(\s|$)", b) and not re.search(
            r"(^|\s)(?:[-*+]|\d{1,3}\.)(\s|$)", a):
        return "list marker as text"
    if re.sub(r"\s", "", a) == re.sub(r"\s", "", b):
        return "word boundaries"
    if re.search(r"\*\*|__|`|^#|\[\^|\]\(", b):
        return "markdown left as text"
    if re.search(r"[<>]", b) and not re.search(r"[<>]", a):
        return "html left as text"
    if not b:
        return "missing in hanji"
    if not a:
        return "extra in hanji"
    return "other"


def compare(jekyll: Rendered, hanji: Rendered, *, loose: bool) -> tuple[float, list[tuple[str, str, str]]]:
    a, b = jekyll.words, hanji.words
    if loose:
        a, b = _loose(a), _loose(b)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ratio = matcher.ratio() if (a or b) else 1.0
    diffs = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        left = " ".join(jekyll.words[i1:i2])
        right = " ".join(hanji.words[j1:j2])
        diffs.append((_kind(left, right), left[:160], right[:160]))
    return ratio, diffs


def _site_single_dollar(site_root: Path) -> bool:
    """Whether the site's pages load MathJax/KaTeX with ``$`` delimiters (math is then
    counted in Jekyll's text too)."""
    for folder in ("_includes", "_layouts"):
        for path in (site_root / folder).rglob("*") if (site_root / folder).is_dir() else []:
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                if re.search(r"inlineMath|renderMathInElement", text, re.I):
                    return True
    return False


def compare_site(site_root: Path, posts: list[Path], *, loose: bool,
                 keep: Path | None = None) -> list[PostResult]:
    with tempfile.TemporaryDirectory(prefix="hanji-jekyll-") as tmp:
        work = Path(tmp)
        try:
            built = jekyll_build(site_root, posts, work)
        finally:
            if keep is not None:
                shutil.copytree(work, keep / site_root.name, dirs_exist_ok=True)
    single_dollar = _site_single_dollar(site_root)
    results = []
    for post in posts:
        rel = post.relative_to(site_root).as_posix()
        name = f"{site_root.name}/{rel}"
        if rel not in built:
            results.append(PostResult(name, None, error="not a post for Jekyll (not built)"))
            continue
        try:
            ours = reduce_hanji(hanji_html(post, site_root))
        except Exception as exc:  # noqa: BLE001 - a harness reports every failure and goes on
            results.append(PostResult(name, None, error=f"hanji: {type(exc).__name__}: {exc}"))
            continue
        theirs = reduce_jekyll(built[rel],
                               single_dollar=single_dollar or ours.counts["formulas"] > 0)
        ratio, diffs = compare(theirs, ours, loose=loose)
        count_diffs = {k: (theirs.counts[k], ours.counts[k]) for k in theirs.counts
                       if theirs.counts[k] != ours.counts[k]}
        url_diff = None
        jekyll_url = JEKYLL_URLS.get(str(site_root), {}).get(rel)
        if jekyll_url is not None:
            mine = hanji_permalink(post, site_root)
            if unquote(mine) != unquote(jekyll_url):
                url_diff = (jekyll_url, mine)
        results.append(PostResult(name, round(ratio, 5), count_diffs, diffs,
                                  ours.markers_in_paragraphs, url_diff=url_diff))
    return results


def sites_of(paths: list[Path]) -> dict[Path, list[Path]]:
    """Posts grouped by the Jekyll site (folder with ``_config.yml``) they belong to."""
    grouped: dict[Path, list[Path]] = defaultdict(list)
    for post in discover_posts([p.resolve() for p in paths]):
        root = find_site_root(post)
        if root is not None:
            grouped[root].append(post.resolve())
    return dict(grouped)


GOAL_COUNTS = ("headings", "list_items", "table_cells", "images", "code_blocks")


def summarise(results: list[PostResult], *, show: int) -> dict[str, Any]:
    compared = [r for r in results if r.similarity is not None]
    n = len(compared) or 1
    good = [r for r in compared if r.similarity >= GOAL_SIMILARITY]
    low = [r for r in compared if r.similarity < 0.97]
    counts_equal = {kind: sum(1 for r in compared if kind not in r.count_diffs) / n
                    for kind in ("headings", "list_items", "table_cells", "images", "links",
                                 "code_blocks", "footnotes", "formulas", "abbreviations")}
    all_goal_equal = sum(1 for r in compared if not set(GOAL_COUNTS) & set(r.count_diffs)) / n
    kinds: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    posts_by_kind: dict[str, set[str]] = defaultdict(set)
    for r in compared:
        for kind, left, right in r.word_diffs:
            kinds[kind] += 1
            posts_by_kind[kind].add(r.post)
            if len(examples[kind]) < show:
                examples[kind].append(f"{r.post}: jekyll «{left}» hanji «{right}»")
        for kind, (a, b) in r.count_diffs.items():
            key = f"count:{kind}"
            kinds[key] += 1
            posts_by_kind[key].add(r.post)
            if len(examples[key]) < show:
                examples[key].append(f"{r.post}: jekyll {a} hanji {b}")
    return {
        "posts": len(results), "compared": len(compared),
        "errors": [(r.post, r.error) for r in results if r.error],
        "at_goal": len(good) / n, "below_097": [(r.post, r.similarity) for r in low],
        "below_goal": sorted(((r.post, r.similarity) for r in compared
                              if r.similarity < GOAL_SIMILARITY), key=lambda x: x[1]),
        "counts_equal": counts_equal, "goal_counts_equal": all_goal_equal,
        "posts_with_markers_in_paragraphs": sum(1 for r in compared if r.markers_in_paragraphs),
        "permalinks_equal": sum(1 for r in compared if r.url_diff is None) / n,
        "permalink_diffs": [(r.post, *r.url_diff) for r in compared if r.url_diff],
        "kinds": dict(kinds), "posts_by_kind": {k: len(v) for k, v in posts_by_kind.items()},
        "examples": dict(examples),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="write per-post results and the summary here")
    parser.add_argument("--loose", action="store_true",
                        help="equate quotes, dashes, ellipsis and guillemets")
    parser.add_argument("--show", type=int, default=3, help="examples per kind")
    parser.add_argument("--only", help="only posts whose path contains this")
    parser.add_argument("--keep", type=Path, help="keep the Jekyll build folders here")
    parser.add_argument("--quiet", action="store_true", help="no per-post lines")
    args = parser.parse_args(argv)
    if shutil.which("jekyll") is None:
        print("jekyll is not installed (apt-get install jekyll): nothing compared")
        return 0
    paths = args.paths or [DEFAULT_CORPUS]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"not found: {', '.join(map(str, missing))} (the shared corpus is absent?)")
        return 0
    import logging
    logging.disable(logging.WARNING)
    started = time.monotonic()
    results: list[PostResult] = []
    for site_root, posts in sorted(sites_of(paths).items()):
        if args.only:
            posts = [p for p in posts if args.only in str(p)]
            if not posts:
                continue
        try:
            site_results = compare_site(site_root, posts, loose=args.loose, keep=args.keep)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(exc)
            site_results = [PostResult(f"{site_root.name}/{p.relative_to(site_root).as_posix()}",
                                       None, error="jekyll build failed") for p in posts]
        results.extend(site_results)
        if not args.quiet:
            for r in site_results:
                counts = " ".join(f"{k}={a}/{b}" for k, (a, b) in r.count_diffs.items())
                sim = f"{r.similarity:.4f}" if r.similarity is not None else "  -   "
                print(f"{sim}  {r.post}  {counts}{'  ' + r.error if r.error else ''}")
    summary = summarise(results, show=args.show)
    print(f"\n{summary['compared']} of {summary['posts']} posts compared "
          f"({time.monotonic() - started:.0f} s){' [loose typography]' if args.loose else ''}")
    print(f"at ≥ {GOAL_SIMILARITY}: {summary['at_goal']:.1%}; below 0.97: "
          f"{len(summary['below_097'])}")
    print("counts equal: " + ", ".join(f"{k} {v:.1%}" for k, v in summary["counts_equal"].items())
          + f"; all of {'/'.join(GOAL_COUNTS)}: {summary['goal_counts_equal']:.1%}")
    print(f"posts with a list marker starting a line in a paragraph: "
          f"{summary['posts_with_markers_in_paragraphs']}")
    print(f"permalinks equal to Jekyll's: {summary['permalinks_equal']:.1%}")
    for post, theirs, mine in summary["permalink_diffs"][:args.show]:
        print(f"  permalink: {post}: jekyll {theirs} hanji {mine}")
    for post, error in summary["errors"]:
        print(f"error: {post}: {error}")
    print("\ndifferences by kind (occurrences, posts):")
    for kind, count in sorted(summary["kinds"].items(), key=lambda kv: -kv[1]):
        print(f"  {kind}: {count} in {summary['posts_by_kind'][kind]} posts")
        for example in summary["examples"].get(kind, []):
            print(f"      {example}")
    if summary["below_goal"]:
        print("\nbelow the goal:")
        for post, sim in summary["below_goal"]:
            print(f"  {sim:.4f}  {post}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary,
                                         "posts": [asdict(r) for r in results]},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
