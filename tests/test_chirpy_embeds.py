"""Chirpy's ``{% include embed/*.html %}`` players become the README's video links."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pipeline import convert


@pytest.mark.parametrize(("tag", "url", "label"), [
    ("{% include embed/video.html src='https://media.example/clip.webm' title=\"레이아웃 변경\" "
     "autoplay=true loop=true %}", "https://media.example/clip.webm", "▶ 레이아웃 변경"),
    ("{% include embed/video.html src='/assets/video/demo.mp4' %}",
     "https://blog.example/assets/video/demo.mp4", "▶ demo.mp4"),
    ("{% include embed/youtube.html id='H-B46URT4mg' %}",
     "https://www.youtube.com/watch?v=H-B46URT4mg", "▶ https://www.youtube.com/watch?v=H-B46URT4mg"),
    ("{% include embed/bilibili.html id='BV1Q44y1B7Wf' %}",
     "https://www.bilibili.com/video/BV1Q44y1B7Wf", None),
])
def test_embed_includes_become_video_links(tmp_path: Path, tag: str, url: str,
                                           label: str | None) -> None:
    out = convert(tmp_path, f"영상을 보자.\n\n{tag}\n\n끝.\n")
    links = out.find("//p[@class='video-link']/a")
    assert len(links) == 1 and links[0].get("href") == url
    if label:
        assert links[0].text_content() == label
    assert not out.find("//iframe") and not out.find("//video")
    assert not out.warnings


def test_embed_video_without_src_is_a_warning(tmp_path: Path) -> None:
    out = convert(tmp_path, "{% include embed/video.html title='x' %}\n")
    assert not out.find("//p[@class='video-link']")
    assert len(out.warnings) == 1 and "embed/video" in out.warnings[0]
