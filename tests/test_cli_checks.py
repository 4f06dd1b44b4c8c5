"""The CLI checks before it acts (converter/cli/, converter/preflight.py): every mistake in a
flag, theme, CSS file, output folder or book.yml is one line naming the flag as typed (or the
file and key), exit code 2, and nothing converted or written first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import SiteBuilder

import converter.batch
import converter.series
from converter.cli import main


def two_posts(root: Path) -> SiteBuilder:
    site = SiteBuilder(root)
    site.post("2021-03-01-one.md", "첫째 글입니다.", front_matter='title: "하나"\ntags: [a]')
    site.post("2021-04-01-two.md", "둘째 글입니다.", front_matter='title: "둘"\ntags: [b]')
    return site


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records any attempt to convert a post or build a book (and stops it)."""
    calls: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def call(*args: object, **kwargs: object) -> None:
            calls.append(name)
            raise AssertionError(f"{name} called although the command line was wrong")
        return call

    monkeypatch.setattr(converter.batch, "run_batch", refuse("run_batch"))
    monkeypatch.setattr(converter.series, "build_book", refuse("build_book"))
    monkeypatch.setattr(converter.series, "select_posts", refuse("select_posts"))
    return calls


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("flags", "expected"), [
    (["--theme", "nonexistent"],
     "--theme: unknown theme 'nonexistent' (available: default, sans)"),
    (["--page-size", "huge"], "--page-size: 'huge' is not A4, A5, B5, B6, Letter or 'W H'"),
    (["--page-size", "10mm 10mm"], "--page-size: '10mm 10mm': each side must be 70–2000 mm"),
    (["--css", "missing.css"], "--css: no such file: missing.css"),
    (["--format", "pdf,docx"], "--format: 'docx' is not one of pdf, epub"),
    (["--lang", "한국어"], "--lang: '한국어' is not a language tag"),
    (["--site", "nowhere"], "--site: no such folder: nowhere"),
    (["--timeout", "1e12"], "--timeout: must be 0–1e+06 seconds"),
    (["--max-memory", "64"], "--max-memory: at least 512 MB is needed to convert anything"),
    (["--max-memory=-1"], "--max-memory: -1 is not in the range x>=0"),
    (["-j", "-1"], "-j: -1 is not in the range x>=0"),
    (["--jobs=-1"], "--jobs: -1 is not in the range x>=0"),
    (["-j", "two"], "-j: 'two' is not a whole number"),
    (["--timeout", "soon"], "--timeout: 'soon' is not a number"),
    (["--remote-images", "always"], "--remote-images: 'always' is not one of 'skip', 'fetch'"),
    (["--marks", "bogus"], "--marks: 'bogus' is not one of 'none', 'crop'"),
    (["--print=yes"], "--print: does not take a value"),
    (["--jbos", "2"], "--jbos: no such option (did you mean --jobs"),
    # A flag missing its value, last on the line.
    (["--theme"], "--theme: requires a value"),
    (["--css", "~no-such-user-hanji/x.css"],
     "--css: '~no-such-user-hanji/x.css': no such user's home folder"),
    (["--trim", "huge"], "--trim: 'huge' is not a trim size (신국판 (singuk)"),
    (["--print", "--bleed", "40mm"], "--bleed: '40mm' is not between 0 and 20 mm"),
    (["--bleed=abc"], "--bleed: 'abc' is not a length such as 3mm"),
    (["--pad-to", "3"], "--pad-to: 3 is not 1, 2, 4, 8, 16 or 32"),
    (["--paper", "cardboard"], "--paper: 'cardboard' is not a paper preset"),
    (["--pdf-standard", "pdf/x-1a"], "--pdf-standard: 'pdf/x-1a' is not one of"),
])
def test_convert_bad_flag_one_line_exit_2_nothing_done(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: list[str],
        monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: str) -> None:
    site = two_posts(tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["convert", str(site.root), "-o", "out", *flags], capsys)
    assert code == 2
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith(f"hanji: error: {expected}")
    assert "--help" not in err and "Usage" not in err and not err.endswith(".\n"), err
    assert no_work == [] and not (tmp_path / "out").exists()


def test_output_below_a_file_fails_before_converting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: list[str]) -> None:
    site = two_posts(tmp_path / "site")
    (tmp_path / "somefile").write_text("x", encoding="utf-8")
    code, out, err = run(["convert", str(site.root), "-o", str(tmp_path / "somefile" / "sub")],
                         capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"hanji: error: -o: {tmp_path / 'somefile' / 'sub'}: ")
    assert "is a file, not a folder" in err and no_work == []


def test_output_folder_not_writable_fails_before_converting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: list[str]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    site = two_posts(tmp_path / "site")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        code, _, err = run(["convert", str(site.root), "--output", str(locked / "out")], capsys)
    finally:
        locked.chmod(0o700)
    assert code == 2 and err.startswith("hanji: error: --output: ") and "not writable" in err
    assert no_work == []


@pytest.mark.parametrize(("flags", "expected"), [
    (["--from", "2021/01/01"], "--from: expected a date (YYYY-MM-DD), got '2021/01/01'"),
    (["--to=2021-02-30"], "--to: expected a date (YYYY-MM-DD), got '2021-02-30'"),
    (["--from", "2021-05-01", "--to", "2021-01-01"],
     "--from: 2021-05-01 is after the end date 2021-01-01"),
    (["--cover", "nope.jpg"], "--cover: no such file: nope.jpg"),
    (["--name", "a/b"], "--name: 'a/b' is not a plain file name"),
    (["--theme", "nonexistent"], "--theme: unknown theme 'nonexistent'"),
    (["--no-such-flag"], "--no-such-flag: no such option"),
    (["--from"], "--from: requires a value"),
    (["--print", "--trim", "nope"], "--trim: 'nope' is not a trim size"),
])
def test_book_bad_flag_one_line_exit_2_nothing_done(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: list[str],
        monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: str) -> None:
    site = two_posts(tmp_path / "site")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["book", str(site.root), "--title", "책", "-o", "out", *flags], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(f"hanji: error: {expected}")
    assert "--help" not in err and "Usage" not in err, err
    assert no_work == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize(("yml", "expected"), [
    ("title: 책\ndate_from: 2021-13-01\n",
     "book.yml:2: key 'date_from': expected a date (YYYY-MM-DD), got '2021-13-01'"),
    ("title: 책\noptions:\n  page_size: 1mm 1mm\n", "book.yml:3: key 'options.page_size'"),
    ("title: 책\ntheme: nope\n", "book.yml:2: key 'theme': unknown theme 'nope'"),
    ("title: 책\noutput: ../x\n", "book.yml:2: key 'output': '../x' is not a plain file name"),
    ("title: 책\nposts: ['a\\0b']\n", "book.yml:2: key 'posts[0]': no such file or folder"),
    ("title: 책\ntimeout: .nan\n", "book.yml:2: key 'timeout'"),
    ("title: 책\nprint:\n  enabled: true\n  trim: huge\n",
     "book.yml:4: key 'print.trim': 'huge' is not a trim size"),
    ("title: 책\noptions:\n  print:\n    bleed: 40mm\n",
     "book.yml:4: key 'options.print.bleed': '40mm' is not between 0 and 20 mm"),
])
def test_book_yml_mistakes_name_file_line_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: list[str],
        yml: str, expected: str) -> None:
    two_posts(tmp_path)
    (tmp_path / "book.yml").write_text(yml, encoding="utf-8")
    code, _, err = run(["book", str(tmp_path / "book.yml"), "-o", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"hanji: error: {tmp_path}/{expected}")
    assert no_work == []


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_flags_before_or_after_the_subcommand(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    site = two_posts(tmp_path / "site")
    argv = ["book", str(site.root), "--title", "책", "--dry-run"]
    argv = ["-q", *argv] if where == "before" else [*argv, "-q"]
    code, out, err = run(argv, capsys)
    assert code == 0 and err == "" and len(out.splitlines()) == 2
    code, _, err = run(["convert", "--verbose", "--debug", "-q", str(tmp_path / "none.md"),
                        "-o", str(tmp_path / "out")], capsys)
    assert code == 1 and "none.md" in err and err.count("\n") == 1


def test_book_dry_run_lists_posts_in_order_without_building(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    site = two_posts(tmp_path / "site")
    site.post("2021-02-01-zero.md", "영", front_matter='title: "영번째"\ntags: [a]')
    built: list[object] = []
    monkeypatch.setattr(converter.series, "build_book", lambda *a, **k: built.append(a))
    code, out, err = run(["book", str(site.root), "--title", "책", "--tag", "a", "--dry-run",
                          "-o", str(tmp_path / "out")], capsys)
    assert code == 0 and built == [] and not (tmp_path / "out").exists()
    posts = site.root / "_posts"
    assert out.splitlines() == [
        f"1  2021-02-01  영번째  {posts / '2021-02-01-zero.md'}",
        f"2  2021-03-01  하나  {posts / '2021-03-01-one.md'}",
    ]
    assert f"2 chapters → {tmp_path / 'out' / '책.pdf'}" in err and "nothing built" in err
    code, _, err = run(["book", str(site.root), "--title", "책", "--tag", "none", "--dry-run"],
                       capsys)
    assert code == 2 and "no posts selected" in err


def test_theme_print_defaults_are_checked_before_converting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_work: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A theme whose ``print:`` defaults cannot resolve stops the PDF build at once (an EPUB
    does not use them)."""
    site = two_posts(tmp_path / "site")
    theme = tmp_path / "press-theme"
    theme.mkdir()
    (theme / "theme.yml").write_text("name: press-theme\nextends: default\nprint:\n"
                                     "  trim: huge\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["convert", str(site.root), "-o", "out", "--theme", str(theme)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith("hanji: error: --theme: print.trim: 'huge' is not a trim size")
    assert no_work == [] and not (tmp_path / "out").exists()


def test_missing_paths_is_one_line_and_bare_hanji_shows_its_help(
        capsys: pytest.CaptureFixture[str], no_work: list[str]) -> None:
    code, out, err = run(["convert", "-v"], capsys)
    assert code == 2 and out == "" and err == "hanji: error: Missing argument 'PATHS...'\n"
    code, out, err = run([], capsys)
    assert code == 2 and out == "" and err.startswith("Usage: hanji [OPTIONS] COMMAND")
    assert "convert" in err and "book" in err and "hanji: error" not in err
    assert no_work == []
