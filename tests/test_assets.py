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
    (tmp_path / "secret.png").write_bytes(PNG)  # beside the site: never to be read
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
    ("../../secret.png", "outside the site root; refused"),
    ("../../../../../secret.png", "outside the site root; refused"),
])
def test_problems(resolver: AssetResolver, reference: str, problem: str) -> None:
    result = resolver.resolve(reference)
    assert result.path is None and result.problem == problem


def test_dot_dot_segments_resolve_as_a_browser_would(resolver: AssetResolver) -> None:
    """``..`` above the site root stays at the root (issue 19: a real blog's
    ``../assets/images/../../../assets/…`` path), and never leads out of the site."""
    root = resolver.site.root
    found = resolver.resolve("../assets/img/../../../assets/img/a.png")
    assert found.path == root / "assets" / "img" / "a.png"
    assert resolver.resolve("../../outside.png").path == root / "outside.png"
    assert resolver.resolve("/../../../assets/img/a.png").path == root / "assets" / "img" / "a.png"
    assert resolver.resolve("../../secret.png").path is None


def test_symlinks_out_of_the_site_are_refused_unless_followed(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "assets").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.png").write_bytes(PNG)
    (root / "assets" / "link.png").symlink_to(elsewhere / "x.png")
    (root / "assets" / "dir").symlink_to(elsewhere)
    post = root / "_posts" / "2020-01-01-a.md"
    safe = AssetResolver(Site(root=root.resolve()), post)
    for ref in ("/assets/link.png", "/assets/dir/x.png", "/assets/dir/../../elsewhere/x.png"):
        result = safe.resolve(ref)
        assert result.path is None, ref
    assert safe.resolve("/assets/link.png").problem == "outside the site root; refused"
    followed = AssetResolver(Site(root=root.resolve(), follow_symlinks=True), post)
    assert followed.resolve("/assets/link.png").path == (elsewhere / "x.png").resolve()
    assert followed.resolve("/assets/dir/x.png").path == (elsewhere / "x.png").resolve()
    # `..` is collapsed before any symlink is followed: it never climbs out, even so.
    assert followed.resolve("/assets/dir/../../elsewhere/x.png").path is None
