"""``hanji convert``: each post to its own PDF and EPUB, in parallel, with a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .flags import apply_options, checked_options, common_options, option_flags
from .group import cli, with_ui
from .progress import BatchProgress
from .ui import Ui, print_batch_summary


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@apply_options(common_options)
@with_ui
def convert(ui: Ui, paths: tuple[Path, ...], output: Path, report: Path | None,
            **flags: Any) -> None:
    """Convert each post to OUTDIR/<post file stem>.pdf and .epub.

    A folder means every post under it (the Markdown files in its _posts/ folders). Posts
    are converted in parallel (-j); one that fails is reported and the others go on.
    Exit code 1 when any post failed; 2 (before anything is converted) for a bad option.
    """
    from ..api import discover_posts
    from ..batch import run_batch

    options = checked_options(option_flags(flags), output, report=report)
    # A path that does not exist is one failed post (reported with the others), not a reason
    # to skip the posts that do exist.
    posts = [post for path in paths
             for post in (discover_posts([path]) if path.exists() else [path])]
    if not posts:
        raise click.UsageError("no posts found in " + ", ".join(map(str, paths)))
    with BatchProgress(ui, len(posts)) as progress:
        summary = run_batch(posts, output_dir=output, options=options,
                            on_start=progress.started, on_done=progress.done)
    if report is not None:
        from ..report import batch_report, write_report

        write_report(report, batch_report(summary))
    print_batch_summary(ui, summary, output)
    raise click.exceptions.Exit(0 if summary.failed == 0 else 1)
