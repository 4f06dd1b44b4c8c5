"""Broken and hostile input: clear one-line errors, bounded resources, no half-written files.

* bad posts (YAML, encodings, binary, empty, missing, too big) → :class:`InputError` naming the
  file (and line/column for YAML); through the CLI: one ``failed`` line per post, exit 1, no
  traceback;
* limits (nesting depth, image pixels, image count, time per post) hold with a warning or a
  clean failure;
* outputs are atomic, stay in the output folder and never replace the input;
* what is still convertible gives a valid PDF and an EPUB that EPUBCheck passes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SiteBuilder, epubcheck_problems, make_image, pdf_text

import converter
from converter.batch import run_batch
from converter.cli import main
from converter.errors import InputError, OutputError
from converter.post import load_post

#: JVM options for short EPUBCheck runs (about half the CPU time of the defaults).
FAST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def _options(tmp_path: Path, **changes: object) -> converter.Options:
    changes.setdefault("formats", ("epub",))
    changes.setdefault("cache_dir", tmp_path / "cache")
    return converter.Options(jobs=1, **changes)


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _png_bomb(path: Path, width: int = 40_000, height: int = 40_000) -> Path:
    """A PNG that declares 1.6 gigapixels in a few dozen bytes (decoding would never end)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) \
        + chunk(b"IEND", b"")
    return _write(path, body)


# --------------------------------------------------------------------------------------------
# Bad posts, library level


class TestBadPosts:
    def test_malformed_yaml_names_file_line_and_column(self, site: SiteBuilder) -> None:
        post = _write(site.root / "_posts" / "2024-01-01-bad.md",
                      "---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\n\nbody\n")
        with pytest.raises(InputError) as caught:
            load_post(post)
        message = str(caught.value)
        assert message.startswith(f"{post}:")
        assert caught.value.line is not None and caught.value.column is not None
        assert f"{post}:{caught.value.line}:{caught.value.column}: invalid YAML" in message
        assert "\n" not in message

    @pytest.mark.parametrize(("front", "error"), [
        ("title: a\n  bad: indentation\n", "mapping values are not allowed"),
        ("title: \"unterminated\n", "invalid YAML"),
        ("- a list\n- not a mapping\n", "not a YAML mapping"),
        ("title: " + "[" * 1000 + "\n", "nested too deeply"),
        ("tags: &a [x, *a]\n", "refers to itself"),
        ("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
         + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
         + "title: *i\n", "YAML aliases are expanded"),
        ("title: x\nkey: !!python/object/apply:os.system ['true']\n", "could not determine a constructor"),
        ("title: \x1b[31m colour \x07\n", None),  # control characters: removed, converts
        ('title: "escaped \\b\\x1b control"\n', None),  # …also when YAML escapes make them
    ], ids=["indent", "unterminated", "list", "deep", "recursive", "billion-laughs", "python-tag",
            "controls", "escaped-controls"])
    def test_other_front_matter_problems(self, site: SiteBuilder, front: str,
                                         error: str | None) -> None:
        post = _write(site.root / "_posts" / "2024-01-01-bad.md", f"---\n{front}---\n\nbody\n")
        if error is None:
            loaded = load_post(post)
            assert loaded.title.startswith(("colour", "escaped")) and loaded.title.isprintable()
            return
        with pytest.raises(InputError, match=error) as caught:
            load_post(post)
        assert str(caught.value).startswith(str(post)) and "\n" not in str(caught.value)

    def test_bad_language_tags(self, site: SiteBuilder) -> None:
        post = site.post("2024-01-01-lang.md", "본문", front_matter="title: x\nlang: 7")
        loaded = load_post(post)
        assert loaded.lang is None
        assert any("not a language tag" in str(w) for w in loaded.warnings.warnings)
        with pytest.raises(converter.ConfigError, match="not a language tag"):
            converter.Options(lang="<script>")

    def test_rejected_timestamp_is_text_with_a_warning(self, site: SiteBuilder) -> None:
        post = site.post("2019-07-03-tz.md", "본문", front_matter="title: 시간\ndate: 2019-07-03 10:00:00 -55:00")
        loaded = load_post(post)
        assert loaded.front_matter["date"] == "2019-07-03 10:00:00 -55:00"
        assert loaded.date is not None and loaded.date.isoformat() == "2019-07-03"
        assert any("not a valid timestamp" in str(w) for w in loaded.warnings.warnings)

    @pytest.mark.parametrize(("name", "data", "reason"), [
        ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        ("empty.md", b"", "empty file"),
        ("blank.md", b"  \n\n\t\n", "empty file"),
    ])
    def test_unreadable_posts(self, tmp_path: Path, name: str, data: bytes, reason: str) -> None:
        post = _write(tmp_path / name, data)
        with pytest.raises(InputError, match=reason) as caught:
            load_post(post)
        assert str(caught.value).startswith(str(post))

    def test_missing_and_directory(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match="no such file"):
            load_post(tmp_path / "nope.md")
        with pytest.raises(InputError, match="not a file"):
            load_post(tmp_path)

    def test_too_big(self, tmp_path: Path) -> None:
        post = _write(tmp_path / "big.md", "가" * 400)
        with pytest.raises(InputError, match=r"over the 1,000-byte limit \(option max_post_bytes\)"):
            converter.convert(post, output_dir=tmp_path / "out",
                              options=_options(tmp_path, max_post_bytes=1000))
        assert not (tmp_path / "out").exists()

    @pytest.mark.parametrize("encoding", ["cp949", "euc-kr", "utf-16"])
    def test_legacy_encodings_are_converted_with_a_warning(self, tmp_path: Path,
                                                           encoding: str) -> None:
        text = "---\ntitle: 옛날 글\n---\n\n한글로 쓴 문단입니다. 똠방각하 펲시콜라.\n"
        if encoding == "euc-kr":
            text = text.replace(" 똠방각하 펲시콜라", "")  # characters only CP949 has
        post = _write(tmp_path / "old.md", text.encode(encoding))
        loaded = load_post(post)
        assert loaded.title == "옛날 글"
        assert "한글로 쓴 문단입니다." in loaded.body
        assert any("not UTF-8" in str(w) for w in loaded.warnings.warnings)

    def test_control_characters_are_removed(self, tmp_path: Path) -> None:
        post = _write(tmp_path / "ctl.md", "---\ntitle: \"a\x1b[1mb\"\n---\n\n"
                      + "x" * 9000 + "\nnul\x00 vt\x0b ff\x0c c1\x85 nc\ufffe esc\x1b[0m end\n")
        loaded = load_post(post)
        assert loaded.title == "ab"
        assert loaded.body.endswith("nul vt ff c1 nc esc end\n")
        assert any("control characters removed" in str(w) for w in loaded.warnings.warnings)


def test_malformed_site_config_names_file_and_line(site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2024-01-01-a.md", "본문")
    (site.root / "_config.yml").write_text("title: x\nurl: [unclosed\n", encoding="utf-8")
    with pytest.raises(converter.ConfigError) as caught:
        converter.convert(post, output_dir=tmp_path / "out", options=_options(tmp_path))
    assert str(caught.value).startswith(f"{site.root / '_config.yml'}:")
    assert caught.value.line is not None and "\n" not in str(caught.value)


def test_site_config_alias_bomb_is_refused(site: SiteBuilder) -> None:
    from converter.site import load_site

    (site.root / "_config.yml").write_text(
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
        + "author: *i\n", encoding="utf-8")
    with pytest.raises(converter.HanjiError):
        load_site(site.root)


# --------------------------------------------------------------------------------------------
# The CLI: one line per failed post, exit codes, no traceback


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """Run ``hanji`` in-process; restore the logging set-up it changes."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    names = ("", "converter", "weasyprint", "fontTools", "PIL")
    levels = {name: logging.getLogger(name).level for name in names}

    def run(*args: str) -> tuple[int, str]:
        code = main(list(args))
        return code, capsys.readouterr().err

    yield run
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_cli_batch_reports_each_failure_on_one_line(cli, site: SiteBuilder,  # type: ignore[no-untyped-def]
                                                    tmp_path: Path) -> None:
    good = site.post("2024-01-01-good.md", "좋은 글입니다.")
    old = _write(site.root / "_posts" / "2024-01-02-old.md",
                 "---\ntitle: 옛 글\ndate: 2019-07-03 10:00:00 -55:00\n---\n\n옛날 글입니다.\n"
                 .encode("cp949"))
    bad_yaml = _write(site.root / "_posts" / "2024-01-03-yaml.md",
                      "---\ntitle: ok\nfoo: bar: baz\n---\n\nx\n")
    binary = _write(site.root / "_posts" / "2024-01-04-binary.md", b"\x00\x01\x02" * 100)
    empty = _write(site.root / "_posts" / "2024-01-05-empty.md", b"")
    missing = site.root / "_posts" / "2024-01-06-missing.md"
    out = tmp_path / "out"
    code, err = cli("-q", "convert", str(site.root), str(missing), "-o", str(out),
                    "--format", "epub", "--cache-dir", str(tmp_path / "cache"), "-j", "1")
    assert code == 1
    assert "Traceback" not in err
    failed = [" ".join(line.split()) for line in err.splitlines() if line.startswith("failed ")]
    assert len(failed) == 4, err
    for path in (bad_yaml, binary, empty, missing):
        assert sum(str(path) in line for line in failed) == 1, (path, err)
    assert (f"failed {bad_yaml}:3:9: invalid YAML front matter: mapping values are not allowed "
            "here") in failed
    assert sorted(p.name for p in out.iterdir()) == [f"{good.stem}.epub", f"{old.stem}.epub"]


def test_cli_unwritable_output_fails_cleanly(cli, site: SiteBuilder,  # type: ignore[no-untyped-def]
                                             tmp_path: Path) -> None:
    a = site.post("2024-01-01-a.md", "하나")
    b = site.post("2024-01-02-b.md", "둘")
    blocker = _write(tmp_path / "not-a-dir", "a file where the output folder should be")
    code, err = cli("-q", "convert", str(a), str(b), "-o", str(blocker / "sub"),
                    "--format", "epub", "--cache-dir", str(tmp_path / "cache"), "-j", "1")
    # Checked before converting anything: one line, a configuration error (exit 2).
    assert code == 2 and "Traceback" not in err
    assert err.strip() == (f"hanji: error: -o: {blocker / 'sub'}: {blocker} is a file, "
                           "not a folder"), err
    assert blocker.read_text() == "a file where the output folder should be"


def test_cli_no_posts_and_usage_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    code, err = cli("convert", str(empty_dir), "-o", str(tmp_path / "out"))
    assert code == 2 and "Traceback" not in err
    assert [line for line in err.splitlines() if "no posts found" in line and str(empty_dir) in line]
    code, err = cli("convert", str(empty_dir), "--format", "docx")
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, err = cli("convert", str(empty_dir), "--page-size", "huge")
    assert code == 2 and err.strip() == ("hanji: error: --page-size: 'huge' is not A4, A5, "
                                         "B5, B6, Letter or 'W H'")
    with pytest.raises(converter.ConfigError):  # --debug shows the real exception
        main(["--debug", "convert", str(empty_dir), "--page-size", "huge"])


# --------------------------------------------------------------------------------------------
# Outputs: atomic, inside OUTDIR, never over the input


def test_failed_pdf_write_leaves_nothing_behind(site: SiteBuilder, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    post = site.post("2024-01-01-a.md", "본문입니다.")
    out = tmp_path / "out"
    out.mkdir()
    previous = _write(out / "2024-01-01-a.pdf", b"%PDF-previous good build")

    def half_write(self: object, target: object = None, **kwargs: object) -> None:
        Path(str(target)).write_bytes(b"%PDF-1.7\n% half a book")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(weasyprint.Document, "write_pdf", half_write)
    with pytest.raises((OSError, OutputError)):
        converter.convert(post, output_dir=out, options=_options(tmp_path, formats=("pdf",)))
    assert sorted(p.name for p in out.iterdir()) == ["2024-01-01-a.pdf"]
    assert previous.read_bytes() == b"%PDF-previous good build"


def test_failed_epub_write_leaves_nothing_behind(site: SiteBuilder, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from converter.writers import epub

    post = site.post("2024-01-01-a.md", "본문입니다.")
    out = tmp_path / "out"

    def half_write(packer: object) -> None:  # EbookLib's writer, as hanji drives it
        Path(packer.file_name).write_bytes(b"PK\x03\x04 half a book")  # type: ignore[attr-defined]
        raise RuntimeError("crash mid-write")

    monkeypatch.setattr(epub._EpubPacker, "write", half_write)
    with pytest.raises(OutputError, match="EPUB writing failed"):
        converter.convert(post, output_dir=out, options=_options(tmp_path))
    assert list(out.iterdir()) == []


def test_output_never_overwrites_the_input(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    post = _write(folder / "report.pdf", "# 보고서\n\n이 파일은 이름만 PDF인 마크다운입니다.\n")
    before = post.read_bytes()
    with pytest.raises(OutputError, match="overwrite the input"):
        converter.convert(post, output_dir=folder, options=_options(tmp_path, formats=("pdf",)))
    assert post.read_bytes() == before
    for name in ("../escape", "/tmp/escape", "sub/escape", ".."):
        with pytest.raises(OutputError, match="plain file name"):
            converter.convert(post, output_dir=tmp_path / "out", name=name,
                              options=_options(tmp_path))
    assert not (tmp_path / "escape.epub").exists() and not (tmp_path / "out").exists()
    # Into another folder it converts, and only there.
    result = converter.convert(post, output_dir=tmp_path / "out",
                               options=_options(tmp_path, formats=("epub",)))
    assert result.paths == [tmp_path / "out" / "report.epub"]
    assert sorted(p.name for p in folder.iterdir()) == ["report.pdf"]


# --------------------------------------------------------------------------------------------
# Limits


def test_image_pixel_limit_reaches_the_image_stage(site: SiteBuilder, tmp_path: Path) -> None:
    site.image("assets/photo.png", size=(300, 300))
    _png_bomb(site.root / "assets" / "bomb.png")
    post = site.post("2024-01-01-a.md", "![photo](/assets/photo.png)\n\n![bomb](/assets/bomb.png)\n")
    result = converter.convert(post, output_dir=tmp_path / "out", options=_options(tmp_path))
    warnings = [str(w) for w in result.warnings]
    assert sum("decompression bomb" in w for w in warnings) == 1, warnings  # the default limit
    # A limit below the photo's 90 000 pixels refuses it too: the option is passed through.
    # (A fresh cache: prepared images are cached without the limit in the key.)
    result = converter.convert(post, output_dir=tmp_path / "out2",
                               options=_options(tmp_path, max_image_pixels=20_000,
                                                cache_dir=tmp_path / "cache2"))
    warnings = [str(w) for w in result.warnings]
    assert sum("over 20,000 pixels" in w for w in warnings) == 2, warnings
    with zipfile.ZipFile(result.outputs["epub"].path) as archive:
        assert not [n for n in archive.namelist()
                    if n.startswith("EPUB/images/") and n != "EPUB/images/cover.png"]


def test_image_count_limit(site: SiteBuilder, tmp_path: Path) -> None:
    for i in range(4):
        site.image(f"assets/{i}.png", size=(40, 30), color=(i * 50, 80, 80))
    post = site.post("2024-01-01-a.md", "\n\n".join(f"![{i}](/assets/{i}.png)" for i in range(4)))
    result = converter.convert(post, output_dir=tmp_path / "out",
                               options=_options(tmp_path, max_images=2))
    assert sum("more than 2 images" in str(w) for w in result.warnings) == 2
    with zipfile.ZipFile(result.outputs["epub"].path) as archive:
        assert len([n for n in archive.namelist()
                    if n.startswith("EPUB/images/") and n != "EPUB/images/cover.png"]) == 2


def test_default_depth_limit_suits_weasyprint() -> None:
    # WeasyPrint's layout recurses per nested block and fails at about 130 levels.
    assert converter.Options().max_html_depth <= 110


def test_text_after_very_deep_html_is_kept(tmp_path: Path) -> None:
    post = _write(tmp_path / "deep.md", "<div>" * 300 + "깊은" + "</div>" * 300
                  + "\n\nAFTER-THE-DEEP-PART\n")
    result = converter.convert(post, output_dir=tmp_path / "out", options=_options(tmp_path))
    with zipfile.ZipFile(result.outputs["epub"].path) as archive:
        assert "AFTER-THE-DEEP-PART" in archive.read("EPUB/text/post.xhtml").decode("utf-8")


def test_flattened_deep_list_stays_valid_xhtml(tmp_path: Path) -> None:
    post = _write(tmp_path / "list.md", "<ul><li>" * 10 + "깊은 목록" + "</li></ul>" * 10 + "\n")
    result = converter.convert(post, output_dir=tmp_path / "out",
                               options=_options(tmp_path, max_html_depth=6))
    assert any("flattened" in str(w) for w in result.warnings)
    with zipfile.ZipFile(result.outputs["epub"].path) as archive:
        from lxml import etree

        doc = etree.fromstring(archive.read("EPUB/text/post.xhtml"))
    namespace = {"h": "http://www.w3.org/1999/xhtml"}
    misplaced = doc.xpath("//h:ul/*[not(self::h:li)] | //h:ul/text()[normalize-space()]",
                          namespaces=namespace)
    assert misplaced == []


def test_inline_nesting_too_deep_is_an_input_error(tmp_path: Path) -> None:
    post = _write(tmp_path / "stars.md", "*" * 6000 + "x" + "*" * 6000 + "\n")
    with pytest.raises(InputError, match="nested too deeply"):
        converter.convert(post, output_dir=tmp_path / "out", options=_options(tmp_path))


#: Loaded through PYTHONPATH by the fork server the batch workers come from (and so by every
#: worker): the post named by HANJI_TEST_SLOW_POST sleeps far past any time limit, so the test
#: measures the batch's time limit and not how slow some dependency happens to be on some input.
_SLOW_WORKER = """
import os
import time

_slow = os.environ.get("HANJI_TEST_SLOW_POST")
if _slow:
    import converter.batch as _batch

    _convert = _batch.convert

    def _slow_convert(source, **kwargs):
        if source.name == _slow:
            time.sleep(600)
        return _convert(source, **kwargs)

    _batch.convert = _slow_convert
"""


def test_batch_timeout_fails_the_slow_post_only(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    hook = tmp_path / "hook"
    _write(hook / "sitecustomize.py", _SLOW_WORKER)
    package_root = Path(converter.__file__).resolve().parent.parent
    monkeypatch.setenv("PYTHONPATH", f"{hook}{os.pathsep}{package_root}")
    monkeypatch.setenv("HANJI_TEST_SLOW_POST", "slow.md")
    # The hook reaches fresh interpreters only: the fork server an earlier test started is
    # stopped so that the batch starts one with this environment, and that one is stopped
    # afterwards so that no later batch inherits the hook.
    with _fresh_fork_server():
        _run_batch_with_a_slow_post(tmp_path)


@contextlib.contextmanager
def _fresh_fork_server() -> Iterator[None]:
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # type: ignore[attr-defined]
    try:
        yield
    finally:
        forkserver._forkserver._stop()  # type: ignore[attr-defined]


def _run_batch_with_a_slow_post(tmp_path: Path) -> None:
    from converter.processes import worker_context
    assert worker_context().get_start_method() == "forkserver"
    quick = _write(tmp_path / "posts" / "quick.md", "# 빠른 글\n\n짧은 글.\n")
    slow = _write(tmp_path / "posts" / "slow.md", "# 느린 글\n\n이 글은 멈춘다.\n")
    out = tmp_path / "out"
    started = time.monotonic()
    summary = run_batch([slow, quick], output_dir=out,
                        options=converter.Options(formats=("epub",), cache_dir=tmp_path / "cache",
                                                  jobs=2, timeout=20))
    outcomes = {o.source.name: o for o in summary.outcomes}
    assert outcomes["quick.md"].error is None
    assert outcomes["slow.md"].error == f"{slow}: timed out after 20 s (option timeout)"
    assert sorted(p.name for p in out.iterdir()) == ["quick.epub"]
    assert time.monotonic() - started < 120  # the sleeping worker was stopped, not waited for


# --------------------------------------------------------------------------------------------
# Hostile but convertible: valid PDF, EPUBCheck-clean EPUB


def test_hostile_but_convertible_posts_give_valid_books(site: SiteBuilder, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site.image("assets/ok.png", size=(200, 120))
    _png_bomb(site.root / "assets" / "bomb.png")
    _write(site.root / "assets" / "fake.png", b"<html>not an image</html>")
    _write(site.root / "assets" / "truncated.jpg",
           (make_image(tmp_path / "t.jpg", (400, 300)).read_bytes())[:600])
    posts = [
        _write(site.root / "_posts" / "2019-07-03-cp949.md",
               "---\ntitle: 옛 글\ndate: 2019-07-03 10:00:00 -55:00\ntags: [옛날, 인코딩]\n---\n\n"
               "CP949로 저장된 글입니다.\n\n![ok](/assets/ok.png)\n".encode("cp949")),
        _write(site.root / "_posts" / "2024-01-02-utf16.md",
               "---\ntitle: \"UTF-16 \x1b[1m글\"\n---\n\n윈도우 메모장\x00 글.\x0b\n".encode("utf-16")),
        site.post("2024-01-03-mess.md", "\n\n".join([
            "<div>" * 120 + "깊은 중첩" + "</div>" * 120,
            "> " * 120 + "깊은 인용",
            "![bomb](/assets/bomb.png) ![fake](/assets/fake.png) ![cut](/assets/truncated.jpg)",
            "![nowhere](/assets/missing.png) ![remote](https://example.com/x.png)",
            "<img src=\"data:image/png;base64,!!!!\"> <img src=\"data:text/html,hi\">",
            "<script>alert(1)</script><iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
            "<form><input name=q><button>b</button></form><p onclick=\"x()\">클릭</p>",
            "<table><tr><td>열린 표<td>닫지 않은 칸</table> <b><i>엇갈린</b></i> </div></span>",
            "[^missing] 각주 없음 {% unknown_tag %} {{ page.nothing }} ${x",
            "```\n" + "\x1b[31m색\x1b[0m" + "\n",  # unterminated fence with ANSI colours
        ]), front_matter='title: [목록, 제목]\ndate: 2024-13-45\ntags: {a: b}\n'
                         'author: 42\nheader: "not a mapping"\nlang: 7'),
    ]
    options = converter.Options(cache_dir=tmp_path / "cache", jobs=1)
    results = [converter.convert(post, output_dir=tmp_path / "out", options=options)
               for post in posts]
    for result in results:
        pdf = result.outputs["pdf"].path
        assert pdf.read_bytes().startswith(b"%PDF-") and result.pages
        assert pdf_text(pdf).strip()
    mess = results[2]
    warnings = "\n".join(str(w) for w in mess.warnings)
    for expected in ("flattened", "decompression bomb", "fake.png", "truncated.jpg",
                     "file not found", "remote_images=skip", "invalid base64", "empty image reference"):
        assert expected in warnings, expected
    # EPUBCheck runs are short: a JVM without its optimising compiler and with one GC thread
    # starts much faster (JAVA_TOOL_OPTIONS reaches the `java` that conftest starts).
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", FAST_JVM)
    with ThreadPoolExecutor(max_workers=3) as pool:
        problems = list(pool.map(epubcheck_problems, [r.outputs["epub"].path for r in results]))
    assert problems == [[], [], []]
