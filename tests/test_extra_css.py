"""An extra stylesheet (--css) that cannot be read is one clear line naming it, in every
format: the CLI checks it before any work (exit 2, naming the flag and the file); the library
raises a ConfigError naming the file from either writer; never an internal error, and nothing
half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteBuilder

import converter
from converter.cli import main


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuilder:
    site = SiteBuilder(tmp_path_factory.mktemp("css") / "site")
    site.post("2024-05-01-one.md", "첫 글입니다.\n", front_matter='title: "하나"')
    site.post("2024-05-02-two.md", "둘째 글입니다.\n", front_matter='title: "둘"')
    return site


def _error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize("fmt", ["pdf", "epub"])
def test_convert_names_the_missing_stylesheet(site: SiteBuilder, tmp_path: Path, fmt: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.css"
    out = tmp_path / "out"
    code = main(["convert", str(site.root / "_posts" / "2024-05-01-one.md"), "-o", str(out),
                 "--format", fmt, "--css", str(missing), "-j", "1", "--no-cache"])
    assert code == 2
    assert _error_lines(capsys) == [f"hanji: error: --css: no such file: {missing}"]
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("fmt", ["pdf", "epub"])
def test_library_convert_names_the_missing_stylesheet(site: SiteBuilder, tmp_path: Path,
                                                      fmt: str) -> None:
    missing = tmp_path / "missing.css"
    out = tmp_path / "out"
    options = converter.Options(formats=(fmt,), extra_css=(missing,), jobs=1, cache_dir=None)
    with pytest.raises(converter.ConfigError) as caught:
        converter.convert(site.root / "_posts" / "2024-05-01-one.md", output_dir=out,
                          options=options)
    assert str(caught.value) == f"{missing}: cannot read extra CSS: No such file or directory"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("fmt", ["pdf", "epub"])
def test_book_reports_the_missing_stylesheet_as_a_configuration_error(
        site: SiteBuilder, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.css"
    out = tmp_path / "out"
    code = main(["-q", "book", str(site.root / "_posts"), "--title", "책", "-o", str(out),
                 "--format", fmt, "--css", str(missing), "-j", "1", "--no-cache"])
    assert code == 2
    assert _error_lines(capsys) == [f"hanji: error: --css: no such file: {missing}"]
    assert not out.exists() or not any(out.iterdir())
