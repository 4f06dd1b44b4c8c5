"""The command line (converter/cli/): help, exit codes, outputs, summaries, plain output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SiteBuilder

from converter.cli import main


def blog(root: Path) -> SiteBuilder:
    site = SiteBuilder(root)
    site.image("assets/images/a.png", (300, 200))
    site.post("2020-01-01-first.md", "첫 글. ![첫 글의 그림](/assets/images/a.png)",
              front_matter='title: "첫 글"\ncategories: [study]\ntags: [R]')
    site.post("2020-02-01-second.md", "둘째 글. ![없음](/assets/images/missing.png)",
              front_matter='title: "둘째 글"\ncategories: [etc]')
    return site


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "convert" in out and "book" in out
    code, out, _ = run(["book", "--help"], capsys)
    assert code == 0 and "--category" in out and "book.yml" in out
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and "hanji" in out


@pytest.mark.parametrize("argv", [
    ["convert"],  # no PATH
    ["convert", "x.md", "--no-such-flag"],
    ["convert", "x.md", "-j", "-1"],
    ["book", "somewhere-that-does-not-exist"],
    ["frobnicate"],
])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and err.strip()


def test_bad_option_value_is_one_line_exit_2(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    site = blog(tmp_path / "site")
    code, _, err = run(["convert", str(site.root), "--page-size", "huge"], capsys)
    assert code == 2
    assert err.strip() == "hanji: error: --page-size: 'huge' is not A4, A5, B5, B6, Letter or 'W H'"


def test_convert_folder_with_a_broken_post(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    site = blog(tmp_path / "site")
    site.post("2020-03-01-broken.md", "본문", front_matter="title: [unclosed")
    out_dir = tmp_path / "out"
    code, out, err = run(["convert", str(site.root), "-o", str(out_dir), "-j", "2",
                          "--cache-dir", str(tmp_path / "cache")], capsys)
    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "2020-01-01-first.epub", "2020-01-01-first.pdf",
        "2020-02-01-second.epub", "2020-02-01-second.pdf"]
    failed = [line for line in out.splitlines() if "2020-03-01-broken.md" in line]
    assert failed and all("front matter" in line for line in failed)
    assert "2 converted" in out and "1 failed" in out
    # Default verbosity: a warning count per post, then the warnings grouped by kind.
    assert "2020-02-01-second.md: 1 warning" in out and "warnings: 1 image" in out
    assert (out + err).count("missing.png") == 1
    assert "\x1b[" not in out + err  # not a terminal: no colour codes


def test_verbose_lists_each_warning_and_quiet_only_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = blog(tmp_path / "site")
    post = str(site.root / "_posts" / "2020-02-01-second.md")
    common = ["-o", str(tmp_path / "out"), "--format", "epub",
              "--cache-dir", str(tmp_path / "cache")]
    code, out, _ = run(["-v", "convert", post, *common], capsys)
    assert code == 0 and "missing.png" in out and "2020-02-01-second.epub" in out
    code, out, err = run(["-q", "convert", post, *common], capsys)
    assert code == 0 and out == "" and err == ""
    code, out, err = run(["-q", "convert", post, str(tmp_path / "nope.md"), *common], capsys)
    assert code == 1 and out == "" and "nope.md" in err and err.count("\n") == 1


def test_book_from_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = blog(tmp_path / "site")
    code, out, _ = run(["book", str(site.root), "--title", "연구 노트 모음", "--category", "study",
                        "-o", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")],
                       capsys)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "연구-노트-모음.epub", "연구-노트-모음.pdf"]
    assert "1 chapter," in out


def test_book_from_book_yml_with_flag_override(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    site = blog(tmp_path / "site")
    yml = tmp_path / "book.yml"
    yml.write_text("title: 책\noutput: my-book\nsources: [site]\noptions:\n  formats: [pdf]\n",
                   encoding="utf-8")
    code, out, _ = run(["book", str(yml), "--format", "epub", "-o", str(tmp_path / "out"),
                        "--cache-dir", str(tmp_path / "cache")], capsys)
    assert code == 0, out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["my-book.epub"]
    assert "2 chapters" in out and "1 warning (-v to list)" in out
    del site


def test_book_yml_errors_exit_2_naming_file_and_key(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    blog(tmp_path / "site")
    yml = tmp_path / "book.yml"
    yml.write_text("title: 책\noptions:\n  theme: [x]\n", encoding="utf-8")
    code, _, err = run(["book", "--config", str(yml)], capsys)
    assert code == 2
    assert err.strip() == f"hanji: error: {yml}:3: key 'options.theme': expected text, got list"


def test_book_without_title_or_posts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = blog(tmp_path / "site")
    assert run(["book", str(site.root)], capsys)[0] == 2
    assert run(["book"], capsys)[0] == 2
    code, _, err = run(["book", str(site.root), "--title", "t", "--tag", "none-has-this",
                        "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and "no posts selected" in err


def test_python_m_converter_plain_output_without_a_terminal(tmp_path: Path) -> None:
    site = blog(tmp_path / "site")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "converter", "convert", str(site.root),
                           "-o", str(tmp_path / "out"), "--format", "epub",
                           "--cache-dir", str(tmp_path / "cache")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("2 converted, 1 warning in 1 post, 0 failed")
