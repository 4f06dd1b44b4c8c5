from __future__ import annotations

from converter.dialect import DialectContext
from converter.dialect.kramdown import kramdown_tables


def fix(text: str) -> str:
    return kramdown_tables(text, DialectContext(site={}, page={}))


def test_separator_on_third_line_moves_up() -> None:
    out = fix("| | |\n|![a](a.jpg)|![b](b.jpg)|\n|:---:|:---:|\n")
    lines = [line for line in out.splitlines() if line.strip()]
    assert lines[0] == "| | |"
    assert lines[1] == "|:---:|:---:|"
    assert lines[2].startswith("|![a]")


def test_table_without_separator_gets_empty_header() -> None:
    out = fix("text\n|a|b|\n|c|d|\n")
    lines = out.splitlines()
    assert lines[0] == "text" and lines[1] == ""
    assert lines[3].startswith("|---")
    assert lines[4] == "|a|b|"


def test_normal_table_untouched_and_code_left_alone() -> None:
    table = "|a|b|\n|--|--|\n|c|d|"
    assert fix(table) == table
    code = "```\n|x|\n|y|\n```"
    assert fix(code) == code
