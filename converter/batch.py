"""Batch conversion: many posts, each to its own files, in parallel, failures isolated.

A failing post never stops the others: its one-line reason is collected for the summary.
A post that takes longer than ``Options.timeout`` seconds is stopped and reported as failed
(where the platform has ``SIGALRM``: the alarm interrupts the conversion in the process that
runs it, the worker then goes on with the next post). A post that kills its worker process
(a crash, the out-of-memory killer) is retried once on its own, then reported as failed; the
posts that were running beside it are converted again.

Library code: nothing here prints. Callers follow the batch through ``on_start`` /
``on_done`` callbacks; log records of the worker processes are handed to this process's
logging, so the caller's handlers (the CLI's) show them.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import ConversionResult, convert
from .diagnostics import BuildWarning
from .errors import HanjiError
from .lifetime import die_with_parent, limit_memory
from .options import Options
from .processes import worker_context

#: Loggers whose levels the worker processes copy from this one.
_LOGGERS = ("", "converter", "weasyprint", "fontTools", "PIL")
#: Posts a worker process converts before it is replaced (bounds memory growth).
_TASKS_PER_WORKER = 50


@dataclass
class PostOutcome:
    """One post's result in a batch: the conversion result, or a one-line reason."""

    source: Path
    result: ConversionResult | None = None
    error: str | None = None
    #: Output file stem (``OUTDIR/<name>.pdf``).
    name: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def warnings(self) -> list[BuildWarning]:
        return list(self.result.warnings) if self.result is not None else []


@dataclass
class BatchSummary:
    """Counts and per-post outcomes of a batch (in the order the posts were given)."""

    outcomes: list[PostOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def converted(self) -> int:
        return sum(1 for o in self.outcomes if o.ok)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)

    @property
    def warnings(self) -> int:
        return sum(len(o.warnings) for o in self.outcomes)

    @property
    def failures(self) -> list[PostOutcome]:
        return [o for o in self.outcomes if not o.ok]


#: Seconds between alarms once a post is past its time (:func:`time_limit`).
_ALARM_REPEAT = 0.5


class PostTimeout(BaseException):
    """Raised by the alarm when a post runs out of time.

    A ``BaseException``, like ``KeyboardInterrupt``: the stages' ``except Exception`` handlers
    (which turn a library's failure into a warning) must not swallow it.
    """


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`PostTimeout` in this thread after ``seconds`` (no-op where impossible:
    no ``SIGALRM``, not the main thread, or a non-positive limit).

    The alarm repeats every :data:`_ALARM_REPEAT` seconds until the block ends: a signal
    handler's exception that lands in a finaliser (``__del__``, a weakref or gc callback) is
    printed and dropped by Python, and a single alarm lost that way let a book's slow chapter
    run on for minutes.
    """
    if (seconds <= 0 or not hasattr(signal, "SIGALRM")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    armed = [True]

    def expire(signum: int, frame: object) -> None:
        if armed[0]:
            raise PostTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, _ALARM_REPEAT)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def convert_one(source: Path, output_dir: Path, options: Options,
                name: str | None = None) -> PostOutcome:
    """Convert a post within ``options.timeout``, turning any failure into a one-line reason."""
    started = time.perf_counter()
    outcome = PostOutcome(source, name=name or source.stem)
    try:
        with time_limit(options.timeout):
            outcome.result = convert(source, output_dir=output_dir, options=options, name=name)
    except PostTimeout:
        outcome.error = str(HanjiError(
            f"timed out after {options.timeout:g} s (option timeout)", path=source))
    except HanjiError as exc:
        outcome.error = str(exc)
    except RecursionError:
        outcome.error = f"{source}: nested too deeply to convert"
    except MemoryError:
        outcome.error = str(HanjiError(
            f"out of memory (option max_memory_mb = {options.max_memory_mb})", path=source))
    except Exception as exc:  # noqa: BLE001 - one broken post must not stop the batch
        outcome.error = _one_line(f"{source}: internal error: {type(exc).__name__}: {exc}")
    outcome.seconds = time.perf_counter() - started
    return outcome


def output_names(posts: Sequence[Path]) -> dict[Path, str]:
    """Output file stems: the post's own stem, made unique where two posts share it.

    The first of ``a/_posts/x.md`` and ``b/_posts/x.md`` keeps ``x``, the second becomes
    ``x-b`` (its folders below the ones they share; else a number): no output overwrites
    another.
    """
    groups: dict[str, list[Path]] = {}
    for post in posts:
        groups.setdefault(post.stem.casefold(), []).append(post)
    names: dict[Path, str] = {}
    taken: set[str] = {key for key in groups}
    for post in posts:
        group = groups[post.stem.casefold()]
        if post == group[0]:
            names[post] = post.stem
            continue
        common = Path(os.path.commonpath([str(p.resolve().parent) for p in group]))
        folders = [f for f in post.resolve().parent.relative_to(common).parts if f != "_posts"]
        name = "-".join([post.stem, *folders]) if folders else f"{post.stem}-2"
        base, counter = name, 2
        while name.casefold() in taken:
            name = f"{base}-{counter}"
            counter += 1
        taken.add(name.casefold())
        names[post] = name
    return names


StartCallback = Callable[[Path], None]
DoneCallback = Callable[[PostOutcome], None]


def run_batch(posts: Sequence[Path], *, output_dir: str | os.PathLike[str], options: Options,
              on_start: StartCallback | None = None,
              on_done: DoneCallback | None = None) -> BatchSummary:
    """Convert every post to ``output_dir/<stem>.pdf|.epub`` with ``options.jobs`` processes.

    ``options.jobs`` 0 means one per CPU. Several posts run in worker processes (even with
    ``jobs=1``: a post that crashes its process must not take the batch down); a single
    post converts in this process.
    ``on_start(path)`` and ``on_done(outcome)`` are called in this process as posts start
    and finish. Never raises for a post's failure: see :attr:`BatchSummary.failures`.
    """
    started = time.perf_counter()
    output = Path(output_dir)
    names = output_names(posts)
    jobs = max(1, min(options.jobs or (os.cpu_count() or 1), len(posts)))
    # Posts run in parallel; each post then prepares its own images in its own process.
    per_post = options.replace(jobs=1) if jobs > 1 else options
    if len(posts) <= 1:
        outcomes = []
        for source in posts:
            if on_start:
                on_start(source)
            outcome = convert_one(source, output, per_post, names[source])
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
    else:
        outcomes = _in_processes(posts, BatchPlan(output, per_post, names, jobs, on_start,
                                                  on_done))
    order = {p: i for i, p in enumerate(posts)}
    outcomes.sort(key=lambda o: order.get(o.source, 0))
    return BatchSummary(outcomes=outcomes, seconds=time.perf_counter() - started)


Work = Callable[[Path, Path, Options, str], PostOutcome]


@dataclass
class BatchPlan:
    """How the posts of a batch run in worker processes: where their outputs go, with which
    options and output names, how many at once, whom to tell as posts start and finish, and
    the ``work`` run per post (a module-level function: it is pickled)."""

    output: Path
    options: Options
    names: dict[Path, str]
    jobs: int
    on_start: StartCallback | None = None
    on_done: DoneCallback | None = None
    work: Work = convert_one


@dataclass
class _Workers:
    """What every pool of a batch starts its workers with: the process start method, the
    queue their log records come back through, this process's log levels and the address
    space each worker may use (MB, 0: no limit)."""

    context: Any
    records: Any
    levels: dict[str, int]
    memory_mb: int = 0

    def pool(self, workers: int, **kwargs: Any) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=self.context,
                                   initializer=_worker_init,
                                   initargs=(self.records, self.levels, _parent(self.context),
                                             self.memory_mb, os.getpid()), **kwargs)


def _in_processes(posts: Sequence[Path], plan: BatchPlan) -> list[PostOutcome]:
    """Run posts in a pool, at most ``plan.jobs`` submitted at a time, so that when a worker
    dies we know which posts were in flight: the others are untouched and carry on."""
    context = worker_context()
    workers = _Workers(context, context.Queue(),
                       {name: logging.getLogger(name).getEffectiveLevel() for name in _LOGGERS},
                       plan.options.max_memory_mb)
    listener = logging.handlers.QueueListener(workers.records, _Redispatch())
    outcomes: list[PostOutcome] = []
    waiting = list(posts)
    suspects: list[Path] = []  # in flight when a worker died: retried alone
    listener.start()
    try:
        while waiting:
            broken = _pool_round(waiting, plan, workers, outcomes)
            suspects.extend(broken.in_flight)
            waiting = broken.not_started
        for source in suspects:
            outcome = _alone(source, plan, workers)
            outcomes.append(outcome)
            if plan.on_done:
                plan.on_done(outcome)
    finally:
        listener.stop()
        workers.records.close()
    return outcomes


@dataclass
class _Broken:
    in_flight: list[Path] = field(default_factory=list)
    not_started: list[Path] = field(default_factory=list)


def _pool_round(posts: list[Path], plan: BatchPlan, workers: _Workers,
                outcomes: list[PostOutcome]) -> _Broken:
    """Convert ``posts`` until done or until the pool breaks (outcomes to ``outcomes``); say
    what is left."""
    queue = list(reversed(posts))
    running: dict[Future[PostOutcome], Path] = {}
    with workers.pool(plan.jobs, max_tasks_per_child=_TASKS_PER_WORKER) as pool, \
            _stop_on_interrupt(pool):
        while queue or running:
            while queue and len(running) < plan.jobs:
                source = queue.pop()
                try:
                    future = pool.submit(plan.work, source, plan.output, plan.options,
                                         plan.names[source])
                except BrokenProcessPool:
                    queue.append(source)
                    return _Broken(list(running.values()), list(reversed(queue)))
                running[future] = source
                if plan.on_start:
                    plan.on_start(source)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            died = False
            for future in done:
                source = running.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    running[future] = source
                    died = True
                    continue
                outcomes.append(outcome)
                if plan.on_done:
                    plan.on_done(outcome)
            if died:
                return _Broken(list(running.values()), list(reversed(queue)))
    return _Broken()


def _alone(source: Path, plan: BatchPlan, workers: _Workers) -> PostOutcome:
    """Retry one post in a fresh process of its own: if that dies too, the post is at fault."""
    if plan.on_start:
        plan.on_start(source)
    started = time.perf_counter()
    name = plan.names[source]
    with workers.pool(1) as pool:
        try:
            with _stop_on_interrupt(pool):
                return pool.submit(plan.work, source, plan.output, plan.options, name).result()
        except BrokenProcessPool:
            return PostOutcome(source, name=name, seconds=time.perf_counter() - started,
                               error=f"{source}: the converting process died (crashed, or "
                                     "killed: out of memory?)")


@contextlib.contextmanager
def _stop_on_interrupt(pool: ProcessPoolExecutor) -> Iterator[None]:
    """On Ctrl-C, stop the workers now instead of waiting for their posts to finish."""
    try:
        yield
    except KeyboardInterrupt:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


class _Redispatch(logging.Handler):
    """Hands a worker's log record to the logger of the same name in this process."""

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - handle() does it
        pass


def _parent(context: Any) -> int | None:
    """The pid a worker's parent has: this process's, or the fork server's (None: the
    worker's own parent at start)."""
    return os.getpid() if context.get_start_method() == "spawn" else None


def _worker_init(records: Any, levels: dict[str, int], parent: int | None = None,
                 memory_mb: int = 0, batch: int | None = None) -> None:
    """In a worker process: send log records to the parent, at the parent's levels; end
    with the parent and with the ``batch`` process (even a killed one); use at most
    ``memory_mb`` of address space."""
    die_with_parent(parent, batch)
    limit_memory(memory_mb)
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    # Ctrl-C is the parent's to handle: it stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


__all__ = ["BatchPlan", "BatchSummary", "PostOutcome", "PostTimeout", "convert_one", "output_names",
           "run_batch", "time_limit"]
