"""Cache integrity: one cache directory shared by several processes at once, and damaged
entries (cut short, bytes flipped) detected and rebuilt, never embedded.

Also outputs under faults: a file-size limit standing in for a full disk fails the post with
one line and leaves no partial file.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SiteBuilder, pdf_text

import converter


def _blog(site: SiteBuilder) -> Path:
    for n in range(6):
        site.image(f"assets/img{n}.png", (300 + 40 * n, 200), color=(40 * n, 90, 160))
        site.image(f"assets/photo{n}.jpg", (500, 300 + 20 * n), color=(200, 30 * n, 60))
    for n in range(3):
        images = "\n\n".join(f"![그림 {k}](/assets/img{(n + k) % 6}.png)\n\n"
                             f"![사진 {k}](/assets/photo{(n + 2 * k) % 6}.jpg)" for k in range(4))
        site.post(f"2020-01-0{n + 1}-post{n}.md",
                  f"# 글 {n}\n\n첫 문단입니다.\n\n{images}\n\n$$x^{n} + y = z$$\n")
    return site.root


_MODIFIED = re.compile(rb"<meta property=\"dcterms:modified\">[^<]*</meta>")


def _members(epub: Path) -> dict[str, bytes]:
    """The EPUB's files, byte for byte, but for what carries the time of the run: the OPF's
    modification date and the subset fonts' ``head`` dates (their size stands in)."""
    with zipfile.ZipFile(epub) as book:
        members = {n: book.read(n) for n in book.namelist()}
    for name, data in members.items():
        if name.endswith(".opf"):
            members[name] = _MODIFIED.sub(b"", data)
        elif name.endswith((".ttf", ".otf")):
            members[name] = str(len(data)).encode()
    return members


def _convert(root: Path, out: Path, cache: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "converter", "-vv", "convert", str(root), "-o",
                             str(out), "--format", "epub", "--cache-dir", str(cache), "-j", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_four_processes_share_one_cache(site: SiteBuilder, tmp_path: Path) -> None:
    root = _blog(site)
    single = _convert(root, tmp_path / "single", tmp_path / "cache-single")
    assert single.wait(timeout=300) == 0, single.stdout.read()  # type: ignore[union-attr]
    shared = tmp_path / "cache-shared"
    runs = [_convert(root, tmp_path / f"out{n}", shared) for n in range(4)]
    logs = []
    for run in runs:
        assert run.wait(timeout=300) == 0
        logs.append(run.stdout.read())  # type: ignore[union-attr]
    reference = {p.name: _members(p) for p in (tmp_path / "single").glob("*.epub")}
    assert len(reference) == 3
    for n in range(4):
        outputs = {p.name: _members(p) for p in (tmp_path / f"out{n}").glob("*.epub")}
        assert outputs == reference
    text = "\n".join(logs).lower()
    assert "damaged" not in text and "unreadable" not in text and "traceback" not in text
    assert not [p for p in shared.rglob("*") if p.name.endswith(".tmp")]


def test_damaged_image_entries_are_rebuilt(site: SiteBuilder, tmp_path: Path) -> None:
    root = _blog(site)
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache")
    post = root / "_posts" / "2020-01-01-post0.md"
    first = _members(converter.convert(post, output_dir=tmp_path / "a", options=options).paths[0])
    entries = sorted((tmp_path / "cache").glob("*.json"))
    assert entries
    damaged = []
    for index, description in enumerate(entries[:4]):
        meta = json.loads(description.read_text())
        image = tmp_path / "cache" / meta["file"]
        data = bytearray(image.read_bytes())
        if index % 2:
            image.write_bytes(bytes(data[: len(data) // 2]))  # cut short (a full disk)
        else:
            data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
            image.write_bytes(bytes(data))
        damaged.append((image, meta))
    again = _members(converter.convert(post, output_dir=tmp_path / "b", options=options).paths[0])
    assert again == first
    for image, meta in damaged:
        assert image.stat().st_size == meta["size"]


def test_damaged_formula_entries_are_drawn_again(site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2020-01-01-math.md", "수식 $$a^2 + b^2 = c^2$$ 입니다.\n")
    options = converter.Options(formats=("pdf",), jobs=1, cache_dir=tmp_path / "cache")
    converter.convert(post, output_dir=tmp_path / "a", options=options)
    entries = list((tmp_path / "cache" / "math").glob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text(entry.read_text()[:-40])  # cut short
    result = converter.convert(post, output_dir=tmp_path / "b", options=options)
    assert not [w for w in result.warnings if "math" in w.message.lower()]
    assert all(json.loads(e.read_text()) for e in entries)  # rewritten whole


def test_damaged_layout_entry_is_laid_out_again(site: SiteBuilder, tmp_path: Path) -> None:
    for n in range(3):
        site.post(f"2020-01-0{n + 1}-ch{n}.md", f"# 장 {n}\n\n" + f"본문 {n} 입니다. " * 200)
    options = converter.Options(formats=("pdf",), jobs=2, cache_dir=tmp_path / "cache")
    first = converter.build_book([site.root], title="책", output_dir=tmp_path / "a",
                                 options=options)
    layouts = sorted((tmp_path / "cache" / "pdf").glob("*.pdf"))
    assert len(layouts) >= 3
    for layout in layouts:
        data = layout.read_bytes()
        layout.write_bytes(data[: len(data) * 2 // 3])
    again = converter.build_book([site.root], title="책", output_dir=tmp_path / "b",
                                 options=options)
    assert again.pages == first.pages
    assert pdf_text(again.paths[0]) == pdf_text(first.paths[0])
    for layout in layouts:
        assert layout.read_bytes().rstrip().endswith(b"%%EOF")


def _small_files() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE as a stand-in for a full disk")
def test_full_disk_fails_clearly_without_partial_output(site: SiteBuilder,
                                                        tmp_path: Path) -> None:
    post = site.post("2020-01-01-big.md", "# 큰 글\n\n" + "긴 문단입니다. " * 3000)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "converter", "convert", str(post), "-o",
                          str(out), "--format", "pdf", "--no-cache", "-j", "1"],
                         capture_output=True, text=True, timeout=300, preexec_fn=_small_files)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert "big.md" in run.stdout + run.stderr
    assert not out.exists() or list(out.iterdir()) == []
