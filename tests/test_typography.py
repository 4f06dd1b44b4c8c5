"""Presentational HTML must not fight the theme (converter/transforms/typography.py, with
html_quirks for <font>): sizes go, emphasis and readable colours stay, pale colours go, long
runs in table cells are marked so the themes let only them break anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pipeline import convert

from converter.transforms.typography import (
    clean_style,
    contrast_on_white,
    longest_run_em,
    readable_color,
)


@pytest.mark.parametrize(("style", "expected"), [
    ("font-size:11pt", ""),
    ("font-size: 30px; color: red", "color: red"),
    ("font-family: Gulim; line-height: 2; letter-spacing: 1px", ""),
    ("font-weight: bold; font-style: italic; text-decoration: underline",
     "font-weight: bold; font-style: italic; text-decoration: underline"),
    ("text-align: center", "text-align: center"),
    ("color: white", ""),
    ("color: #FEFEFE", ""),
    ("color: rgb(250, 250, 250)", ""),
    ("background-color: #000; color: #fff", ""),
    ("background-color: yellow", "background-color: yellow"),
    ("color: blue", "color: blue"),
    ("width: 900px", ""),
    ("width: 50%", "width: 50%"),
])
def test_clean_style(style: str, expected: str) -> None:
    assert clean_style(style, tag="span") == expected


def test_fixed_widths_stay_on_images() -> None:
    assert clean_style("width: 320px", tag="img") == "width: 320px"


@pytest.mark.parametrize("color", ["yellow", "#ff0", "lime", "gold", "orange", "#bbb", "silver"])
def test_light_colours_are_darkened_until_readable(color: str) -> None:
    from tinycss2.color3 import parse_color

    darker = readable_color(color)
    assert darker is not None and darker != color
    rgba = parse_color(darker)
    assert contrast_on_white((rgba.red, rgba.green, rgba.blue)) >= 3.0


@pytest.mark.parametrize("color", ["red", "#333", "navy", "green", "currentColor", "#c00"])
def test_readable_colours_are_kept_as_written(color: str) -> None:
    assert readable_color(color) == color


def test_longest_run() -> None:
    assert longest_run_em("가나 다라마") == pytest.approx(3.0)
    assert longest_run_em("https://a.example/abcdefghij") < 10  # breaks after slashes
    assert longest_run_em("a" * 40) == pytest.approx(22.0)


def test_presentational_markup_in_a_post(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        <span style="font-size:11pt">본문 크기를 정한 글</span>

        <font size="5" color="red" face="Gulim">큰 빨간 글씨</font>

        <span style="color:#ffffff">흰 글씨</span> <span style="color:yellow">노란 글씨</span>

        <span style="background-color:#111;color:#eee">어두운 상자</span>
        """)
    markup = out.html
    assert "font-size" not in markup and "size=" not in markup and "Gulim" not in markup
    assert "본문 크기를 정한 글" in markup
    red = out.find("//*[contains(text(), '큰 빨간 글씨')]")[0]
    assert red.get("style") == "color: red"
    white = out.find("//*[contains(text(), '흰 글씨')]")[0]
    assert "color" not in (white.get("style") or "")
    yellow = out.find("//*[contains(text(), '노란 글씨')]")[0]
    assert yellow.get("style").startswith("color: #") and "yellow" not in yellow.get("style")
    dark = out.find("//*[contains(text(), '어두운 상자')]")[0]
    assert "background" not in (dark.get("style") or "") and "color" not in (dark.get("style") or "")


def test_only_cells_with_long_runs_may_break_anywhere(tmp_path: Path) -> None:
    url = "https://example.com/" + "abcdefghij" * 18
    out = convert(tmp_path, f"""
        | 원문 | 인식 개체명 | 키워드 | 긍부정 |
        |---|---|---|---|
        | 직원은 우수한 역량을 바탕으로 솔선수범 하는 모습을 보였다 | 직원1, 개발업무 | 우수한 | 긍정 |
        | {url} | 초장기이식편대숙주질환예방프로그램관리위원회 | 키워드 | 부정 |
        """)
    marked = {cell.text_content().strip() for cell in out.find("//*[contains(@class, 'wrap-anywhere')]")}
    assert marked == {url, "초장기이식편대숙주질환예방프로그램관리위원회"}


def test_table_width_in_pixels_is_dropped(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        <table width="900" style="width: 1200px"><tr><td>가</td></tr></table>

        <table width="80%"><tr><td>나</td></tr></table>
        """)
    tables = out.find("//table")
    assert tables[0].get("width") is None and "1200px" not in (tables[0].get("style") or "")
    assert tables[1].get("width") == "80%"


def test_inline_formula_glued_to_its_korean_word(tmp_path: Path) -> None:
    out = convert(tmp_path, r"""
        변수 $$x_3$$의 값과 $$y$$ and English, 값$$z$$ 다음.
        """)
    glued = out.find("//span[@class='nobreak']")
    assert len(glued) == 2
    assert glued[0].text_content().endswith("의") and glued[0].find(".//math") is not None
    assert glued[1].text_content().startswith("값")
    assert "변수 " in out.html and " 다음." in out.html


def test_many_columns_make_a_dense_table_and_only_the_widest_break(tmp_path: Path) -> None:
    header = "| " + " | ".join(["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp",
                                "Parch", "Ticket", "Fare", "Cabin", "Embarked", "설명"]) + " |"
    row = "| 1 | 0 | 3 | Braund, Mr. Owen Harris | male | 22.0 | 1 | 0 | A/5 21171 | 7.2500 | NaN | S | 긍정 |"
    out = convert(tmp_path, f"{header}\n|{'---|' * 13}\n{row}\n")
    table = out.find("//table")[0]
    assert "table-dense" in table.get("class").split()
    marked = {c.text_content().strip() for c in out.find("//*[contains(@class, 'wrap-anywhere')]")}
    assert "PassengerId" in marked
    assert not marked & {"Sex", "Age", "male", "긍정", "설명", "NaN", "S", "1", "0", "3", "22.0"}


def test_a_few_short_columns_are_left_alone(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        | 이름 | 값 |
        |---|---|
        | 가나다 | 1 |
        """)
    assert "table-dense" not in (out.find("//table")[0].get("class") or "")
    assert not out.find("//*[contains(@class, 'wrap-anywhere')]")
