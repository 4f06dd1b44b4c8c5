"""Korean word joiners for the PDF (converter/writers/linebreak.py): where they go, and what
WeasyPrint then does with the lines (rendered, measured with pdfplumber)."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest
from lxml import html

from converter.writers import linebreak
from converter.writers.linebreak import WORD_JOINER as WJ
from converter.writers.linebreak import join_words

FONTS = Path(__file__).resolve().parent.parent / "fonts"


# ---------------------------------------------------------------- where joiners go


@pytest.mark.parametrize(("text", "expected"), [
    ("한국어 문장", f"한{WJ}국{WJ}어 문{WJ}장"),
    ("GPU를 썼다", f"GPU{WJ}를 썼{WJ}다"),  # a particle stays on its Latin stem
    ("2022년 16조", f"2022{WJ}년 16{WJ}조"),  # and on its number
    ("다.", f"다{WJ}."),  # closing punctuation stays on the word (UAX #14 also says so)
    ("(괄호)도", f"({WJ}괄{WJ}호{WJ}){WJ}도"),  # a particle after a bracket stays
    ("연구(https://a.b/c)", f"연{WJ}구(https://a.b/c)"),  # may break before an opening bracket
    ("wiki/한국어", f"wiki/한{WJ}국{WJ}어"),  # and after a slash, as browsers do
    ("자기-주도", f"자{WJ}기{WJ}-주{WJ}도"),  # and after a hyphen
    ("그리고 …", f"그{WJ}리{WJ}고 {WJ}…"),  # an ellipsis never starts a line, even after a space
    ("말했다 ”", f"말{WJ}했{WJ}다 {WJ}”"),
    ("10㎏", f"10{WJ}㎏"),
    ("plain English text", "plain English text"),
])
def test_join_words(text: str, expected: str) -> None:
    assert join_words(text) == expected


def test_hanja_joined_only_in_korean_text() -> None:
    assert join_words("漢字를", korean=True) == f"漢{WJ}字{WJ}를"
    assert join_words("漢字", korean=False) == "漢字"


def test_join_words_is_idempotent() -> None:
    once = join_words("그리고 … GPU를 2022년 漢字")
    assert join_words(once) == once


def _apply(markup: str) -> str:
    root = html.fromstring(f'<div lang="ko">{markup}</div>')
    linebreak.apply(root)
    return html.tostring(root, encoding="unicode")


def test_joins_across_inline_elements() -> None:
    out = _apply("<p><code>GPU</code>를 <em>강조</em>는 가설<sup>2</sup>을</p>")
    assert f"GPU{WJ}</code>를" in out
    assert f"강{WJ}조{WJ}</em>는" in out
    assert f"가{WJ}설{WJ}<sup>2{WJ}</sup>을" in out


def test_inline_objects_get_joiners_on_both_sides() -> None:
    out = _apply('<p>값<span class="math-inline"><svg width="9" height="9"></svg></span>에만 '
                 '<img src="a.png">는</p>')
    assert f"값{WJ}<span" in out
    assert f"</span>{WJ}에{WJ}만" in out
    assert f'<img src="a.png">{WJ}는' in out


def test_blocks_are_not_joined_to_each_other() -> None:
    out = _apply("<p>가</p><p>나</p><p>다<br>라</p>")
    assert "<p>가</p><p>나</p>" in out
    assert "다<br>라" in out


def test_code_is_joined_but_scripts_are_not() -> None:
    out = _apply("<pre><code># 한글 주석</code></pre><script>var 가나 = 1;</script>")
    assert f"한{WJ}글 주{WJ}석" in out
    assert "var 가나 = 1;" in out


def test_other_languages_keep_their_hanja_breaks() -> None:
    out = _apply('<p lang="zh">漢字文</p><p>漢字를</p>')
    assert "<p lang=\"zh\">漢字文</p>" in out
    assert f"漢{WJ}字{WJ}를" in out


# ---------------------------------------------------------------- what WeasyPrint does


def _render_lines(paragraphs: list[str], *, width: str = "60mm",
                  css: str = "") -> list[list[str]]:
    """Lines (as strings) of each rendered page, grouped from pdfplumber characters."""
    from weasyprint import HTML

    body = html.fromstring("<body>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body>")
    linebreak.apply(body)
    style = (f"@font-face {{ font-family: t; src: url({(FONTS / 'NanumMyeongjo.ttf').as_uri()}) }}"
             f"@page {{ size: {width} 400mm; margin: 5mm }}"
             f"body {{ font-family: t; font-size: 10pt; overflow-wrap: break-word }} {css}")
    document = (f'<html lang="ko"><head><style>{style}</style></head>'
                f'{html.tostring(body, encoding="unicode")}</html>')
    pdf = HTML(string=document).write_pdf()
    return _lines(pdf)


def _lines(pdf: bytes) -> list[list[str]]:
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            lines: list[list[dict]] = []
            for char in page.chars:
                if lines and abs(char["bottom"] - lines[-1][-1]["bottom"]) < 2 \
                        and char["x0"] >= lines[-1][-1]["x0"]:
                    lines[-1].append(char)
                else:
                    lines.append([char])
            pages.append(["".join(c["text"] for c in line) for line in lines])
    return pages


def _shifted(construct: str, count: int = 28) -> list[str]:
    """``construct`` after 0…count-1 short words, so it lands at every point of a line."""
    return [" ".join("가나다"[: 1 + k % 3] for k in range(n)) + f" {construct} 끝"
            for n in range(count)]


CONSTRUCTS = [
    "그리고...그래서", "그리고…그래서", "그리고 …", "그리고——그래서", "그리고--그래서",
    "56MW를", "16조", "12,600개", "3.5%의", "GPU를", "2022년", "「인용」이라고",
    "“인용”이라고", "단어 )", "단어 」", "「 단어", "10㎏", "정말?!", "(?)는", "漢字語를",
]


@pytest.fixture(scope="module")
def construct_lines() -> list[tuple[str, str]]:
    """Consecutive line pairs of one document holding every construct at every position."""
    pages = _render_lines([p for c in CONSTRUCTS for p in _shifted(c)])
    return [pair for page in pages for pair in zip(page, page[1:])]


@pytest.mark.parametrize("construct", CONSTRUCTS)
def test_no_break_inside_constructs_and_klreq_line_edges(
        construct: str, construct_lines: list[tuple[str, str]]) -> None:
    closing = set(".,!?:;)]}」』’”…")
    opening = set("([{「『‘“")
    whole = construct.replace(" ", "")
    # A dash run may end a line (never start one, never be split): the one allowed cut.
    allowed = {whole.rfind(d) + len(d) for d in ("——", "--") if d in whole}
    for upper, lower in construct_lines:
        assert lower[0] not in closing, (upper, lower)
        assert upper[-1] not in opening, (upper, lower)
        for cut in set(range(1, len(whole))) - allowed:
            assert not (upper.endswith(whole[:cut]) and lower.startswith(whole[cut:])), \
                (construct, upper, lower)


def test_long_words_still_break_rather_than_overflow() -> None:
    url = "https://example.com/" + "abcdefghij" * 18
    pages = _render_lines([url, "가" * 120])
    widest = max(len(line) for page in pages for line in page)
    assert widest < 60  # 60 mm at 10 pt holds ~14 Hangul or ~25 Latin letters


def test_trailing_space_does_not_strand_the_first_word() -> None:
    """WeasyPrint 70 put "Hello" alone on a line when the rest fitted only without the
    trailing space; with joiners that hit the last line of many Korean paragraphs."""
    text = "GPU를 활용한 2022년의 16조 달러 시장과 데이터센터를 "
    for width in range(100, 140, 3):
        for page in _render_lines([text, text + "<b>굵게</b> 끝"], width=f"{width}mm"):
            for line in page[:-1]:
                assert line.replace(" ", "") not in {"GPU를"}, (width, page)
