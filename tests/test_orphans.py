"""No orphans: SIGKILL a conversion (or a book mid-layout) and no helper process survives it.

The hanji-pdf helpers, the image workers and the batch workers die with their parent
(``PR_SET_PDEATHSIG`` on Linux), whatever killed it, and leave no temporary file behind.
Processes are found through ``/proc`` (children by parent pid), so the test needs Linux.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SiteBuilder

from converter.lifetime import die_with_parent
from converter.processes import WarmProcess

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _state(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a live process, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), fields[0]


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = _state(int(entry.name))
            if state is not None:
                parents[int(entry.name)] = state[0]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    """The pids still running (a zombie waiting to be reaped is not running)."""
    return {pid for pid in pids if (state := _state(pid)) is not None and state[1] != "Z"}


def _describe(pids: set[int]) -> list[str]:
    out = []
    for pid in sorted(pids):
        try:
            out.append(f"{pid} {_state(pid)}: " + Path(f"/proc/{pid}/cmdline").read_bytes()
                       .replace(b"\0", b" ").decode(errors="replace")[:200])
        except OSError:
            out.append(f"{pid}: gone")
    return out


def _kill_when(command: list[str], cwd: Path, *, helpers: int, settle: float) -> tuple[set[int], set[int]]:
    """Run ``command``, SIGKILL it ``settle`` s after it has ``helpers`` descendants; return
    every descendant seen and those alive 2 s after the kill."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    ready_at: float | None = None
    try:
        while time.monotonic() < deadline and process.poll() is None:
            seen |= _descendants(process.pid)
            if ready_at is None and len(_alive(seen)) >= helpers:
                ready_at = time.monotonic()
            if ready_at is not None and time.monotonic() - ready_at >= settle:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the conversion ended before it could be killed"
        seen |= _descendants(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(2)
        return seen, _alive(seen)
    finally:
        if process.poll() is None:
            process.kill()
        for pid in _alive(seen):  # never leave one behind, even when the test fails
            os.kill(pid, signal.SIGKILL)


def _long_post(site: SiteBuilder, name: str, paragraphs: int = 400) -> Path:
    text = "\n\n".join(f"## 절 {n}\n\n" + "한글 문단입니다. 이 문장은 조판을 오래 하게 만듭니다. " * 12
                       for n in range(paragraphs))
    return site.post(name, text)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="helpers start only with 2+ cores")
def test_sigkill_of_convert_leaves_no_helper(site: SiteBuilder, tmp_path: Path) -> None:
    post = _long_post(site, "2020-01-01-long.md")  # 380 KB: long enough to be killed mid-layout
    out = tmp_path / "out"
    seen, alive = _kill_when([sys.executable, "-m", "converter", "convert", str(post), "-o",
                              str(out), "--cache-dir", str(tmp_path / "cache"), "-j", "2",
                              "--limit", "max_post_bytes=1000000"],
                             tmp_path, helpers=1, settle=3.0)
    assert seen, "no helper process was started"
    assert alive == set(), _describe(alive)
    assert not out.exists() or [p.name for p in out.iterdir()
                                if p.suffix == ".tmp" or p.name.startswith(".")] == []


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="helpers start only with 2+ cores")
def test_sigkill_of_book_mid_layout_leaves_no_helper(site: SiteBuilder, tmp_path: Path) -> None:
    for n in range(4):
        _long_post(site, f"2020-01-0{n + 1}-part{n}.md", paragraphs=150)
    seen, alive = _kill_when([sys.executable, "-m", "converter", "book", str(site.root),
                              "--title", "책", "-o", str(tmp_path / "out"), "--format", "pdf",
                              "--cache-dir", str(tmp_path / "cache"), "-j", "2"],
                             tmp_path, helpers=2, settle=4.0)
    assert len(seen) >= 2
    assert alive == set(), _describe(alive)


def test_sigkill_of_batch_leaves_no_worker(site: SiteBuilder, tmp_path: Path) -> None:
    posts = [_long_post(site, f"2020-02-0{n + 1}-batch{n}.md", paragraphs=100) for n in range(3)]
    seen, alive = _kill_when([sys.executable, "-m", "converter", "convert", *map(str, posts),
                              "-o", str(tmp_path / "out"), "--format", "pdf", "--cache-dir",
                              str(tmp_path / "cache"), "-j", "2"],
                             tmp_path, helpers=4, settle=2.0)  # tracker, server, 2 workers
    assert len(seen) >= 2
    assert alive == set(), _describe(alive)


def _nothing() -> None:
    pass


def _sleep_forever() -> None:
    time.sleep(3600)


def _warm_and_report(pid_file: str) -> None:
    """In a middle process: start a helper, write its pid, then wait to be killed."""
    helper = WarmProcess(lambda: None, name="hanji-test")
    helper.submit(_sleep_forever)
    Path(pid_file).write_text(str(helper._process.pid))
    time.sleep(3600)


def _warm_from_a_thread(pid_file: str) -> None:
    """A helper started by a thread that then ends (a server's worker thread)."""
    import threading
    from multiprocessing import forkserver

    # This process was forked from pytest's, which may have a fork server of its own (an
    # earlier test's batch): not this process's child, so multiprocessing cannot use it here.
    server: Any = forkserver._forkserver  # type: ignore[attr-defined]
    server._forkserver_pid = server._forkserver_address = server._forkserver_alive_fd = None

    helpers: list[WarmProcess] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            helpers.append(WarmProcess(_nothing))
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    assert not errors, f"the helper did not start: {errors[0]!r}"
    time.sleep(1)
    Path(pid_file).write_text(str(helpers[0]._process.pid))
    time.sleep(3600)


@pytest.mark.parametrize("middle_job", [_warm_and_report, _warm_from_a_thread])
def test_die_with_parent_in_a_busy_helper(tmp_path: Path, middle_job: object) -> None:
    """A helper busy with a job (not reading its pipe) still ends when its parent is killed."""
    import multiprocessing

    pid_file = tmp_path / "pid"
    middle = multiprocessing.get_context("fork").Process(target=middle_job,
                                                         args=(str(pid_file),))
    middle.start()
    deadline = time.monotonic() + 90  # a fork server starting on a loaded machine
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    helper = int(pid_file.read_text())
    assert _alive({helper}) == {helper}  # alive while its process lives, even past its thread
    os.kill(middle.pid, signal.SIGKILL)
    middle.join()
    time.sleep(2)
    assert _alive({helper}) == set()


def _arm_for_a_gone_parent() -> None:
    die_with_parent(parent=-1)  # not our parent: treated as gone
    time.sleep(30)


def test_die_with_parent_when_the_parent_is_already_gone() -> None:
    """Arming the signal after the parent died ends the process at once."""
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=_arm_for_a_gone_parent)
    started = time.monotonic()
    child.start()
    child.join(timeout=20)
    assert child.exitcode == 1
    assert time.monotonic() - started < 10


def test_a_job_past_its_timeout_stops_the_helper() -> None:
    from converter.processes import HelperTimeout, run_spread

    helper = WarmProcess(lambda: None, name="hanji-test", job_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(HelperTimeout, match="option timeout") as caught:
        helper.run(_sleep_forever, error_path=Path("chapter.md"))
    assert caught.value.path == Path("chapter.md")
    assert time.monotonic() - started < 8
    assert helper.closed and not helper._process.is_alive()

    helpers = [WarmProcess(lambda: None, name=f"hanji-test-{n}", job_timeout=1.0)
               for n in range(2)]
    try:
        with pytest.raises(HelperTimeout) as caught:
            run_spread(helpers, [(time.sleep, (0.1,), Path("a.md")),
                                 (_sleep_forever, (), Path("b.md"))])
        assert caught.value.path == Path("b.md")
    finally:
        for process in helpers:
            process.close()


_SLEEPER = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"


def _run_a_program(pid_file: str) -> None:
    from converter.diagrams import _bounded

    _bounded([sys.executable, "-c", _SLEEPER, pid_file], timeout=120)


def test_a_program_run_for_diagrams_ends_with_a_killed_hanji(tmp_path: Path) -> None:
    """Chromium (here a stand-in in its own session, as Chromium runs) dies with the process
    that started it, even a SIGKILLed one."""
    import multiprocessing

    pid_file = tmp_path / "pid"
    middle = multiprocessing.get_context("fork").Process(target=_run_a_program,
                                                         args=(str(pid_file),))
    middle.start()
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    program = int(pid_file.read_text())
    try:
        assert _alive({program}) == {program}
        os.kill(middle.pid, signal.SIGKILL)
        middle.join()
        time.sleep(2)
        assert _alive({program}) == set()
    finally:
        for pid in _alive({program}):
            os.kill(pid, signal.SIGKILL)


def _marked(marker: str) -> set[int]:
    """Running processes whose environment holds ``marker`` (children keep it, orphans too)."""
    found = set()
    needle = marker.encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return _alive(found)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="helpers start only with 2+ cores")
@pytest.mark.parametrize("when", ["0.3 s", "0.6 s", "1 s", "fork server starting"])
def test_sigkill_of_convert_in_its_first_second_leaves_nothing(
        site: SiteBuilder, tmp_path: Path, when: str) -> None:
    """Killed while still starting: at fixed times within the first second, and as soon as
    the fork server of a batch exists (it imports hanji for a second or more before it can arm
    anything, and outlived such a kill by as long as its imports took). Nothing hanji started
    runs 2 s later; the fork server is gone within 0.5 s (it used to import hanji first,
    a second or more).
    Processes are found by a marker in their environment, so one reparented before the test
    saw it is found too."""
    posts = [_long_post(site, f"2020-01-0{n + 1}-early.md", paragraphs=60) for n in range(2)]
    marker = f"HANJI_ORPHAN_TEST={os.getpid()}-{time.monotonic_ns()}"
    name, value = marker.split("=")
    process = subprocess.Popen([sys.executable, "-m", "converter", "convert", *map(str, posts),
                                "-o", str(tmp_path / "out"), "--cache-dir",
                                str(tmp_path / "cache"), "-j", "2"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, name: value})
    try:
        if when.endswith(" s"):
            time.sleep(float(when.split()[0]))
        else:
            deadline = time.monotonic() + 60
            while not any("multiprocessing.forkserver" in _cmdline(pid)
                          for pid in _marked(marker)):
                assert time.monotonic() < deadline and process.poll() is None, "no fork server"
                time.sleep(0.01)
        assert process.poll() is None, "the conversion ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        time.sleep(0.5 if when == "fork server starting" else 2.0)
        alive = _marked(marker)
        assert alive == set(), _describe(alive)
    finally:
        for pid in _marked(marker):  # never leave one behind, even when the test fails
            os.kill(pid, signal.SIGKILL)
