"""Justified lines never stretch a word gap beyond 2.5 spaces (converter/writers/patches/justify.py),
measured in the PDF with the project's own counter (scripts/loose_lines.py, pdfplumber)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from conftest import REPO, SiteBuilder

import converter
import converter.writers.patches.justify

_spec = importlib.util.spec_from_file_location("loose_lines", REPO / "scripts" / "loose_lines.py")
assert _spec is not None and _spec.loader is not None
loose_lines = importlib.util.module_from_spec(_spec)
sys.modules["loose_lines"] = loose_lines  # its dataclasses look their module up
_spec.loader.exec_module(loose_lines)

# Long words (a Korean compound, URLs, code tokens) between short ones: lines with few spaces.
WORDS = ["이", "글은", "초거대인공지능언어모델연구개발사업단의", "결과를", "https://example.com/a/very/long/path",
         "정리한", "것으로", "torch.nn.functional.scaled_dot_product_attention", "함수와", "우물",
         "바깥쪽의", "이야기를", "다룹니다."]
TEXT = " ".join(WORDS[i * 7 % len(WORDS)] for i in range(160))


def convert_pdf(tmp_path: Path, name: str, text: str = TEXT,
                front_matter: str = 'title: "정렬"') -> Path:
    """Three paragraphs of ``text`` as a justified PDF."""
    site = SiteBuilder(tmp_path / "site")
    post = site.post(f"2021-01-01-{name}.md", "\n\n".join([text] * 3), front_matter=front_matter)
    result = converter.convert(post, output_dir=tmp_path / "out", options=converter.Options(
        formats=("pdf",), jobs=1, cache_dir=tmp_path / "cache"))
    return result.outputs["pdf"].path


def test_no_word_gap_wider_than_two_and_a_half_spaces(tmp_path: Path) -> None:
    counted = loose_lines.count_pdf(convert_pdf(tmp_path, "capped"))
    assert counted.justified >= 40
    assert [(line.page, round(line.ratio, 1), line.text) for line in counted.loose] == []


def test_without_the_cap_the_same_text_has_loose_lines(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.layout import inline

    current = inline.justify_line
    original = getattr(current, "original", current)
    monkeypatch.setattr(converter.writers.patches.justify, "patch_weasyprint", lambda: None)
    monkeypatch.setattr(inline, "justify_line", original)
    counted = loose_lines.count_pdf(convert_pdf(tmp_path, "uncapped"))
    assert len(counted.loose) >= 5 and max(line.ratio for line in counted.loose) > 3


# Inline formulas between Korean words and long tokens: the gap beside a formula is the space
# plus the image's blank edge (its margin, a trailing ``\;``, a subscript's bearing).
FORMULA_WORDS = ["평균은", "$np\\;$", "이다.", "중심으로부터", "$t_A$", "만큼", "기준인",
                 "$t=-2.61$", "보다", "torch.nn.functional.scaled_dot_product_attention",
                 "작은", "$\\frac{a}{b}$", "값이므로", "https://example.com/a/very/long/path"]
FORMULA_TEXT = " ".join(FORMULA_WORDS[i * 5 % len(FORMULA_WORDS)] for i in range(150))


def convert_formula_pdf(tmp_path: Path, name: str) -> Path:
    return convert_pdf(tmp_path, name, FORMULA_TEXT, 'title: "수식 정렬"\nuse_math: true')


def test_gaps_beside_inline_formulas_stay_within_the_bound(tmp_path: Path) -> None:
    counted = loose_lines.count_pdf(convert_formula_pdf(tmp_path, "formulas"))
    assert counted.justified >= 30
    assert [(line.page, round(line.ratio, 1), line.text) for line in counted.loose] == []


def test_without_the_formula_blank_gaps_beside_formulas_are_loose(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(converter.writers.patches.justify, "_widest_blank_beside_space",
                        lambda line: 0.0)
    counted = loose_lines.count_pdf(convert_formula_pdf(tmp_path, "unblanked"))
    beside = [line for line in counted.loose if line.beside_object]
    assert len(beside) >= 3, counted.loose
