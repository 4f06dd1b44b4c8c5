"""What the commands print: the UI object (consoles, verbosity), logging set-up, and the
lines that sum up a post, a batch or a book (outcomes, grouped warnings, preflight).

Only the command line prints; this module knows how to say things, not which command runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from ..batch import BatchSummary, PostOutcome
    from ..diagnostics import BuildWarning

#: Third-party loggers that are chatty at INFO; their warnings are ours to summarise.
_NOISY = ("weasyprint", "fontTools", "PIL")


class Ui:
    """What the commands print to, at which verbosity."""

    def __init__(self, verbose: int, quiet: bool, debug: bool) -> None:
        from rich.console import Console

        self.verbose = 0 if quiet else verbose
        self.quiet = quiet
        self.debug = debug
        # soft_wrap: a message is one line however long (a failed post is one line, for grep).
        # Rich turns colour off when the stream is not a terminal or NO_COLOR is set.
        self.out = Console(soft_wrap=True, highlight=False)
        self.err = Console(stderr=True, soft_wrap=True, highlight=False)

    @property
    def live(self) -> bool:
        """Whether to draw progress bars (a terminal, and not -q)."""
        return not self.quiet and self.err.is_terminal

    def line(self, text: str, *, style: str | None = None, error: bool = False) -> None:
        """One line of the summary (errors go to stderr)."""
        console = self.err if error else self.out
        console.print(printable(text), style=style, markup=False, highlight=False)


def setup_logging(ui: Ui) -> None:
    """Warnings reach the user through the summary (collected per post), not as log lines;
    ``-vv`` shows every record of hanji's own loggers as it happens, ``-vvv`` everyone's
    (ziafont logs each glyph it positions to the root logger: thousands of lines a formula)."""
    from rich.logging import RichHandler

    level = logging.DEBUG if ui.verbose > 1 else logging.ERROR
    handler = RichHandler(console=ui.err, show_time=False, show_path=False, markup=False,
                          rich_tracebacks=False)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if ui.verbose > 2
                  else logging.WARNING if ui.verbose > 1 else logging.ERROR)
    logging.getLogger("converter").setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.DEBUG if ui.verbose > 2 else logging.ERROR)


def printable(text: str) -> str:
    """``text`` with what cannot be written as UTF-8 (lone surrogates from a file name or a
    YAML escape) shown as escapes, so that reporting an error never fails."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def print_outcome(ui: Ui, outcome: PostOutcome, console: Console | None = None) -> None:
    """A post's line as it finishes: failures always; warnings as a count (each with -v);
    successful posts with -v."""
    def say(text: str, style: str | None = None, error: bool = False) -> None:
        if console is not None:  # above the live progress bar
            console.print(text, style=style, markup=False, highlight=False)
        else:
            ui.line(text, style=style, error=error)

    if not outcome.ok:
        say(f"failed  {outcome.error}", style="red", error=ui.quiet)
        return
    if ui.quiet:
        return
    report = getattr((outcome.result.outputs if outcome.result else {}).get("pdf"), "report",
                     None)
    if report:
        from ..press.preflight import summary_lines

        for line in summary_lines(report):
            say(line, style="red" if "error:" in line else None)
    warnings = outcome.warnings
    if ui.verbose:
        files = ", ".join(str(p) for p in outcome.result.paths) if outcome.result else ""
        pages = outcome.result.pages if outcome.result else None
        extra = f" ({pages} pages)" if pages else ""
        say(f"ok      {outcome.source.name} → {files}{extra}", style="green")
        for warning in warnings:
            say(f"  warning: {warning}", style="yellow")
    elif warnings:
        say(f"warning {outcome.source.name}: {count(len(warnings), 'warning')} (-v to list)",
            style="yellow")


def print_batch_summary(ui: Ui, summary: BatchSummary, output: Path) -> None:
    failures = summary.failures
    if ui.quiet:
        return  # the failures were printed as they happened
    if failures and len(summary.outcomes) > 1:
        ui.line(f"{len(failures)} failed:", style="red bold")
        for outcome in failures:
            ui.line(f"  {outcome.error}", style="red")
    print_warning_groups(ui, [w for o in summary.outcomes for w in o.warnings])
    warned = sum(1 for o in summary.outcomes if o.warnings)
    style = "red" if failures else ("yellow" if summary.warnings else "green")
    where = f" in {count(warned, 'post')}" if warned else ""
    ui.line(f"{summary.converted} converted, {count(summary.warnings, 'warning')}{where}, "
            f"{summary.failed} failed "
            f"({duration(summary.seconds)}) → {output}", style=style)


def print_warning_groups(ui: Ui, warnings: Sequence[BuildWarning]) -> None:
    """The warnings grouped by kind, most frequent first: a count and the first three each."""
    from ..diagnostics import group_warnings

    if not warnings or ui.quiet:
        return
    groups = group_warnings(warnings, examples=3)
    ui.line("warnings: " + ", ".join(f"{g.count} {g.kind}" for g in groups), style="yellow")
    for group in groups:
        ui.line(f"  {group.kind} ({group.count})", style="yellow")
        for warning in group.examples:
            ui.line(f"    {warning}")
        if group.count > len(group.examples):
            more = group.count - len(group.examples)
            ui.line(f"    … and {more} more" + ("" if ui.verbose else " (-v to list)"))


def print_preflight(ui: Ui, outputs: dict[str, Any]) -> None:
    """The preflight report of a print-ready PDF, after the build (also written as JSON)."""
    from ..press.preflight import summary_lines

    result = outputs.get("pdf")
    report = getattr(result, "report", None)
    if not report:
        return
    for line in summary_lines(report):
        style = "red" if "error:" in line else ("yellow" if "warning:" in line else None)
        ui.line(line, style=style)
    ui.line(f"preflight report: {report['path']}")
