"""Helper processes: the warmed-up PDF process and forked image workers."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pypdf
import pytest
from conftest import SiteBuilder, make_image

from converter import api
from converter.errors import InputError, OutputError
from converter.images import ImageCache, ImageProfile, ImageRequest, prepare_images
from converter.options import Options
from converter.processes import WarmProcess, forks, helper_context


def _nothing() -> None:
    pass


def _double(value: int) -> int:
    return value * 2


def _pid() -> int:
    return os.getpid()


def _raise_input_error(path: str) -> None:
    raise InputError("bad front matter", path=path, line=3)


def _raise_other() -> None:
    raise ValueError("something odd")


def _die() -> None:
    os._exit(7)


def test_warm_process_runs_its_job_in_another_process() -> None:
    with WarmProcess(_nothing) as process:
        assert process.run(_pid) != os.getpid()
    with WarmProcess(_nothing) as process:
        assert process.run(_double, 21) == 42


def test_warm_process_raises_the_jobs_errors_here() -> None:
    with WarmProcess(_nothing) as process, pytest.raises(InputError) as caught:
        process.run(_raise_input_error, "post.md")
    assert str(caught.value) == "post.md:3: bad front matter"
    with WarmProcess(_nothing) as process, pytest.raises(OutputError, match="ValueError: something odd"):
        process.run(_raise_other)
    with WarmProcess(_nothing) as process, pytest.raises(OutputError, match="exit code 7"):
        process.run(_die, error_path=Path("x.md"))


def test_closing_an_unused_warm_process_stops_it() -> None:
    process = WarmProcess(_nothing)
    process.close()
    assert not process._process.is_alive()
    with pytest.raises(RuntimeError):
        process.run(_double, 1)


def test_forks_only_while_single_threaded() -> None:
    if not forks(helper_context()):
        pytest.skip("this platform does not fork helpers")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not forks(helper_context())
    finally:
        stop.set()
        thread.join()
    assert forks(helper_context())


def test_helpers_follow_jobs_and_formats() -> None:
    with api.writer_helpers(Options(jobs=1)) as helpers:
        assert helpers == {}
    with api.writer_helpers(Options(formats=("epub",))) as helpers:
        assert helpers == {}
    if (os.cpu_count() or 1) > 1:
        with api.writer_helpers(Options()) as helpers:
            assert set(helpers) == {"pdf"}


def _post(tmp_path: Path) -> Path:
    site = SiteBuilder(tmp_path / "site")
    make_image(site.root / "assets" / "a.jpg", (900, 600))
    make_image(site.root / "assets" / "b.png", (500, 400), color=(20, 120, 200))
    return site.post("2024-01-01-helpers.md", front_matter="title: 도우미 프로세스",
                     body="한국어 본문입니다. 이미지 두 개.\n\n![첫째](/assets/a.jpg)\n\n"
                          "![둘째](/assets/b.png)\n\n<img src=\"/nowhere.png\" alt=\"없음\">\n")


def test_pdf_laid_out_in_a_helper_matches_one_laid_out_here(tmp_path: Path) -> None:
    post = _post(tmp_path)
    here = api.convert(post, output_dir=tmp_path / "here",
                       options=Options(jobs=1, cache_dir=tmp_path / "cache"))
    helped = api.convert(post, output_dir=tmp_path / "helped",
                         options=Options(jobs=2, cache_dir=tmp_path / "cache"))
    assert helped.pages == here.pages == len(pypdf.PdfReader(helped.outputs["pdf"].path).pages)
    texts = [" ".join(page.extract_text() for page in pypdf.PdfReader(r.outputs["pdf"].path).pages)
             for r in (here, helped)]
    assert "한국어" in texts[1] and texts[0] == texts[1]
    # Warnings from both processes reach the result the same way.
    assert [str(w) for w in helped.warnings] == [str(w) for w in here.warnings]
    assert any("nowhere.png" in str(w) for w in helped.warnings)
    assert not list((tmp_path / "helped").glob(".*.part"))


def test_a_post_that_fails_to_build_stops_the_helper(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    post = _post(tmp_path)

    def fail(*args: object, **kwargs: object) -> None:
        raise InputError("cannot build", path=post)

    monkeypatch.setattr(api, "build_chapter", fail)
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(InputError):
        api.convert(post, output_dir=tmp_path / "out", options=Options(jobs=2))
    import multiprocessing

    assert not [p for p in multiprocessing.active_children() if p.name == "hanji-pdf"]
    assert {t.name for t in threading.enumerate()} == before


def test_image_workers_are_forked_for_a_few_photos(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    if not forks(helper_context()):
        pytest.skip("this platform does not fork helpers")
    sources = [make_image(tmp_path / f"p{i}.jpg", (1200, 800), color=(30 * i, 90, 60))
               for i in range(4)]
    profile = ImageProfile(max_long_edge=600, max_pixels=None, jpeg_quality=80)
    requests = [ImageRequest(source=s, profile=profile) for s in sources]
    with caplog.at_level(logging.DEBUG, logger="converter.images.prepare"):
        results = prepare_images(requests, cache=ImageCache(tmp_path / "cache"), workers=2)
    assert "with 2 processes" in caplog.text
    assert all(results[r].width == 600 for r in requests)


def test_helpers_work_while_other_threads_run(tmp_path: Path) -> None:
    """With a thread running (a progress bar, a caller's pool) helpers are not forked from
    this process but started safely; the conversion is the same."""
    post = _post(tmp_path)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        result = api.convert(post, output_dir=tmp_path / "out",
                             options=Options(jobs=2, cache=False))
    finally:
        stop.set()
        thread.join()
    assert result.pages and result.pages >= 2
    assert "한국어" in pypdf.PdfReader(result.outputs["pdf"].path).pages[1].extract_text()


def _write_slowly(target: str) -> None:
    from converter.writers.base import atomic_output

    with atomic_output(Path(target)) as tmp:
        tmp.write_bytes(b"half")
        import time

        time.sleep(30)


def test_a_terminated_helper_leaves_no_temporary_file(tmp_path: Path) -> None:
    import time

    process = WarmProcess(_nothing)
    process.submit(_write_slowly, str(tmp_path / "book.pdf"))
    deadline = time.monotonic() + 10
    while not list(tmp_path.glob(".book.pdf.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".book.pdf.*"))  # the job is writing
    process.close()  # the parent gives up (an error elsewhere, a timeout)
    assert not list(tmp_path.iterdir())


_PARENT = os.getpid()
_REAL_RENDER = None


def _render_dying_in_helper(*job: object) -> object:
    if os.getpid() != _PARENT:
        os._exit(9)  # the helper crashes (a segfault in a library, an OOM kill)
    return _REAL_RENDER(*job)  # type: ignore[misc]


def test_a_crashed_pdf_helper_is_replaced_by_layout_here(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    global _REAL_RENDER
    if not forks(helper_context()):
        pytest.skip("needs forked helpers")
    from converter.writers.pdf import document as pdf_writer

    _REAL_RENDER = pdf_writer.render_pdf
    monkeypatch.setattr(pdf_writer, "render_pdf", _render_dying_in_helper)
    post = _post(tmp_path)
    with caplog.at_level(logging.WARNING, logger="converter"):
        result = api.convert(post, output_dir=tmp_path / "out", formats=["pdf"],
                             options=Options(jobs=2, cache=False))
    assert "hanji-pdf process died (exit code 9)" in caplog.text
    assert "한국어" in pypdf.PdfReader(result.outputs["pdf"].path).pages[1].extract_text()


def test_work_spread_over_stopped_processes_is_abandoned() -> None:
    """After the caller closed its helpers (Ctrl-C, a failed writer), a thread still driving
    them must not go on with the work in this process."""
    from converter.processes import HelperDied, run_spread

    process = WarmProcess(_nothing)
    assert run_spread([process], [(_double, (2,), None), (_double, (5,), None)]) == [4, 10]
    process.close()
    with pytest.raises(HelperDied):
        run_spread([process], [(_double, (1,), None)])
    assert run_spread([], [(_double, (3,), None)]) == [6]  # no helpers at all: here
