"""Page breaks in the PDF: short tables, short code blocks and figures with their captions
never split across pages, headings stay with what follows, single lines are not stranded."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import SiteBuilder

import converter

FILLER = "페이지 나눔을 시험하는 문단입니다. 길이를 바꾸어 가며 표와 그림이 쪽 끝에 오게 합니다. "


def _body(count: int) -> str:
    parts = []
    for k in range(count):
        parts.append(f"P{k}시작 " + FILLER * (1 + (k * 7) % 5) + f"P{k}끝")
        if k % 3 == 0:
            rows = "\n".join(f"| 표{k}행{j} | 값 {j} | 설명 {j} |" for j in range(4))
            parts.append(f"| 이름 | 값 | 설명 |\n|---|---|---|\n{rows}")
        elif k % 3 == 1:
            lines = "\n".join(f"print('코드{k}줄{j}')  # 주석 {j}" for j in range(7))
            parts.append(f"```python\n{lines}\n```")
        else:
            parts.append(f"![그림{k}설명](/assets/fig{k % 2}.jpg)")
        parts.append(f"## 제목{k}번\n\n{FILLER * 2}")
    return "\n\n".join(parts)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    site = SiteBuilder(tmp_path_factory.mktemp("breaks") / "site")
    site.image("assets/fig0.jpg", (800, 600))
    site.image("assets/fig1.jpg", (800, 900))
    post = site.post("2024-07-01-breaks.md", _body(24))
    pdf = converter.convert(post, output_dir=site.root / "out", formats=["pdf"]).outputs["pdf"].path
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def _pages_of(pages: list[str], pattern: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for number, text in enumerate(pages, start=1):
        for match in re.finditer(pattern, text):
            found.setdefault(match.group(1), set()).add(number)
    return found


def test_short_tables_never_split(pages: list[str]) -> None:
    tables = _pages_of(pages, r"표(\d+)행\d")
    assert len(tables) == 8
    for table, on in tables.items():
        assert len(on) == 1, f"table {table} is split over pages {sorted(on)}"


def test_short_code_blocks_never_split(pages: list[str]) -> None:
    blocks = _pages_of(pages, r"코드(\d+)줄\d")
    assert len(blocks) == 8
    for block, on in blocks.items():
        assert len(on) == 1, f"code block {block} is split over pages {sorted(on)}"


def test_headings_are_not_left_at_the_foot_of_a_page(pages: list[str]) -> None:
    for number, text in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        body = [line for line in lines if not line.isdigit()]
        if body:
            assert not re.fullmatch(r"제목\d+번", body[-1]), f"heading alone at the foot of {number}"


def test_multi_line_paragraphs_leave_two_lines_on_each_page(pages: list[str]) -> None:
    """orphans/widows 2: a paragraph split by a page break keeps two lines on each side."""
    split = 0
    for number, (text, following) in enumerate(zip(pages, pages[1:]), start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        starts = [i for i, line in enumerate(lines) if re.search(r"P\d+시작", line)]
        if not starts:
            continue
        last = starts[-1]
        paragraph = re.search(r"P(\d+)시작", lines[last]).group(1)
        if any(f"P{paragraph}끝" in line for line in lines[last:]):
            continue  # ends on this page
        split += 1
        # Lines of the paragraph on this page: up to the running head / folio at the foot.
        body_here = [line for line in lines[last:] if not line.strip().isdigit()
                     and "시험 글" not in line]
        assert len(body_here) >= 2, f"orphan line at the foot of page {number}"
        nxt = [line for line in following.splitlines() if line.strip()]
        end = next(i for i, line in enumerate(nxt) if f"P{paragraph}끝" in line)
        body_next = [line for line in nxt[:end + 1] if not line.strip().isdigit()
                     and "시험 글" not in line]
        assert len(body_next) >= 2, f"widow line at the top of page {number + 1}"
    assert split, "the fixture splits at least one paragraph over a page break"
