"""Property: no value of any option, flag or book.yml key makes hanji fail with an internal
error (exit 70). Each is either accepted or refused with one line and exit code 2, before any
work (converter/options.py, converter/preflight.py, converter/series.py, converter/cli/)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SiteBuilder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import converter.batch
from converter.cli import main
from converter.errors import ConfigError
from converter.options import Options
from converter.preflight import check_build
from converter.series import BookConfig

OPTION_KEYS = [f.name for f in dataclasses.fields(Options)]
BOOK_KEYS = [f.name for f in dataclasses.fields(BookConfig)]
ALIAS_KEYS = ["language", "category", "tag", "name", "options", "page-size", "no_such_key"]

#: YAML scalars as an author might write them, malformed dates and special numbers included.
RAW_YAML = st.sampled_from([
    "2021-13-01", "2021-02-30", "2021-01-01", "2021-01-01 25:00:00", "2021-1-1", "0000-01-01",
    "9999-12-31", ".nan", ".inf", "-.inf", "~", "null", "[]", "{}", "[1, 2]", "[a, [b]]",
    "{a: 1}", "0x1F", "0o17", "1e400", "-1", "0", "1", "99999999999999999999", "yes", "no",
    "true", "!!binary aGVsbG8=", '"a\\0b"', '"\\t"', "''", "' '", "A5", "a5", "'10mm 10mm'",
    "'100mm 150mm'", "'1e9mm 1mm'", "default", "sans", "nope", "../..", "/", ".", "pdf",
    "[pdf, epub]", "[docx]", "pdf,epub", "ko", "ko-KR", "한국어", "*causal*", "'['", "date",
    "list", "skip", "fetch", "-", "?", "\"\\uFFFF\"", "'\U0001F642'",
])
#: Plain values, as YAML would load them.
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.dates().map(dt.date.isoformat) | st.sampled_from(["A5", "pdf", "default", "ko", "."]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(OPTION_KEYS + ["x"]), children, max_size=3),
    max_leaves=6,
)

#: More examples for a longer search: HANJI_PROPERTY_EXAMPLES=2000 pytest tests/test_cli_property.py
SETTINGS = settings(max_examples=int(os.environ.get("HANJI_PROPERTY_EXAMPLES", "150")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="hanji-prop-") as folder:
        builder = SiteBuilder(Path(folder) / "site")
        builder.post("2021-03-01-one.md", "하나", front_matter='title: "하나"\ntags: [a]')
        builder.post("2021-04-01-two.md", "둘", front_matter='title: "둘"\ncategories: [b]')
        yield builder.root


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(OPTION_KEYS + ["unknown"]), VALUES, max_size=5))
def test_options_schema_and_preflight_never_fail_otherwise(site: Path, data: dict) -> None:
    try:
        options = Options.from_mapping(data)
        check_build(options, site.parent / "out")
    except ConfigError as exc:
        assert "\n" not in str(exc) and exc.key, exc


def _book_yml(lines: list[tuple[str, str]]) -> str:
    return "".join(f"{key}: {raw}\n" for key, raw in lines)


@SETTINGS
@given(lines=st.lists(st.tuples(st.sampled_from(BOOK_KEYS + OPTION_KEYS + ALIAS_KEYS),
                                RAW_YAML | VALUES.map(json.dumps)), max_size=5),
       nested=st.lists(st.tuples(st.sampled_from(OPTION_KEYS + ["x"]), RAW_YAML), max_size=3))
def test_any_book_yml_is_accepted_or_one_line_exit_2(
        site: Path, capsys: pytest.CaptureFixture[str],
        lines: list[tuple[str, str]], nested: list[tuple[str, str]]) -> None:
    text = "title: 책\n" + _book_yml(lines)
    if nested:
        text += "options:\n" + "".join(f"  {key}: {raw}\n" for key, raw in nested)
    yml = site / "book.yml"
    yml.write_text(text, encoding="utf-8")
    code = main(["book", str(yml), "--dry-run", "-o", str(site.parent / "out")])
    err = capsys.readouterr().err
    assert code in (0, 2), (text, code, err)
    assert "internal error" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith(f"hanji: error: {yml}"), (text, err)


FLAGS = ["--format", "--theme", "--css", "--page-size", "--site", "--lang", "--remote-images",
         "--cache-dir", "-j", "--timeout", "-o"]
BOOK_FLAGS = ["--title", "--subtitle", "--author", "--cover", "--category", "--tag", "--from",
              "--to", "--glob", "--sort", "--name"]
FLAG_VALUES = RAW_YAML | st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                 max_size=15)


@SETTINGS
@given(flags=st.lists(st.tuples(st.sampled_from(FLAGS), FLAG_VALUES), max_size=4))
def test_any_convert_flags_are_accepted_or_one_line_exit_2(
        site: Path, capsys: pytest.CaptureFixture[str], flags: list[tuple[str, str]]) -> None:
    started: list[object] = []

    def record(*args: object, **kwargs: object) -> converter.batch.BatchSummary:
        started.append(kwargs)
        return converter.batch.BatchSummary()

    argv = ["convert", str(site), *[part for pair in flags for part in pair]]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(converter.batch, "run_batch", record)
        code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    assert "internal error" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("hanji: error: ") and not started, err
    else:
        assert started


@SETTINGS
@given(flags=st.lists(st.tuples(st.sampled_from(FLAGS + BOOK_FLAGS), FLAG_VALUES), max_size=4))
def test_any_book_flags_are_accepted_or_one_line_exit_2(
        site: Path, capsys: pytest.CaptureFixture[str], flags: list[tuple[str, str]]) -> None:
    argv = ["book", str(site), "--title", "책", "--dry-run",
            *[part for pair in flags for part in pair]]
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    assert "internal error" not in err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("hanji: error: "), err
