"""Batch conversion: many posts, each to its own files, in parallel, failures isolated.

A failing post never stops the others: its one-line reason is collected for the summary.
Library code: no printing here except through the ``console`` the CLI passes for progress.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api import ConversionResult, convert
from .errors import HanjiError
from .options import Options


@dataclass
class PostOutcome:
    """One post's result in a batch."""

    source: Path
    result: ConversionResult | None = None
    error: str | None = None


@dataclass
class BatchSummary:
    """Counts and per-post outcomes of a batch."""

    outcomes: list[PostOutcome] = field(default_factory=list)

    @property
    def converted(self) -> int:
        return sum(1 for o in self.outcomes if o.error is None)

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.error is not None)

    @property
    def warnings(self) -> int:
        return sum(len(o.result.warnings) for o in self.outcomes if o.result is not None)


def convert_one(source: Path, output_dir: Path, options: Options) -> PostOutcome:
    """Convert a post, turning any failure into a one-line reason."""
    try:
        return PostOutcome(source, result=convert(source, output_dir=output_dir, options=options))
    except HanjiError as exc:
        return PostOutcome(source, error=str(exc))
    except Exception as exc:  # one broken post must not stop the batch
        return PostOutcome(source, error=f"{source}: internal error: {type(exc).__name__}: {exc}")


def run_batch(posts: list[Path], *, output_dir: Path, options: Options, console: Any = None,
              quiet: bool = False) -> BatchSummary:
    """Convert ``posts`` with ``options.jobs`` worker processes and a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    summary = BatchSummary()
    jobs = options.jobs or (os.cpu_count() or 1)
    jobs = max(1, min(jobs, len(posts)))
    # Posts run in parallel; each post then prepares its own images serially.
    per_post = options.replace(jobs=1) if jobs > 1 else options
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, disable=quiet or console is None,
                        transient=True)
    with progress:
        task = progress.add_task("converting", total=len(posts))
        if jobs == 1:
            for source in posts:
                progress.update(task, description=source.name[:40])
                summary.outcomes.append(convert_one(source, output_dir, per_post))
                progress.advance(task)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = {pool.submit(convert_one, source, output_dir, per_post): source
                           for source in posts}
                for future in as_completed(futures):
                    try:
                        outcome = future.result()
                    except Exception as exc:  # a worker that died (e.g. killed by the OS)
                        outcome = PostOutcome(futures[future], error=f"{futures[future]}: worker failed: {exc}")
                    summary.outcomes.append(outcome)
                    progress.advance(task)
    order = {p: i for i, p in enumerate(posts)}
    summary.outcomes.sort(key=lambda o: order.get(o.source, 0))
    if console is not None:
        _print_summary(summary, console, quiet)
    return summary


def _print_summary(summary: BatchSummary, console: Any, quiet: bool) -> None:
    for outcome in summary.outcomes:
        if outcome.error:
            console.print(f"[red]failed[/red] {outcome.error}", markup=True, highlight=False)
        elif not quiet and outcome.result is not None:
            outputs = ", ".join(str(p) for p in outcome.result.paths)
            console.print(f"[green]ok[/green] {outputs}", markup=True, highlight=False)
    if not quiet or summary.failed:
        console.print(f"{summary.converted} converted, {summary.warnings} warnings, "
                      f"{summary.failed} failed", highlight=False)
