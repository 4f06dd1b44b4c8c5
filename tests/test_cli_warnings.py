"""Warnings worth reading (converter/diagnostics.py, converter/report.py, converter/cli/):
each names its post and line where known, the summary groups them by kind with counts and
three examples, ``--report`` writes them all as JSON, and without a terminal a plain line
reports each post or chapter with the time elapsed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SiteBuilder

import converter.writers.math_svg
from converter.cli import main
from converter.diagnostics import BuildWarning, group_warnings, kind_of, locate_warnings


def warning_site(root: Path) -> SiteBuilder:
    site = SiteBuilder(root)
    site.post("2021-01-01-clean.md", "깨끗한 글입니다.", front_matter='title: "깨끗"')
    missing = "\n\n".join(f"그림 {n}: ![없음](/assets/missing-{n}.png)" for n in range(5))
    site.post("2021-02-01-images.md", f"첫 줄.\n\n{missing}\n\n{{% no_such_tag %}}\n",
              front_matter='title: "그림들"')
    return site


def test_kinds_groups_and_locations() -> None:
    assert kind_of("image '/a.png': file not found") == "image"
    assert kind_of("image 'https://x.org/Euler_Formula/pic1.png': remote image not fetched "
                   "(remote_images=skip)") == "image"
    assert kind_of("math '\\\\frac' could not be drawn for the PDF") == "math"
    assert kind_of("unknown Liquid tag {% x %} dropped") == "liquid"
    assert kind_of("something new") == "other"
    post = Path("p.md")
    warnings = [BuildWarning(f"image '/x{n}.png': file not found", post) for n in range(5)]
    warnings.append(BuildWarning("unknown Liquid filter 'y' ignored", post, 3))
    groups = group_warnings(warnings)
    assert [(g.kind, g.count, len(g.examples)) for g in groups] == [("image", 5, 3),
                                                                    ("liquid", 1, 1)]
    body = "첫 줄\n\n![a](/x0.png)\n$$\\frac{a}{b}$$\n"
    found = locate_warnings(
        [warnings[0], BuildWarning("math '\\\\frac{a}{b}' could not be drawn for the PDF"),
         BuildWarning("PDF: anonymous")],
        [(Path("other.md"), "nothing here", 4), (post, body, 10)])
    assert [(w.path, w.line) for w in found] == [(post, 12), (post, 13), (None, None)]


def test_summary_groups_by_kind_and_plain_progress_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = warning_site(tmp_path / "site")
    report = tmp_path / "reports" / "run.json"
    code = main(["convert", str(site.root), "-o", str(tmp_path / "out"), "--format", "epub",
                 "--cache-dir", str(tmp_path / "cache"), "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == 0
    # Not a terminal: one progress line per post, with the time elapsed.
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert len(progress) == 2 and all(" s  " in line for line in progress)
    assert any("2021-02-01-images.md: ok (6 warnings)" in line for line in progress)
    lines = out.splitlines()
    assert "warnings: 5 image, 1 liquid" in lines
    start = lines.index("  image (5)")
    post = site.root / "_posts" / "2021-02-01-images.md"
    assert lines[start + 1:start + 5] == [
        f"    {post}:7: image '/assets/missing-0.png': file not found",
        f"    {post}:9: image '/assets/missing-1.png': file not found",
        f"    {post}:11: image '/assets/missing-2.png': file not found",
        "    … and 2 more (-v to list)"]
    assert f"    {post}:17: unknown Liquid tag {{% no_such_tag %}} dropped" in lines
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"] == {"converted": 2, "failed": 0, "warnings": 6,
                               "by_kind": {"image": 5, "liquid": 1}}
    assert [p["ok"] for p in data["posts"]] == [True, True]
    assert len(data["warnings"]) == 6 and all(w["line"] for w in data["warnings"])
    assert data["posts"][1]["outputs"][0]["path"].endswith("2021-02-01-images.epub")


def test_book_warnings_name_the_post_and_line_even_from_the_pdf_writer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    site = SiteBuilder(tmp_path / "site")
    site.post("2021-01-01-a.md", "수식 $$x+1$$ 입니다.", front_matter='title: "가"')
    site.post("2021-02-01-b.md", "첫 줄\n\n둘째 줄\n\n$$\\mathbb{Q}$$\n", front_matter='title: "나"')
    real_draw = converter.writers.math_svg._svg_image

    def draw(tex: str, *, display: bool) -> dict[str, str]:
        if "mathbb" in tex:  # a formula the transform accepts and the PDF's drawing refuses
            raise ValueError("cannot draw this")
        return real_draw(tex, display=display)

    # -j 1: the PDF is laid out (and its formulas drawn) in this process.
    monkeypatch.setattr(converter.writers.math_svg, "_svg_image", draw)
    report = tmp_path / "book.json"
    code = main(["book", str(site.root), "--title", "수식 책", "-o", str(tmp_path / "out"),
                 "--format", "pdf", "-j", "1", "--cache-dir", str(tmp_path / "cache"),
                 "--report", str(report)])
    out, err = capsys.readouterr()
    assert code == 0, err
    post = site.root / "_posts" / "2021-02-01-b.md"
    drawn = [w for w in json.loads(report.read_text(encoding="utf-8"))["warnings"]
             if "could not be drawn" in w["message"]]
    assert drawn and drawn[0]["path"] == str(post) and drawn[0]["line"] == 9
    assert drawn[0]["kind"] == "math"
    assert f"{post}:9: math " in out
    chapters = [line for line in err.splitlines() if "] chapter " in line]
    assert len(chapters) == 2 and chapters[-1].endswith("chapter 2/2")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [c["title"] for c in data["book"]["chapters"]] == ["가", "나"]
    assert data["book"]["ok"] is True and data["book"]["pages"] >= 3


def test_report_of_a_failed_book_and_a_bad_report_path(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = SiteBuilder(tmp_path / "site")
    site.post("2021-01-01-a.md", "본문", front_matter="title: [broken")
    report = tmp_path / "r.json"
    code = main(["book", str(site.root), "--title", "책", "-o", str(tmp_path / "out"),
                 "--report", str(report)])
    _, err = capsys.readouterr()
    assert code == 2 and "no posts selected" in err
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["book"]["ok"] is False and "no posts selected" in data["book"]["error"]
    assert data["warnings"] == [] or data["warnings"][0]["kind"] == "post skipped"
    code = main(["convert", str(site.root), "--report", str(tmp_path)])
    assert code == 2 and capsys.readouterr().err.startswith(
        f"hanji: error: --report: File '{tmp_path}' is a directory\n")
    code = main(["convert", str(site.root), "--report", str(tmp_path / "r.json" / "x.json")])
    assert code == 2 and capsys.readouterr().err.startswith(
        f"hanji: error: --report: {report} is a file, not a folder")
