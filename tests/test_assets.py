"""AssetResolver: the damage real blogs do to image references, repaired; escapes refused."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from converter.assets import AssetResolver
from converter.site import Site

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def resolver(tmp_path: Path) -> AssetResolver:
    root = tmp_path / "site"
    files = ["assets/img/a.png", "images/posts/호갱노노_복비.png", "assets/works/그림 1.png",
             "assets/etc/R&D (최종) 100%.png", "assets/up/PHOTO.PNG", "assets/hadoop.jpg",
             "images/posts/life/teaser.png"]
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PNG)
    nfd = root / "assets" / unicodedata.normalize("NFD", "한글.png")
    nfd.write_bytes(PNG)
    (root / "_posts").mkdir()
    (root / "outside.png").write_bytes(PNG)
    site = Site(root=root.resolve(), config={"url": "https://me.github.io", "baseurl": ""})
    return AssetResolver(site, root / "_posts" / "2020-01-01-a.md")


@pytest.mark.parametrize("reference, expected", [
    ("/assets/img/a.png", "assets/img/a.png"),
    ("https://me.github.io/assets/img/a.png", "assets/img/a.png"),
    ("HTTP://ME.GITHUB.IO/assets/img/a.png", "assets/img/a.png"),  # own site, any case
    ("https://me.github.io//assets/img/a.png", "assets/img/a.png"),  # site.url with a slash
    ("//assets/img/a.png", "assets/img/a.png"),
    ("\\assets\\hadoop.jpg", "assets/hadoop.jpg"),
    ("/assets/img/a.\npng", "assets/img/a.png"),
    ("/assets/img/a.%0Apng", "assets/img/a.png"),  # a line break percent-encoded on the way
    ("/assets/works/그림 1.png", "assets/works/그림 1.png"),
    ("/assets/works/%EA%B7%B8%EB%A6%BC%201.png", "assets/works/그림 1.png"),
    ("/assets/etc/R&D (최종) 100%.png", "assets/etc/R&D (최종) 100%.png"),
    ("/images/posts/호갱노노_복비.png", "images/posts/호갱노노_복비.png"),
    ("/assets/up/photo.png", "assets/up/PHOTO.PNG"),  # case differs from the disk
    ("/assets/한글.png", unicodedata.normalize("NFD", "assets/한글.png")),  # NFD on disk
    ("/assets/img/a.png?raw=true", "assets/img/a.png"),
])
def test_repairs(resolver: AssetResolver, reference: str, expected: str) -> None:
    result = resolver.resolve(reference)
    assert result.path is not None, result.problem
    assert result.path == (resolver.site.root / expected).resolve()


def test_teaser_theme_folder(resolver: AssetResolver) -> None:
    assert resolver.resolve("posts/life/teaser.png", teaser=True).path is not None
    assert resolver.resolve("posts/life/teaser.png").path is None


@pytest.mark.parametrize("reference, problem", [
    ("", "empty image reference"),
    ("https://other.example/x.png", "remote image"),
    ("data:image/png;base64,AAAA", "inline data: URL"),
    ("javascript:alert(1)", "refused URL scheme 'javascript'"),
    ("/assets/nothing.png", "file not found"),
    ("../../outside.png", "outside the site root; refused"),
])
def test_problems(resolver: AssetResolver, reference: str, problem: str) -> None:
    result = resolver.resolve(reference)
    assert result.path is None and result.problem == problem
