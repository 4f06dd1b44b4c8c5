"""Progress while the commands work: a bar on a terminal, plain timed lines otherwise, for a
batch of posts (``convert``) and for the stages of a book (``book``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .ui import Ui, count, duration, print_outcome

if TYPE_CHECKING:
    from ..batch import PostOutcome


class BatchProgress:
    """A progress bar for a batch (on a terminal) and the per-post lines as posts finish."""

    def __init__(self, ui: Ui, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.ui = ui
        self.progress = Progress(TextColumn("[bold]converting"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("eta"), TimeRemainingColumn(),
                                 TextColumn("{task.description}"),
                                 console=ui.err, disable=not ui.live, transient=True,
                                 # No refresh thread for one post: it converts in this process,
                                 # whose helpers are forked only while it has a single thread.
                                 auto_refresh=total > 1)
        self.task = self.progress.add_task("", total=total)
        self.running: list[str] = []
        self.total = total
        self.finished = 0
        self.started_at = time.perf_counter()

    def __enter__(self) -> BatchProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def started(self, source: Path) -> None:
        self.running.append(source.name)
        self.progress.update(self.task, description=", ".join(self.running)[:60])

    def done(self, outcome: PostOutcome) -> None:
        if outcome.source.name in self.running:
            self.running.remove(outcome.source.name)
        self.progress.update(self.task, advance=1, description=", ".join(self.running)[:60])
        self.finished += 1
        if not self.ui.live and not self.ui.quiet:
            # No bar without a terminal (CI, cron): one plain line per post instead.
            state = "ok" if outcome.ok else "failed"
            if outcome.ok and outcome.warnings:
                state += f" ({count(len(outcome.warnings), 'warning')})"
            width = len(str(self.total))
            self.ui.line(f"[{self.finished:>{width}}/{self.total}] "
                         f"{duration(time.perf_counter() - self.started_at):>8}  "
                         f"{outcome.source.name}: {state} in {duration(outcome.seconds)}",
                         error=True)
        print_outcome(self.ui, outcome, console=self.progress.console if self.ui.live else None)


class BookProgress:
    """One bar for the stages of a book: chapters, images, then each output format."""

    _LABELS: ClassVar[dict[str, str]] = {"chapters": "chapters", "images": "images",
                                         "pdf": "PDF layout", "epub": "EPUB"}

    def __init__(self, ui: Ui) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"),
                                 BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                 console=ui.err, disable=not ui.live, transient=True)
        self.tasks: dict[str, Any] = {}
        self.live = False
        self.ui = ui
        self.started_at = time.perf_counter()
        self.last: dict[str, int] = {}

    def __enter__(self) -> BookProgress:
        return self  # the display starts with the first stage (see update)

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.ui.live:
            self._plain(stage, done, total)
            return
        if not self.live:
            # Started only now: the book's PDF helper has been forked by then, before the
            # display's refresh thread exists (forking is cheap only while single-threaded).
            self.progress.__enter__()
            self.live = True
        task = self.tasks.get(stage)
        if task is None:
            task = self.tasks[stage] = self.progress.add_task(self._LABELS.get(stage, stage),
                                                              total=total or None)
        self.progress.update(task, completed=done, total=total or None)

    def _plain(self, stage: str, done: int, total: int) -> None:
        """Without a terminal (CI, cron): a line per chapter built and per stage started or
        finished, with the time since the start."""
        if self.ui.quiet or self.last.get(stage) == done:
            return
        self.last[stage] = done
        label = self._LABELS.get(stage, stage)
        if stage == "chapters":
            if done == 0:
                return
            text = f"chapter {done}/{total}"
        elif done == 0:
            text = f"{label}: started" + (f" ({total})" if stage == "images" and total else "")
        else:
            text = f"{label}: done"
        elapsed = duration(time.perf_counter() - self.started_at)
        self.ui.line(f"[{elapsed:>8}] {text}", error=True)
