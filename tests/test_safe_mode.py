"""File access like Jekyll's safe mode: nothing outside the site reaches any output.

A post that is a symlink to a file elsewhere, an ``include_relative`` or an image reached
through a symlink or ``..`` are refused with one line naming the post; ``--follow-symlinks``
(option ``follow_symlinks``) lets an author read through symlinks on their own machine.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SiteBuilder, make_image

import converter

SECRET = "극비-SECRET-7c1f"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "secret.md").write_text(f"---\ntitle: 비밀\n---\n\n{SECRET}\n", encoding="utf-8")
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    make_image(folder / "secret.png", (40, 30))
    return folder


def _everything(out: Path) -> str:
    """All the text of every output file (EPUB members decompressed)."""
    text = []
    for path in out.rglob("*"):
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                text += [book.read(n).decode("utf-8", "replace") for n in book.namelist()]
        elif path.is_file():
            text.append(path.read_bytes().decode("latin-1"))
    return "\n".join(text)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True,
                          text=True, timeout=120)


def test_symlinked_post_is_refused(site: SiteBuilder, outside: Path, tmp_path: Path) -> None:
    link = site.root / "_posts" / "2020-01-01-link.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside / "secret.md")
    out = tmp_path / "out"
    run = _cli("convert", str(link), "-o", str(out), "--format", "epub", "-j", "1",
               "--cache-dir", str(tmp_path / "cache"))
    assert run.returncode == 1
    assert "symlink leading outside the site" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert not out.exists() or SECRET not in _everything(out)
    # The author's choice: read it anyway.
    run = _cli("convert", str(link), "-o", str(out), "--format", "epub", "-j", "1",
               "--cache-dir", str(tmp_path / "cache"), "--follow-symlinks")
    assert run.returncode == 0, run.stderr
    assert SECRET in _everything(out)


def test_book_leaves_out_a_symlinked_post(site: SiteBuilder, outside: Path,
                                          tmp_path: Path) -> None:
    site.post("2020-01-01-real.md", "# 진짜 글\n\n본문.\n")
    (site.root / "_posts" / "2020-01-02-link.md").symlink_to(outside / "secret.md")
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache")
    result = converter.build_book([site.root], title="책", output_dir=tmp_path / "out",
                                  options=options)
    assert [p.name for p in result.skipped] == ["2020-01-02-link.md"]
    assert any("symlink leading outside the site" in str(w) for w in result.warnings)
    assert SECRET not in _everything(tmp_path / "out")


def test_includes_and_images_through_symlinks(site: SiteBuilder, outside: Path,
                                              tmp_path: Path) -> None:
    (site.root / "_posts").mkdir(parents=True, exist_ok=True)
    (site.root / "_posts" / "part.txt").symlink_to(outside / "secret.txt")
    (site.root / "assets").mkdir()
    (site.root / "assets" / "pic.png").symlink_to(outside / "secret.png")
    (site.root / "assets" / "out").symlink_to(outside)
    post = site.post("2020-01-01-a.md", """\
        앞 문단.

        {% include_relative part.txt %}

        {% include_relative ../../elsewhere/secret.txt %}

        {% include_relative ../assets/out/secret.txt %}

        ![사진](/assets/pic.png)

        ![사진2](/assets/out/secret.png)

        ![사진3](../../../elsewhere/secret.png)

        뒤 문단.
        """)
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache")
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    text = _everything(tmp_path / "out")
    assert SECRET not in text and "뒤 문단" in text
    with zipfile.ZipFile(result.paths[0]) as book:
        assert not [n for n in book.namelist()
                    if n.endswith((".png", ".jpg")) and n != "EPUB/images/cover.png"]
    messages = [w.message for w in result.warnings]
    assert sum("refused" in m for m in messages) == 6, messages
    assert all(w.path == post for w in result.warnings)

    followed = converter.convert(post, output_dir=tmp_path / "followed",
                                 options=options.replace(follow_symlinks=True))
    text = _everything(tmp_path / "followed")
    assert text.count(SECRET) == 2  # part.txt and assets/out/secret.txt; `..` never escapes
    with zipfile.ZipFile(followed.paths[0]) as book:
        assert len([n for n in book.namelist() if n.endswith(".png")
                    and n != "EPUB/images/cover.png"]) == 1  # the same image


def test_live_preview_refuses_a_symlinked_post(site: SiteBuilder, outside: Path,
                                               tmp_path: Path) -> None:
    """``hanji serve``'s builder reads a site as a conversion does: a post leading outside the
    site is a problem naming it, and its text is never built."""
    from converter.builder import Builder

    site.post("2020-01-01-own.md", "# 제 글\n\n본문.\n")
    link = site.root / "_posts" / "2020-02-01-link.md"
    link.symlink_to(outside / "secret.md")
    builder = Builder(site.root, options=converter.Options(cache_dir=tmp_path / "cache"),
                      output_dir=tmp_path / "out")
    key = next(k for k in builder.documents if k.endswith("2020-02-01-link"))
    assert builder.chapter(key, 0) is None
    [problem] = builder.problems(key)
    assert "symlink leading outside the site" in problem.message
    assert SECRET not in problem.message
    own = next(k for k in builder.documents if k.endswith("2020-01-01-own"))
    assert builder.chapter(own, 0) is not None
