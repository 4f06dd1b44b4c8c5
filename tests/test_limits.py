"""Bounded work: pathological posts end in seconds, degraded with a warning naming the line.

Liquid (loops of millions, nested loops, a string doubled forty times, a slow loop), Markdown
(thousands of quote levels), tables and footnotes past their limits, image pixels and SVG
size per post. Each class is also run through the real CLI: exit 0 or 1, no traceback, no
partial file, well inside ten seconds.
"""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import SiteBuilder, epubcheck_problems, pdf_text
from lxml import html

import converter
from converter.batch import PostTimeout, time_limit
from converter.dialect import DialectContext, normalize
from converter.dialect.liquid import render_liquid
from converter.errors import InputError
from converter.kramdown_config import KramdownOptions
from converter.render import render_body
from converter.transforms.footnotes import run as apply_footnotes
from converter.writers.pdf.footnotes import page_footnotes

LOOP = "{% for i in (1..100000000) %}{{ i }}{% endfor %}"
NESTED = ("{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}x"
          "{% endfor %}{% endfor %}{% endfor %}")
DOUBLING = '{% assign s = "xy" %}\n' + "{% assign s = s | append: s %}\n" * 40 + "{{ s | size }}"
MANY_LOOPS = "\n".join(["{% for i in (1..90000) %}{% assign x = i | plus: 1 %}{% endfor %}"] * 50)


def _ctx(**options: object) -> DialectContext:
    return DialectContext(site={}, page={}, options=converter.Options(**options))


def _render(text: str, **options: object) -> tuple[str, list[str], float]:
    ctx = _ctx(**options)
    started = time.perf_counter()
    out = render_liquid("시작\n" + text + "\n끝", ctx)
    return out, [str(w) for w in ctx.diagnostics.warnings], time.perf_counter() - started


@pytest.mark.parametrize("text, option", [
    (LOOP, "liquid_loop_limit"),
    (NESTED, "liquid_loop_limit"),
    (DOUBLING, "liquid_namespace_limit"),
    (MANY_LOOPS, "liquid_loop_limit"),
])
def test_liquid_resource_limits_degrade_with_a_warning(text: str, option: str) -> None:
    out, warnings, seconds = _render(text)
    assert seconds < 5
    assert len(warnings) == 1 and option in warnings[0] and "Liquid stopped" in warnings[0]
    assert ":2:" in warnings[0] or ":" in warnings[0]  # the line of the tag (body line 2)
    assert "시작" in out and "끝" in out and "{%" not in out


def test_liquid_loop_limit_is_configurable() -> None:
    _, warnings, _ = _render("{% for i in (1..500) %}x{% endfor %}", liquid_loop_limit=100)
    assert warnings and "liquid_loop_limit = 100" in warnings[0]
    out, warnings, _ = _render("{% for i in (1..50) %}x{% endfor %}", liquid_loop_limit=100)
    assert not warnings and "x" * 50 in out


def test_liquid_output_limit() -> None:
    text = '{% for i in (1..5000) %}0123456789{% endfor %}'
    _, warnings, _ = _render(text, liquid_output_limit=10_000)
    assert warnings and "liquid_output_limit" in warnings[0]


def test_liquid_time_limit_stops_a_slow_loop() -> None:
    slow = ("{% for i in (1..90000) %}{{ 'ㄱ' | append: i | markdownify | slugify }}"
            "{% endfor %}")
    out, warnings, seconds = _render(slow, liquid_time_limit=0.5)
    assert seconds < 3
    assert warnings and "liquid_time_limit" in warnings[0]
    assert "끝" in out


def test_ordinary_liquid_is_not_limited() -> None:
    out, warnings, _ = _render("{% for i in (1..3) %}{% for j in (1..3) %}{{ i }}{{ j }} "
                               "{% endfor %}{% endfor %}")
    assert not warnings
    assert "11 12 13 21" in out


def test_markdown_nesting_is_cut() -> None:
    ctx = _ctx()
    text = "첫 줄\n\n" + ">" * 3000 + " 깊은 인용\n"
    started = time.perf_counter()
    out = normalize(text, ctx)
    assert time.perf_counter() - started < 2
    assert out.count(">") <= 40 and "깊은 인용" in out
    [warning] = ctx.diagnostics.warnings
    assert warning.line == 3 and "max_nesting" in warning.message


def test_nesting_inside_code_is_kept() -> None:
    ctx = _ctx(max_nesting=3)
    text = "```\n>>>>>>>> code\n```\n"
    assert normalize(text, ctx).count(">") == 8
    assert not ctx.diagnostics.warnings


def test_table_rows_past_the_cell_limit_are_dropped() -> None:
    ctx = _ctx(max_table_cells=100)
    header = "| a | b | c | d |\n|---|---|---|---|\n"
    rows = "".join(f"| {r} | x | y | z |\n" for r in range(200))
    out = normalize("앞 문단\n\n" + header + rows + "\n뒤 문단\n", ctx)
    assert "| 23 | x" in out and "| 24 | x" not in out  # 4 header cells + 24 rows of 4
    assert "| ⋯ |" in out and "뒤 문단" in out
    [warning] = ctx.diagnostics.warnings
    assert warning.line == 3 and "max_table_cells" in warning.message
    assert "176 rows of 1 table dropped" in warning.message
    rows = render_body(out).findall(".//table/tbody/tr")
    assert len(rows) == 24 + 1 and rows[-1][0].text == "⋯"  # the last row says rows are gone


def test_raw_html_table_cells_count_against_the_post_limit() -> None:
    """Cells of raw HTML tables count with the pipe tables' (all tables of the post share
    the limit): the second table is cut where the budget runs out, marked ⋯."""
    ctx = _ctx(max_table_cells=100)
    pipe = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 19  # 40 cells
    html = ("<table>\n<thead><tr><th>가</th><th>나</th></tr></thead>\n<tbody>\n"
            + "".join(f"<tr><td>{r}</td><td>값</td></tr>\n" for r in range(100))
            + "</tbody>\n</table>\n")
    out = normalize("앞\n\n" + pipe + "\n" + html + "\n뒤 문단\n", ctx)
    root = render_body(out)
    pipe_table, html_table = root.findall(".//table")
    assert len(pipe_table.findall(".//td")) + len(pipe_table.findall(".//th")) == 40
    cells = html_table.findall(".//td") + html_table.findall(".//th")
    assert len(cells) == 60 + 1 and html_table.findall(".//td")[-1].text == "⋯"
    assert "뒤 문단" in root.text_content()
    [warning] = ctx.diagnostics.warnings
    assert warning.line == 25 and "max_table_cells" in warning.message  # the <table> line


def test_html_table_in_code_is_not_counted() -> None:
    ctx = _ctx(max_table_cells=10)
    code = "```html\n<table>" + "<tr><td>x</td></tr>" * 50 + "</table>\n```\n"
    assert normalize(code, ctx).count("<td>") == 50
    assert not ctx.diagnostics.warnings


def test_lists_deeper_than_the_limit_join_the_deepest_level() -> None:
    """kramdown's two-column nesting, 30 levels: at most ``max_nesting`` nested lists remain,
    every item's text is kept, the warning names the first item moved."""
    ctx = _ctx(max_nesting=5)
    text = "앞 문단\n\n" + "".join("  " * level + f"- 항목{level}\n" for level in range(30))
    root = render_body(normalize(text, ctx))
    depth = max(len(item.xpath("ancestor::ul")) for item in root.iter("li"))
    assert depth == 5
    assert [f"항목{n}" in root.text_content() for n in range(30)] == [True] * 30
    [warning] = ctx.diagnostics.warnings
    assert warning.line == 8 and "max_nesting" in warning.message  # "- 항목5"


def test_liquid_that_makes_a_post_too_big_fails_naming_it(tmp_path: Path) -> None:
    ctx = _ctx(max_post_bytes=10_000)
    ctx.post_path = tmp_path / "2020-01-01-grow.md"
    with pytest.raises(InputError) as caught:
        normalize("{% for i in (1..5000) %}한 줄 {{ i }}\n{% endfor %}", ctx)
    assert str(caught.value).startswith(f"{ctx.post_path}: ")
    assert "max_post_bytes" in str(caught.value) and "\n" not in str(caught.value)


def test_page_footnotes_past_the_limit_stay_endnotes() -> None:
    root = render_body(" ".join(f"말{i}[^{i}]" for i in range(1, 8)) + "\n\n"
                       + "".join(f"[^{i}]: 주석 {i}\n" for i in range(1, 8)))
    apply_footnotes(root, SimpleNamespace(kramdown=KramdownOptions()))  # type: ignore[arg-type]
    page_footnotes(root, 3)
    notes = root.find_class("footnote")
    assert [n.text_content().strip() for n in notes if n.tag == "span"] == [
        "주석 1", "주석 2", "주석 3"]
    [endnotes] = [d for d in root.find_class("footnotes") if d.tag == "div"]
    ol = endnotes.find(".//ol")
    assert [li.text_content().strip() for li in ol] == [f"주석 {i}" for i in range(4, 8)]
    assert ol.get("start") == "4" and "list-item 3" in ol.get("style")
    assert len(root.xpath("//sup/a")) == 4  # the calls of the endnotes stay links


def test_footnotes_past_the_page_limit_are_named_and_printed_as_endnotes(
        site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2020-01-01-notes.md", " ".join(f"문장{i}[^{i}]" for i in range(1, 9))
                     + "\n\n" + "".join(f"[^{i}]: 주석{i}번\n" for i in range(1, 9)))
    options = converter.Options(formats=("pdf",), jobs=1, cache_dir=tmp_path / "cache",
                                max_page_footnotes=5, cover_page=False)
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    [warning] = [w for w in result.warnings if "max_page_footnotes" in w.message]
    assert warning.line == 12 and "the later 3 as endnotes" in warning.message  # [^6]:
    text = pdf_text(result.paths[0])
    assert "6. 주석6번" in text and "8. 주석8번" in text  # numbered on from the page notes
    assert text.count("주석1번") == 1 and text.count("주석6번") == 1


def test_long_text_window_lays_out_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """A word of 1,200 letters, a Korean paragraph without spaces (word joiners between its
    syllables) and a table cell's long word (min-content width) break into the same lines
    with the window as without it (a window larger than any text)."""
    from weasyprint import HTML

    from converter.writers import linebreak, patches
    from converter.writers.patches import long_text

    patches.install()
    root = render_body("x" * 1200 + "\n\n" + "가나다라마바사" * 160 + " 끝.\n\n| "
                       + "y" * 1050 + " |\n|---|\n| 짧은 칸 |\n")
    linebreak.apply(root)
    source = ("<html><style>@page { size: 100mm 150mm } body { overflow-wrap: anywhere }"
              "</style><body>" + html.tostring(root, encoding="unicode"))

    def lines() -> list[list[str]]:
        document = HTML(string=source).render()
        return [[box.text for box in _text_boxes(page._page_box)] for page in document.pages]

    windowed = lines()
    monkeypatch.setattr(long_text, "WINDOW", 10**9)
    assert lines() == windowed
    assert len(windowed) > 1 and sum(map(len, windowed)) > 100  # pages, lines


def _text_boxes(box: object) -> list[object]:
    from weasyprint.formatting_structure import boxes

    found = []
    stack = [box]
    while stack:
        current = stack.pop()
        if isinstance(current, boxes.TextBox):
            found.append(current)
        stack.extend(reversed(getattr(current, "children", [])))
    return found


def test_footnotes_past_the_limit_are_dropped() -> None:
    ctx = _ctx(max_footnotes=10)
    text = " ".join(f"말[^{i}]" for i in range(30)) + "\n\n" + "\n".join(
        f"[^{i}]: 주석 {i}" for i in range(30)) + "\n"
    out = normalize(text, ctx)
    assert "[^9]: 주석 9" in out and "[^10]: 주석 10" not in out
    [warning] = ctx.diagnostics.warnings
    assert "20 dropped" in warning.message and warning.line == 13


def test_image_pixels_per_post_and_svg_size(site: SiteBuilder, tmp_path: Path) -> None:
    for n in range(4):
        site.image(f"assets/p{n}.png", (400, 300))
    svg = site.root / "assets" / "big.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   + "<!-- padding -->" * 2000 + "</svg>", encoding="utf-8")
    post = site.post("2020-01-01-images.md", "\n\n".join(
        f"![p{n}](/assets/p{n}.png)" for n in range(4)) + "\n\n![svg](/assets/big.svg)\n")
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache",
                                max_post_pixels=250_000, max_svg_bytes=10_000)
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    messages = [w.message for w in result.warnings]
    assert sum("max_post_pixels" in m for m in messages) == 2  # 2 × 120,000 fit
    assert sum("max_svg_bytes" in m for m in messages) == 1
    with zipfile.ZipFile(result.paths[0]) as book:
        images = [n for n in book.namelist() if n.endswith(".png") and "/cover." not in n]
    assert len(images) == 2


PATHOLOGICAL = {
    "loop": f"시작\n\n{LOOP}\n\n끝\n",
    "nested": f"시작\n\n{NESTED}\n\n끝\n",
    "doubling": f"시작\n\n{DOUBLING}\n\n끝\n",
    "many-loops": f"시작\n\n{MANY_LOOPS}\n\n끝\n",
    "quotes": "시작\n\n" + ">" * 3000 + " 인용\n",
    "lists": "시작\n\n" + "".join("  " * i + "- 항목\n" for i in range(400)),
    "table": "| " + " | ".join(f"h{c}" for c in range(20)) + " |\n|" + "---|" * 20 + "\n"
             + "".join("| " + " | ".join(f"c{r}" for _ in range(20)) + " |\n" for r in range(3000)),
    "footnotes": " ".join(f"말[^{i}]" for i in range(5000)) + "\n\n"
                 + "\n".join(f"[^{i}]: 주석 {i}" for i in range(5000)) + "\n",
}


@pytest.mark.parametrize("kind", sorted(PATHOLOGICAL))
def test_pathological_post_through_the_cli(kind: str, site: SiteBuilder, tmp_path: Path) -> None:
    """The real command: ≤ 10 s, exit 0 with a warning (or 1), no traceback, no partial file."""
    post = site.post(f"2020-01-01-{kind}.md", PATHOLOGICAL[kind])
    out = tmp_path / "out"
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "converter", "-v", "convert", str(post),
                          "-o", str(out), "--format", "epub", "--cache-dir",
                          str(tmp_path / "cache"), "-j", "1"],
                         capture_output=True, text=True, timeout=60)
    seconds = time.perf_counter() - started
    assert seconds < 10, (kind, seconds)
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    assert all(not name.startswith(".") and not name.endswith(".tmp") for name in leftovers)
    if run.returncode == 0:
        assert "warning" in (run.stdout + run.stderr)
        assert leftovers == [f"2020-01-01-{kind}.epub"]
    else:
        assert leftovers == []


def test_a_dropped_alarm_is_followed_by_another() -> None:
    """Python drops an exception a signal handler raises inside a finaliser; the time limit
    must still end the work (the next alarm comes half a second later)."""
    started = time.perf_counter()
    with pytest.raises(PostTimeout), time_limit(0.2):
        try:
            time.sleep(5)
        except PostTimeout:
            pass  # lost, as in a __del__ or a gc callback
        time.sleep(5)
    assert time.perf_counter() - started < 2


def test_a_book_skips_a_chapter_past_the_timeout(site: SiteBuilder, tmp_path: Path) -> None:
    """The per-post timeout holds inside a book: the slow chapter is left out, and said so."""
    site.post("2020-01-01-fine.md", "# 좋은 글\n\n본문입니다.\n")
    slow = site.post("2020-01-02-slow.md",
                     "시작\n\n{% for i in (1..100000000) %}{{ i | markdownify }}{% endfor %}\n")
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache",
                                timeout=2, liquid_time_limit=0, liquid_loop_limit=10**9)
    started = time.perf_counter()
    result = converter.build_book([site.root], title="책", output_dir=tmp_path / "out",
                                  options=options)
    assert time.perf_counter() - started < 30
    assert result.skipped == [slow]
    assert any("timed out after 2 s" in str(w) and "slow" in str(w) for w in result.warnings)
    assert len(result.titles) == 1 and result.paths[0].is_file()


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_a_post_past_the_memory_limit_fails_alone(site: SiteBuilder, tmp_path: Path) -> None:
    """Workers run under ``max_memory_mb``: a post needing more fails with one line naming it
    (here a string doubled 34 times, its Liquid limits lifted), the others convert."""
    small = site.post("2020-01-01-small.md", "# 작은 글\n\n본문.\n")
    big = site.post("2020-01-02-big.md", "{% assign s = 'xy' %}\n"
                    + "{% assign s = s | append: s %}\n" * 34 + "{{ s | size }}\n")
    options = converter.Options(formats=("epub",), jobs=2, cache_dir=tmp_path / "cache",
                                max_memory_mb=1024, liquid_namespace_limit=10**12,
                                liquid_output_limit=10**12)
    summary = converter.run_batch([small, big], output_dir=tmp_path / "out", options=options)
    outcomes = {o.source.name: o for o in summary.outcomes}
    assert outcomes["2020-01-01-small.md"].ok
    assert outcomes["2020-01-02-big.md"].error == (
        f"{big}: out of memory (option max_memory_mb = 1024)")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2020-01-01-small.epub"]


def test_limits_are_flags_too(site: SiteBuilder, tmp_path: Path) -> None:
    """``--limit NAME=VALUE`` sets any max_*/liquid_* option for ``hanji convert`` (the
    schema book.yml's ``options:`` uses): a lower cell limit cuts the table, with a warning."""
    post = site.post("2020-01-01-table.md", "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 20)
    run = subprocess.run([sys.executable, "-m", "converter", "-v", "convert", str(post), "-o",
                          str(tmp_path / "out"), "--format", "epub", "--cache-dir",
                          str(tmp_path / "cache"), "-j", "1", "--limit", "max_table_cells=10"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "more than 10 table cells in the post (option max_table_cells)" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "converter", "convert", str(post), "-o",
                          str(tmp_path / "out"), "--limit", "theme=x"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--limit" in bad.stderr and "Traceback" not in bad.stderr


def test_tables_and_lists_inside_block_quotes_are_limited_too() -> None:
    ctx = _ctx(max_table_cells=20, max_nesting=4)
    table = "> | a | b |\n> |---|---|\n" + "> | 1 | 2 |\n" * 30
    lists = "".join("> " + "    " * level + f"- 항목{level}\n" for level in range(20))
    root = render_body(normalize("앞\n\n" + table + "\n" + lists, ctx))
    rows = root.findall(".//blockquote//table/tbody/tr")
    assert len(rows) == 9 + 1 and rows[-1][0].text == "⋯"  # 2 header cells + 9 rows of 2
    depth = max(len(item.xpath("ancestor::ul")) for item in root.iter("li"))
    assert depth == 4 and all(f"항목{n}" in root.text_content() for n in range(20))
    assert sorted(w.message.split(" (option ")[1].split(")")[0]
                  for w in ctx.diagnostics.warnings) == ["max_nesting", "max_table_cells"]


@pytest.mark.parametrize("tags", [("<ul><li>항목 ", "</li></ul>"), ("<blockquote>", "</blockquote>")])
def test_raw_html_lists_and_quotes_past_max_nesting_become_plain_blocks(
        site: SiteBuilder, tmp_path: Path, tags: tuple[str, str]) -> None:
    """Raw HTML nesting that Markdown never saw: levels past ``max_nesting`` become divs
    (text kept), one warning with the post's line; the EPUB stays valid."""
    opening, closing = tags
    post = site.post("2020-01-01-deep.md", "시작\n\n<div>\n" + opening * 40 + "깊은 곳의 문장."
                     + closing * 40 + "\n</div>\n\n끝 문단\n")
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache",
                                max_nesting=6)
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    [warning] = [w for w in result.warnings if "max_nesting" in w.message]
    assert warning.line == 8 and "flattened" in warning.message  # the nested line
    with zipfile.ZipFile(result.paths[0]) as book:
        [chapter] = [book.read(n) for n in book.namelist()
                     if n.endswith(".xhtml") and "깊은 곳의".encode() in book.read(n)]
        tree = html.fromstring(chapter)
    indenting = tree.xpath("//ul|//ol|//blockquote")
    assert max(len(e.xpath("ancestor::ul|ancestor::ol|ancestor::blockquote")) for e in indenting) == 5
    assert "깊은 곳의 문장." in tree.text_content() and "끝 문단" in tree.text_content()
    assert epubcheck_problems(result.paths[0]) == []
