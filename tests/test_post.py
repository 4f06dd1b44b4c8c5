from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from converter.errors import InputError
from converter.post import load_post


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_front_matter_title_date_tags(tmp_path: Path) -> None:
    post = load_post(write(tmp_path, "2020-01-02-hello.md",
                           "---\ntitle: 안녕\ntags: [a, b]\nheader:\n  teaser: /x.jpg\n---\n본문\n"))
    assert post.title == "안녕"
    assert post.date == dt.date(2020, 1, 2)
    assert post.tags == ["a", "b"]
    assert post.teaser == "/x.jpg"
    assert post.body.strip() == "본문"
    assert post.body_line == 7


def test_bom_and_crlf(tmp_path: Path) -> None:
    post = load_post(write(tmp_path, "p.md", b"\xef\xbb\xbf---\r\ntitle: BOM\r\n---\r\n# x\r\n"))
    assert post.title == "BOM"
    assert "\r" not in post.body


def test_no_front_matter_title_from_heading(tmp_path: Path) -> None:
    post = load_post(write(tmp_path, "2021-03-04-some-post.md", "intro\n\n# 제목입니다\n\ntext"))
    assert post.title == "제목입니다"
    assert post.front_matter == {}
    bare = load_post(write(tmp_path, "2021-03-04-plain-file.md", "just text"))
    assert bare.title == "plain file"


def test_cp949_is_detected_with_warning(tmp_path: Path) -> None:
    post = load_post(write(tmp_path, "old.md", "---\ntitle: 옛글\n---\n한글 본문입니다.\n".encode("cp949")))
    assert post.title == "옛글"
    assert any("CP949" in str(w) for w in post.warnings.warnings)


def test_bad_timestamp_kept_as_text(tmp_path: Path) -> None:
    post = load_post(write(tmp_path, "2019-01-01-t.md",
                           "---\ntitle: t\ndate: 2019-01-01 10:00:00 -55:00\n---\nx\n"))
    assert post.date == dt.date(2019, 1, 1)
    assert any("not a valid timestamp" in str(w) for w in post.warnings.warnings)


@pytest.mark.parametrize(("data", "needle"), [
    ("---\ntitle: [unclosed\n---\nx", "invalid YAML"),
    (b"\x00\x01\x02binary", "binary"),
    ("   \n", "empty"),
    ("---\n- a list\n---\nx", "not a YAML mapping"),
])
def test_bad_input_raises_one_line_error(tmp_path: Path, data: bytes | str, needle: str) -> None:
    path = write(tmp_path, "bad.md", data)
    with pytest.raises(InputError) as info:
        load_post(path)
    message = str(info.value)
    assert needle in message and str(path) in message and "\n" not in message


def test_yaml_error_has_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.md", "---\ntitle: ok\nbad: [1, 2\nx: y\n---\nbody")
    with pytest.raises(InputError) as info:
        load_post(path)
    assert info.value.line is not None and info.value.line >= 3


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_post(tmp_path / "nope.md")
