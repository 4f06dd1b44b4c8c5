"""Mermaid diagrams: drawn as SVG in both formats when a renderer is installed, otherwise a
captioned source listing and a warning saying how to enable drawing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from _pipeline import convert, dialect
from conftest import SiteBuilder, epubcheck_problems, pdf_text

from converter import Options, diagrams
from converter import convert as convert_post
from converter.diagrams import DiagramError, _bounded, find_renderer
from converter.transforms.diagrams import tidy_svg

# ``1,024``: mermaid makes ids such as ``flowchart-1,024-3`` of a node name, not XML names.
FLOW = ("```mermaid\ngraph TD\n  A[시작] --> B{판단}\n  B -->|예| C[끝]\n"
        "  B --> 1,024[\"[1,024]\"]\n```\n")


@pytest.fixture
def no_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANJI_MERMAID", "off")


def test_without_a_renderer_a_captioned_listing_and_one_warning(tmp_path: Path,
                                                                no_renderer: None) -> None:
    assert find_renderer() is None
    out = convert(tmp_path, f"흐름:\n\n{FLOW}\n{FLOW}\n끝.\n")
    figures = out.find("//figure[@class='diagram-source']")
    assert len(figures) == 2
    assert figures[0].find(".//code").get("class") == "language-mermaid"
    assert "A[시작] --> B{판단}" in figures[0].find(".//code").text
    assert figures[0].find("figcaption").text == "Mermaid 다이어그램 (원문)"
    warnings = [w for w in out.warnings if "mermaid" in w]
    assert len(warnings) == 1 and "npm install mermaid" in warnings[0]


def test_ids_that_are_not_xml_names_are_renamed_with_their_references() -> None:
    svg = tidy_svg('<svg xmlns="http://www.w3.org/2000/svg" '
                   'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
                   '<marker id="m,1"/><path id="a,b" marker-end="url(#m,1)"/><path id="1x"/>'
                   '<path id="a_b"/><use xlink:href="#a,b"/><path id="ok-1"/></svg>').decode()
    assert ('<marker id="m_1"/><path id="a_b_" marker-end="url(#m_1)"/><path id="_1x"/>'
            '<path id="a_b"/><use xlink:href="#a_b_"/><path id="ok-1"/>') in svg


def test_fences_in_list_items_stay_code() -> None:
    assert "diagram-mermaid" not in dialect("- 항목\n\n  ```mermaid\n  graph TD\n  A-->B\n  ```\n")
    assert "diagram-mermaid" in dialect(FLOW)


def test_a_runaway_renderer_is_killed_with_its_children() -> None:
    started = time.monotonic()
    with pytest.raises(DiagramError):
        _bounded(["sh", "-c", "sleep 30 & sleep 30"], timeout=1)
    assert time.monotonic() - started < 10
    leftover = subprocess.run(["pgrep", "-f", "sleep 30"], capture_output=True, text=True)
    assert str(os.getpid()) not in leftover.stdout  # and no sleeper of ours survives
    assert leftover.stdout.strip() == "" or all(
        Path(f"/proc/{pid}/stat").read_text().split()[4] != str(os.getpgid(0))
        for pid in leftover.stdout.split())


needs_renderer = pytest.mark.skipif(
    find_renderer() is None,
    reason="no mermaid renderer (.ci/run installs the npm package 'mermaid' and Chromium)")


@needs_renderer
def test_diagrams_are_drawn_in_both_formats_and_cached(site: SiteBuilder, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    post = site.post("2024-06-01-diagram.md", f"""
        흐름은 다음과 같다.

        {FLOW.replace(chr(10), chr(10) + '        ')}
        ```mermaid
        graph TD
          A -->
        ```

        끝.
        """)
    options = Options(jobs=1, cache_dir=tmp_path / "cache")
    result = convert_post(post, output_dir=tmp_path / "out", options=options)
    assert [w.message for w in result.warnings if "mermaid" in w.message] == [
        next(w.message for w in result.warnings if "not drawn" in w.message)]
    pdf = next(p for p in result.paths if p.suffix == ".pdf")
    epub = next(p for p in result.paths if p.suffix == ".epub")
    text = pdf_text(pdf)
    assert "시작" in text and "판단" in text and "B{판단}" not in text  # drawn, not listed
    assert text.count("graph TD") == 1 and "A -->" in text  # the rejected one is listed
    assert "Mermaid 다이어그램 (원문)" in text
    assert epubcheck_problems(epub) == []
    with zipfile.ZipFile(epub) as archive:
        svgs = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".svg")]
        xhtml = "".join(archive.read(n).decode() for n in archive.namelist()
                        if n.endswith(".xhtml"))
    assert len(svgs) == 1 and "시작" in svgs[0] and "<foreignObject" not in svgs[0]
    assert 'class="figure diagram"' in xhtml and "diagram-source" in xhtml

    # A rebuild draws nothing: the diagram comes from the cache.
    def refuse(self: object, sources: list[str]) -> list[object]:
        assert sources == ["graph TD\n  A -->\n"]  # only the broken one is tried again
        return [DiagramError("still broken")]

    monkeypatch.setattr(diagrams.MermaidRenderer, "_run", refuse)
    again = convert_post(post, output_dir=tmp_path / "again", options=options)
    assert "시작" in pdf_text(next(p for p in again.paths if p.suffix == ".pdf"))


@needs_renderer
def test_chromium_draws_under_a_batch_workers_memory_cap() -> None:
    # A batch worker caps its address space (--max-memory, default 4096 MB); Chromium reserves
    # far more address space than that and, under the cap, dies printing nothing.
    script = (
        "import sys\n"
        "from converter.lifetime import limit_memory\n"
        "from converter.diagrams import find_renderer\n"
        "limit_memory(4096)\n"
        "drawn = find_renderer().render(['graph TD\\n  A[시작] --> B[끝]'])\n"
        "print(type(drawn[0]).__name__, str(drawn[0])[:60])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("str <svg"), done.stdout


def test_a_failed_drawing_run_is_one_warning(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import converter.transforms.diagrams as transform

    class Broken:
        def render(self, sources: list[str], cache: Path | None = None) -> list[str]:
            raise DiagramError("Chromium gave no result ('')")

    monkeypatch.setattr(transform, "find_renderer", lambda: Broken())
    out = convert(tmp_path, f"흐름:\n\n{FLOW}\n{FLOW}\n끝.\n")
    assert len(out.find("//figure[@class='diagram-source']")) == 2
    warnings = [w for w in out.warnings if "mermaid" in w]
    assert len(warnings) == 1 and "2 mermaid diagram(s)" in warnings[0], warnings
    assert "Chromium gave no result" in warnings[0]
