"""The rendered-Markdown cache (converter/render_cache.py): a kept post renders to the very tree
the renderer makes, only changed text is rendered again, and a damaged entry is not trusted."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from lxml import html

from converter import render, render_cache

TEXT = "# 제목\n\n한국어 *문단*입니다.[^1]\n\n```python\nprint('안녕')\n```\n\n[^1]: 각주.\n"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts Python-Markdown is run on."""
    calls: list[str] = []
    real = render.markdown_to_html

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(render, "markdown_to_html", counting)
    return calls


def test_a_kept_post_renders_to_the_same_tree_without_markdown(tmp_path: Path,
                                                              renders: list[str]) -> None:
    expected = html.tostring(render.render_body(TEXT))
    renders.clear()
    first = render_cache.render_body(TEXT, tmp_path)
    again = render_cache.render_body(TEXT, tmp_path)
    assert renders == [TEXT]  # rendered once, then read back
    assert html.tostring(first) == html.tostring(again) == expected
    assert b"<h1" in expected and b"footnote" in expected and b"highlight" in expected
    edited = render_cache.render_body(TEXT + "\n덧붙인 문단.\n", tmp_path)
    assert len(renders) == 2 and "덧붙인" in edited.text_content()
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_a_damaged_entry_is_rendered_again(tmp_path: Path, renders: list[str]) -> None:
    render_cache.render_body(TEXT, tmp_path)
    entry = render_cache.entry_path(tmp_path, TEXT)
    entry.write_text('{"html": "<p>cut sh', encoding="utf-8")
    tree = render_cache.render_body(TEXT, tmp_path)
    assert len(renders) == 2 and "제목" in tree.text_content()
    assert "제목" in json.loads(entry.read_text(encoding="utf-8"))["html"]  # written again


def test_without_a_folder_nothing_is_kept_and_a_read_only_one_is_only_slower(
        tmp_path: Path, renders: list[str]) -> None:
    assert "제목" in render_cache.render_body(TEXT, None).text_content()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert "제목" in render_cache.render_body(TEXT, blocked / "html").text_content()
    assert len(renders) == 2


def test_entries_unused_for_a_month_are_deleted(tmp_path: Path) -> None:
    render_cache.render_body(TEXT, tmp_path)
    render_cache.render_body("둘째 글.", tmp_path)
    old = render_cache.entry_path(tmp_path, TEXT)
    when = time.time() - 40 * 86400
    os.utime(old, (when, when))
    render_cache.prune(tmp_path)
    assert [p.name for p in tmp_path.glob("*.json")] == [
        render_cache.entry_path(tmp_path, "둘째 글.").name]
