"""kramdown fidelity: the real Jekyll as the judge (scripts/jekyll_diff.py), and the rules that
make hanji render as Jekyll's kramdown does (GFM paragraph ends, smart quotes, typographic
symbols, heading ids, abbreviations, lists in block quotes)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _pipeline import convert
from lxml import html
from PIL import Image

from converter.dialect import DialectContext, normalize
from converter.kramdown_config import kramdown_options
from converter.render import render_body, tree_to_string
from converter.transforms.smart_typography import smarten

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "sites" / "jekyll_fidelity"
#: Sites of their own settings: parse_block_html, auto_id_prefix, toc_levels and front-matter
#: defaults (permalinks by path); auto_ids: false.
OPTION_SITES = (ROOT / "tests" / "sites" / "jekyll_fidelity_options",
                ROOT / "tests" / "sites" / "jekyll_fidelity_noids")
QUOTES = ("‘", "’", "“", "”")


def _render(markdown_text: str, site: dict | None = None) -> html.HtmlElement:
    return render_body(normalize(markdown_text, DialectContext(site=site or {}, page={})))


def _smart(fragment: str) -> str:
    root = html.fragment_fromstring(fragment, create_parent="div")
    smarten(root, QUOTES, kramdown_options({}).typographic_symbols)
    return tree_to_string(root)


@pytest.mark.skipif(shutil.which("jekyll") is None,
                    reason="Debian's jekyll is not installed (.ci/run installs it)")
def test_fixture_site_matches_the_real_jekyll(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    (site / "assets" / "images").mkdir(parents=True)
    Image.new("RGB", (40, 20), (200, 30, 30)).save(site / "assets" / "images" / "dot.png")
    sites = [site]
    for other in OPTION_SITES:
        shutil.copytree(other, tmp_path / other.name)
        sites.append(tmp_path / other.name)
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "jekyll_diff.py"),
                           *map(str, sites), "--json", str(report)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    posts = data["posts"]
    assert len(posts) == sum(len(list((s / "_posts").rglob("*.md"))) for s in (FIXTURE, *OPTION_SITES))
    # Every post is served where Jekyll serves it (front-matter defaults, :path, :title).
    assert data["summary"]["permalink_diffs"] == [] and data["summary"]["permalinks_equal"] == 1
    for post in posts:
        assert post["error"] is None, post
        assert post["similarity"] >= 0.995, (post["post"], post["word_diffs"])
        assert post["count_diffs"] == {}, (post["post"], post["count_diffs"])
        assert post["markers_in_paragraphs"] == 0
    assert data["summary"]["posts_with_markers_in_paragraphs"] == 0


def test_harness_sees_a_difference(tmp_path: Path) -> None:
    """The comparison is not blind: a list left as text is a list-marker difference."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import jekyll_diff
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    theirs = jekyll_diff.reduce_jekyll("<p>다음</p><ul><li>가</li><li>나</li></ul>",
                                       single_dollar=False)
    ours = jekyll_diff.reduce_hanji("<p>다음\n- 가\n- 나</p>")
    ratio, diffs = jekyll_diff.compare(theirs, ours, loose=False)
    assert ratio < 0.9
    assert ours.markers_in_paragraphs == 2
    assert any(kind == "list marker as text" for kind, _, _ in diffs)
    assert theirs.counts["list_items"] == 2 and ours.counts["list_items"] == 0


def test_list_after_a_paragraph_line_is_a_list() -> None:
    root = _render("다음과 같다.\n- dt: 일자 정보\n- 둘째\n\n순서:\n1. 하나\n2. 둘\n")
    assert [li.text_content() for li in root.iter("li")] == ["dt: 일자 정보", "둘째", "하나", "둘"]
    assert root.xpath("//p")[0].text_content() == "다음과 같다."


def test_kramdown_input_keeps_the_paragraph() -> None:
    root = _render("다음과 같다.\n- 가\n", site={"kramdown": {"input": "kramdown"}})
    assert not list(root.iter("li"))


def test_setext_heading_and_rule_are_not_lists() -> None:
    root = _render("제목\n---\n\n글\n\n* * *\n")
    assert root.find(".//h2") is not None and not list(root.iter("li"))


def test_two_space_lists_nest_inside_block_quotes() -> None:
    root = _render("> 목록:\n> - 바깥\n>   - 안쪽 하나\n>   - 안쪽 둘\n> - 다시\n")
    quote = root.find(".//blockquote")
    outer = quote.find("ul")
    assert [li.text for li in outer.findall("li")] == ["바깥", "다시"]
    assert [li.text for li in outer.find("li").find("ul").findall("li")] == ["안쪽 하나", "안쪽 둘"]


def test_hard_wrap_setting() -> None:
    assert _render("가\n나", site={"kramdown": {"hard_wrap": True}}).find(".//br") is not None
    assert _render("가\n나").find(".//br") is None


# Expected strings are kramdown 2.4's own output for the same text (checked with the gem).
@pytest.mark.parametrize(("source", "expected"), [
    ('<p>그는 "오늘" 말했다</p>', "<p>그는 “오늘” 말했다</p>"),
    ("<p>it's 80's 'x'</p>", "<p>it’s 80’s ‘x’</p>"),
    ('<p>"<strong>강조</strong>"를</p>', "<p>“<strong>강조</strong>“를</p>"),
    ("<p>a -- b --- c ... d</p>", "<p>a – b — c … d</p>"),
    ("<p>&lt;&lt; 인용 &gt;&gt; x&lt;&lt;y&gt;&gt;</p>", "<p>«\u00a0인용\u00a0» x«y»</p>"),
    ('<p><code>"x" -- ...</code> "y"</p>', '<p><code>"x" -- ...</code> “y”</p>'),
    ('<p><a href="https://a.b/c--d">https://a.b/c--d</a> "q"</p>',
     '<p><a href="https://a.b/c--d">https://a.b/c--d</a> “q”</p>'),
])
def test_smart_quotes_and_symbols_as_kramdown(source: str, expected: str) -> None:
    assert _smart(source) == f"<div>{expected}</div>"


def test_typography_respects_site_settings_and_raw_html(tmp_path: Path) -> None:
    body = '"둥근" -- 따옴표\n\n<div class="box">\n<p>원시 "HTML" -- 그대로</p>\n</div>\n'
    default = convert(tmp_path / "a", body)
    assert default.root.xpath("//p")[0].text_content() == "“둥근” – 따옴표"
    assert default.find("//div[@class='box']/p")[0].text_content() == '원시 "HTML" -- 그대로'
    assert "data-raw" not in default.html
    straight = convert(tmp_path / "b", body,
                       config={"kramdown": {"smart_quotes": "apos,apos,quot,quot"}})
    assert straight.root.xpath("//p")[0].text_content() == '"둥근" – 따옴표'
    assert kramdown_options({"kramdown": {"smart_quotes": "apos,apos,quot,quot"}}
                            ).smart_quotes == ("'", "'", '"', '"')
    assert kramdown_options({"kramdown": {"input": "GFM", "gfm_quirks": ["no_auto_typographic"]}}
                            ).typographic_symbols == {}
    assert kramdown_options({"kramdown": {"toc_levels": "1..2"}}).toc_levels == (1, 2)


def test_heading_ids_and_abbreviations_as_kramdown() -> None:
    root = _render("## 첫 번째 절\n\n## Second: 영어_제목!\n\n## 첫 번째 절\n\nHTML과 CSS.\n\n"
                   "*[HTML]: HyperText Markup Language\n")
    assert [h.get("id") for h in root.iter("h2")] == ["첫-번째-절", "second-영어_제목", "첫-번째-절-1"]
    abbr = root.find(".//abbr")
    assert abbr is not None and abbr.text == "HTML" and abbr.get("title") == "HyperText Markup Language"


def test_raw_block_around_a_fence_keeps_its_liquid() -> None:
    """``{% raw %}`` wrapping a whole fence keeps ``{{ site.url }}`` inside it as written."""
    text = ("{% raw %}\n```liquid\n<a href=\"{{site.url}}{{page.url}}\">{{ x }}</a>\n```\n"
            "{% endraw %}\n\n`{{ site.url }}`\n")
    out = normalize(text, DialectContext(site={"url": "https://e.x"}, page={"url": "/p/"}))
    assert '<a href="{{site.url}}{{page.url}}">{{ x }}</a>' in out
    assert "`https://e.x`" in out


def test_other_list_type_under_an_item_nests() -> None:
    """kramdown (GFM): ``2. 둘\\n  - 하위`` nests the ``-`` list in item 2 (a lazy line of the
    item, then the GFM paragraph end); after a blank line it would be a new list."""
    root = _render("1. 하나\n2. 둘 초기화\n  - 변수 초기화\n\n3. 셋\n")
    items = root.find("ol").findall("li")
    assert len(items) == 3
    assert [li.text_content() for li in items[1].find("ul").findall("li")] == ["변수 초기화"]


def test_table_without_outer_pipes_and_trailing_pipe_on_separator() -> None:
    root = _render("글\n\n지역 | 가구 수 | 사망자\n-- | -- | --| \n런던 | 40,046 | 1,263\n")
    assert [c.text_content().strip() for c in root.iter("th")] == ["지역", "가구 수", "사망자"]
    assert [c.text_content().strip() for c in root.iter("td")] == ["런던", "40,046", "1,263"]


def test_list_item_after_a_closing_fence() -> None:
    root = _render("- 항목\n  ```python\n  x = 1\n  ```\n- 다만 둘째\n- 셋째\n")
    items = root.find("ul").findall("li")
    assert [li.text_content().strip() for li in items[1:]] == ["다만 둘째", "셋째"]


def test_footnotes_numbered_by_first_reference(tmp_path: Path) -> None:
    """kramdown numbers notes in reference order and drops unreferenced definitions."""
    out = convert(tmp_path / "a", "첫째[^b] 둘째[^a] 다시[^b]\n\n[^a]: 에이\n[^b]: 비\n[^c]: 안 씀\n")
    assert [a.text for a in out.find("//sup[@class='footnote-ref']/a")] == ["1", "2", "1"]
    assert [li.text_content().strip() for li in out.find("//div[@class='footnotes']/ol/li")] == [
        "비", "에이"]
    later = convert(tmp_path / "b", "글[^x]\n\n[^x]: 노트\n", config={"kramdown": {"footnote_nr": 5}})
    assert later.find("//sup[@class='footnote-ref']/a")[0].text == "5"
    assert later.find("//div[@class='footnotes']/ol")[0].get("start") == "5"


def test_kramdown_backslash_escapes() -> None:
    root = _render("태그 \\<h1>\\</h1> 와 a \\| b\n")
    assert root.find("p").text_content() == "태그 <h1></h1> 와 a | b"


def test_setext_underline_under_a_list_item_and_spaces_after_html() -> None:
    root = _render("* 하나\n* 다음 포스트\n---\n\n글\n")
    assert root.find(".//li/h2").text == "다음 포스트" and root.find(".//hr") is None
    root = _render('<div class="x"><img src="a.png"></div>                \n\n끝\n')
    assert root.find(".//pre") is None


def test_no_break_space_before_closing_strong() -> None:
    root = _render("**데이터 가공\u00a0** 끝 a\u00a0**굵게** 글\n")
    assert [s.text_content().strip() for s in root.iter("strong")] == ["데이터 가공", "굵게"]
