"""kramdown's span HTML parser (converter/dialect/span_html.py): stray closing tags and block
tags inside paragraphs, list items, headings and table cells are text, as on the blog."""

from __future__ import annotations

from lxml import html

from converter.dialect import DialectContext, normalize
from converter.dialect.span_html import kramdown_span_html
from converter.render import render_body


def _render(text: str) -> html.HtmlElement:
    return render_body(normalize(text, DialectContext(site={}, page={})))


def _fix(text: str) -> str:
    return kramdown_span_html(text, DialectContext(site={}, page={}))


def test_misnested_closing_tag_is_text() -> None:
    root = _render("- <b><i>O</b></i>: 출력 크기\n- <b><i>K</i></b>: 커널\n")
    items = root.findall(".//li")
    assert items[0].text_content() == "O</b>: 출력 크기"
    assert items[0].find("b/i").text == "O</b>"
    assert items[1].text_content() == "K: 커널" and items[1].find("b/i").text == "K"


def test_closing_tag_without_opening_is_text_and_case_is_ignored() -> None:
    assert _fix("가 </br> 나 <u>밑줄</U> 다\n") == "가 &lt;/br&gt; 나 <u>밑줄</U> 다\n"


def test_block_tag_inside_a_table_cell_is_text() -> None:
    text = "| 이름 | 값 |\n|---|---|\n| 일정 | <table><tr><td>항공</td></tr></table> |\n"
    root = _render(text)
    cells = root.findall(".//td")
    assert len(cells) == 2 and root.find(".//td//table") is None
    assert cells[1].text_content() == "<table><tr><td>항공</td></tr></table>"


def test_paragraphs_are_parsed_one_by_one() -> None:
    # The <b> of the first paragraph does not make the second one's </b> legal.
    assert _fix("<b>굵게\n\n끝</b>\n") == "<b>굵게</b>\n\n끝&lt;/b&gt;\n"


def test_html_blocks_code_and_escapes_are_left_alone() -> None:
    text = ("<div>\n<p>문단</b></p>\n</div>\n\n"
            "`</b>` 코드 \\</b> 이스케이프\n\n"
            "```html\n<i></b>\n```\n\n"
            "1. 목록\n\n    <p align=\"left\"><img src=\"a.png\"><br></p>\n")
    assert _fix(text) == text


def test_formula_placeholders_are_not_block_tags() -> None:
    root = _render("- 식 $$ a+b $$ 끝\n")
    assert root.find(".//li//*[@data-tex]") is not None
    assert "&lt;" not in html.tostring(root, encoding="unicode")


def test_display_formula_placeholder_inside_an_item_stays() -> None:
    text = '- 식\n  <div class="math-display" data-tex="x"></div> 끝\n'
    assert _fix(text) == text


def test_open_elements_close_where_their_context_ends() -> None:
    root = _render("- `ARRAY` <var> `FOR` <var> x\n    - <var>에서\n    - 끝\n\n<b>열린 문단\n\n다음\n")
    assert root.find(".//var//ul") is None and root.find(".//li/ul") is not None
    assert [li.text_content() for li in root.findall(".//li/ul/li")] == ["에서", "끝"]
    assert root.find(".//p/b").text == "열린 문단" and root.findall(".//p")[1].find("b") is None
    assert _fix("| <b>셀 | 둘 |\n") == "| <b>셀</b> | 둘 |\n"


def test_stray_closing_tag_of_a_block_element_is_dropped() -> None:
    # kramdown shows it as text; it is editing debris, so the book drops it (DIALECT.md).
    root = _render('<span style="x">문단 끝.</span></Blockquote>\n\n다음\n')
    assert root.text_content().strip().startswith("문단 끝.")
    assert "Blockquote" not in root.text_content()
