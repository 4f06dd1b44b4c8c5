"""Helper processes: how to start them, and a process warmed up ahead of its one job.

On a 2-core laptop the slow parts of a conversion are CPU-bound Python (WeasyPrint's imports
and layout) and image decoding, so hanji spreads them over processes, never threads:

* :func:`helper_context` picks the start method. On Linux, while this process runs a single
  thread, children are *forked*: a fork costs milliseconds and inherits every imported module,
  where a spawned interpreter spends 0.5-0.75 s of CPU importing hanji again. With other threads
  running (a caller's thread pool, a progress bar) forking is unsafe, so the ``forkserver``
  method (else ``spawn``) is used instead.
* :class:`WarmProcess` starts a child that runs a warm-up function at once (the PDF writer's is
  ``import weasyprint``, over a second) and then runs the jobs sent later, one at a time. The
  warm-up overlaps whatever this process does meanwhile: building the book, preparing images.
* :func:`run_spread` spreads many jobs (a book's chapters) over several warm processes.

Every child arms :func:`~converter.lifetime.die_with_parent` (no orphan survives a killed
hanji) and :func:`~converter.lifetime.limit_memory` first thing.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Self, TypeVar

from .errors import HanjiError, OutputError
from .lifetime import FORK_SERVER_PARENT, _stop, die_with_parent, limit_memory

log = logging.getLogger(__name__)

T = TypeVar("T")


class HelperDied(OutputError):
    """A helper process ended without answering (killed, crashed, or could not start)."""


class HelperTimeout(OutputError):
    """A job ran past the helper's ``job_timeout`` (the ``timeout`` option); the helper
    was stopped."""


def helper_context() -> BaseContext:
    """The multiprocessing context for helper processes started now (see the module doc)."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return fork_server_context()
    return multiprocessing.get_context("spawn")


def worker_context() -> BaseContext:
    """The context for a pool of batch workers: ``forkserver`` where there is one, else
    ``spawn`` (not ``fork``: workers are replaced every so many posts, which
    ``ProcessPoolExecutor`` refuses with fork).

    The fork server imports hanji once and forks each worker warm, so a worker arms
    :func:`die_with_parent` within milliseconds of starting; a spawned one imports hanji first
    (seconds on a loaded machine) and would outlive a parent killed meanwhile.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        return fork_server_context()
    return multiprocessing.get_context("spawn")


def fork_server_context() -> BaseContext:
    """The ``forkserver`` context, its server running (started now if need be).

    The server imports hanji once; each child forked from it then starts warm. It is started
    here, with this process's pid in :data:`~converter.lifetime.FORK_SERVER_PARENT` (for it
    alone), so that it ends with this process even when killed while it still imports
    (:mod:`converter._forkserver`).
    """
    import multiprocessing.forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["converter", "converter._forkserver"])
    os.environ[FORK_SERVER_PARENT] = str(os.getpid())
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        del os.environ[FORK_SERVER_PARENT]
    return context


def forks(context: BaseContext) -> bool:
    """Whether ``context`` starts children cheaply (a fork that inherits loaded modules)."""
    return context.get_start_method() == "fork"


def may_start_helpers() -> bool:
    """False inside a daemonic process (which may have no children) or on a single core."""
    return not multiprocessing.current_process().daemon and (os.cpu_count() or 1) > 1


def _serve(conn: Connection, warm_up: Callable[[], None], parent: int | None = None,
           memory_mb: int = 0, watch: int | None = None, kernel: bool = True) -> None:
    """The child: warm up, then run each job received and send back its outcome, until the
    parent sends ``None`` or goes away.

    A terminated child (the parent gave up on it) unwinds like an interrupted one, so a job
    writing through :func:`~converter.writers.base.atomic_output` removes its temporary file.
    Ctrl-C is the parent's to handle (it then stops the child): the child ignores SIGINT, so
    an interrupted conversion prints no traceback from here.
    """
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent, watch, kernel=kernel)
    limit_memory(memory_mb)
    try:
        warm_up()
    except Exception:  # the job itself will fail and say why
        log.debug("warm-up failed", exc_info=True)
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError, KeyboardInterrupt):
                return  # the parent no longer needs us
            if message is None:
                return
            job, args = message
            try:
                outcome: tuple[str, Any] = ("ok", job(*args))
            except HanjiError as exc:
                outcome = ("hanji", (type(exc), exc.message, exc.path, exc.line, exc.column))
            except MemoryError:
                outcome = ("error", f"out of memory (option max_memory_mb = {memory_mb})")
            except SystemExit:
                raise  # stopped (SIGTERM: closed by the parent, or the parent died): end here
            except BaseException as exc:  # noqa: BLE001 - reported to the parent as one line
                outcome = ("error", f"{type(exc).__name__}: {exc}")
            try:
                conn.send(outcome)
            except (OSError, ValueError):
                return
    finally:
        conn.close()


class WarmProcess:
    """A child process that warms up now and runs jobs later, one at a time.

    ``run(job, *args)`` sends a module-level function and picklable arguments, waits, and
    returns the result; a :class:`~converter.errors.HanjiError` raised by the job is raised
    again here with its path and line. :meth:`close` (or the ``with`` block) ends the child:
    an idle one is told to exit, a busy one is stopped.
    """

    def __init__(self, warm_up: Callable[[], None], *, name: str = "hanji-helper",
                 context: BaseContext | None = None, memory_mb: int = 0,
                 job_timeout: float = 0) -> None:
        context = context or helper_context()
        #: Seconds a job may run before :meth:`result` stops the process (0: no limit).
        self.job_timeout = job_timeout
        self._started = 0.0
        self._conn, child_conn = context.Pipe()
        # A forked child's parent is this process; one from the forkserver has the server
        # (which ends when this process does) as its parent.
        parent = os.getpid() if forks(context) else None
        self._process = context.Process(  # type: ignore[attr-defined]  # concrete contexts have it
            target=_serve, args=(child_conn, warm_up, parent, memory_mb, os.getpid(),
                                 threading.current_thread() is threading.main_thread()),
            name=name,
            daemon=True)
        self._process.start()
        child_conn.close()
        self._busy = False
        self._closed = False
        self._stopped = False
        self._error_path: Path | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return str(self._process.name)

    @property
    def closed(self) -> bool:
        """Whether the process takes no more jobs (closed, or found dead)."""
        return self._closed

    @property
    def busy(self) -> bool:
        """Whether a submitted job has not been collected by :meth:`result` yet."""
        return self._busy

    @property
    def connection(self) -> Connection:
        """The pipe to the child: readable when a submitted job has finished."""
        return self._conn

    def submit(self, job: Callable[..., Any], *args: Any, error_path: Path | None = None) -> None:
        """Send ``job(*args)`` to the child; :meth:`result` waits for it."""
        if self._closed or self._busy:
            raise RuntimeError("this WarmProcess is closed or still running a job")
        self._busy = True
        self._error_path = error_path
        self._started = time.monotonic()
        try:
            self._conn.send((job, args))
        except (OSError, ValueError):
            pass  # the child died; result() says so

    def result(self) -> Any:
        """The submitted job's result; its :class:`HanjiError` (or a one-line
        :class:`OutputError` for anything else) is raised here; a job running past
        :attr:`job_timeout` stops the process and raises :class:`HelperTimeout`."""
        remaining = self.remaining()
        if remaining is not None and not self._poll(remaining):
            self._busy = False
            self._closed = True
            self._process.terminate()  # unwinds the job: its temporary files go
            self._process.join(timeout=2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
            self._conn.close()
            raise HelperTimeout(f"took longer than {self.job_timeout:g} s (option timeout)",
                                path=self._error_path)
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            self._closed = True
            self._conn.close()
            self._process.join(timeout=5)
            code = self._process.exitcode
            raise HelperDied(f"the {self._process.name} process died (exit code {code})",
                             path=self._error_path) from None
        finally:
            self._busy = False
        if kind == "ok":
            return value
        if kind == "hanji":
            cls, message, path, line, column = value
            raise cls(message, path=path, line=line, column=column)
        raise OutputError(value, path=self._error_path)

    def remaining(self) -> float | None:
        """Seconds the running job has left before :attr:`job_timeout` (None: no limit)."""
        if not self.job_timeout or not self._busy:
            return None
        return max(0.0, self._started + self.job_timeout - time.monotonic())

    def _poll(self, seconds: float) -> bool:
        try:
            return self._conn.poll(seconds)
        except (EOFError, OSError):
            return True  # recv() then reports the dead child

    def run(self, job: Callable[..., T], *args: Any, error_path: Path | None = None) -> T:
        """Run ``job(*args)`` in the child and return its result (see the class doc)."""
        self.submit(job, *args, error_path=error_path)
        return self.result()  # type: ignore[no-any-return]

    def close(self) -> None:
        """End the child: an idle one exits when told to, a busy one is terminated (a thread
        waiting for its result then gets :class:`HelperDied`, with :attr:`stopped` set)."""
        idle = False
        if not self._closed:
            self._closed = True
            self._stopped = True
            if not self._busy:
                try:
                    self._conn.send(None)
                    idle = True
                except (OSError, ValueError):
                    pass
        if idle:
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()

    @property
    def stopped(self) -> bool:
        """Whether :meth:`close` was called (rather than the child dying on its own)."""
        return self._stopped


#: One call for :func:`run_spread`: a module-level function, its arguments, and the file an
#: error should name.
Call = tuple[Callable[..., Any], tuple[Any, ...], Path | None]


def run_spread(processes: Sequence[WarmProcess], calls: Iterable[Call]) -> list[Any]:
    """Run ``calls`` on ``processes``, each process taking the next call when it is free, and
    return the results in the order of ``calls``.

    ``calls`` is read lazily, one call whenever a process is free: a generator that prepares
    each call (say, a chapter's HTML) lets the first ones run while it makes the next.
    A call whose process dies on its own (:class:`HelperDied`) is run in this process instead,
    and that process takes no more calls; with no process at all, every call runs here. Once
    the caller has closed a process (it gave up), :class:`HelperDied` is raised instead. The
    first :class:`HanjiError` raised by a call is raised here (the caller closes the processes),
    :class:`HelperTimeout` too when a call runs past its process's ``job_timeout``.
    """
    if any(p.stopped for p in processes):  # the caller has given up (Ctrl-C, an error)
        raise HelperDied("the helper processes were stopped")
    results: dict[int, Any] = {}
    upcoming = enumerate(calls)
    live = [p for p in processes if not p.busy and not p.closed]
    running: dict[WarmProcess, tuple[int, Call]] = {}
    more = True
    while True:
        for process in live:
            if more and process not in running:
                item = next(upcoming, None)
                if item is None:
                    more = False
                    break
                job, args, error_path = item[1]
                process.submit(job, *args, error_path=error_path)
                running[process] = item
        if not running:  # no process left (or none at all): the rest runs here
            item = next(upcoming, None) if more else None
            if item is None:
                break
            index, (job, args, _) = item
            results[index] = job(*args)
            continue
        limits = [r for r in (p.remaining() for p in running) if r is not None]
        ready = wait([p.connection for p in running], timeout=min(limits) if limits else None)
        # A process past its job timeout is collected too: result() then stops it and raises.
        for process in [p for p in running if p.connection in ready or p.remaining() == 0]:
            index, (job, args, _) = running.pop(process)
            try:
                results[index] = process.result()
            except HelperDied as exc:
                if process.stopped:  # closed by this process: the work is abandoned
                    raise
                log.warning("%s; running its job in this process instead", exc.message)
                live.remove(process)
                results[index] = job(*args)
    return [results[index] for index in range(len(results))]
