"""The command line: argv → Options → api calls. The only module that prints or exits.

``hanji convert PATH... [-o OUTDIR] [--format pdf,epub] [--theme NAME] [-j N]``
``hanji book (BOOK.yml | PATH... --title T) [--category C] [--tag T] [-o OUTDIR]``

Exit codes: 0 everything converted, 1 a post (or the book) failed, 2 a usage or
configuration error, 130 interrupted. Colour and progress bars only on a terminal (and never
with ``NO_COLOR`` set); messages are plain single lines otherwise.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from . import __version__
from .errors import ConfigError, HanjiError, ThemeError

if TYPE_CHECKING:
    from rich.console import Console

    from .batch import BatchSummary, PostOutcome
    from .options import Options

log = logging.getLogger("converter")

#: Third-party loggers that are chatty at INFO; their warnings are ours to summarise.
_NOISY = ("weasyprint", "fontTools", "PIL")


class _Ui:
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
        console.print(text, style=style, markup=False, highlight=False)


def _setup_logging(ui: _Ui) -> None:
    """Warnings reach the user through the summary (collected per post), not as log lines;
    ``-vv`` shows every log record as it happens."""
    from rich.logging import RichHandler

    level = logging.DEBUG if ui.verbose > 1 else logging.ERROR
    handler = RichHandler(console=ui.err, show_time=False, show_path=False, markup=False,
                          rich_tracebacks=False)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("converter").setLevel(level)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.DEBUG if ui.verbose > 2 else logging.ERROR)


common_options = [
    click.option("-o", "--output", "output", type=click.Path(path_type=Path, file_okay=False),
                 default=Path("out"), show_default=True, help="Output folder."),
    click.option("--format", "formats", default=None, metavar="pdf,epub",
                 help="Comma-separated output formats (default: both)."),
    click.option("--theme", default=None, help="Theme name or folder (default: default)."),
    click.option("--css", "extra_css", multiple=True, type=click.Path(path_type=Path),
                 help="Extra CSS file (repeatable)."),
    click.option("--page-size", default=None,
                 help="A5, A4, B5, B6, Letter or 'W H' (default: the theme's, A5)."),
    click.option("--site", type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="Jekyll site root (default: nearest folder with _config.yml)."),
    click.option("--lang", default=None, help="Language tag (default: detected)."),
    click.option("--remote-images", type=click.Choice(["skip", "fetch"]), default=None,
                 help="Fetch remote http(s) images (default: skip)."),
    click.option("--allow-private-networks", is_flag=True, default=None,
                 help="With --remote-images fetch, also fetch from loopback/private addresses."),
    click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="Image cache folder (default: user cache dir)."),
    click.option("--no-cache", is_flag=True, help="Do not use the image cache."),
    click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                 help="Parallel worker processes (default: number of CPUs)."),
    click.option("--timeout", type=click.FloatRange(min=0), default=None,
                 help="Seconds allowed per post (default: 600; 0: no limit)."),
    click.option("--max-memory", "max_memory_mb", type=click.IntRange(min=0), default=None,
                 metavar="MB", help="Memory per worker process (default: 4096; 0: no limit)."),
    click.option("--follow-symlinks", is_flag=True, default=None,
                 help="Follow symlinks leading outside the site (default: refuse, as Jekyll's "
                      "safe mode)."),
]


def _apply(options: list[Any]) -> Any:
    def decorator(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorator


def _option_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """The option flags given on the command line, as an ``Options`` mapping."""
    data: dict[str, Any] = {}
    for key, value in flags.items():
        if key == "no_cache":
            if value:
                data["cache"] = False
        elif value is not None and value != ():
            data[key] = list(value) if isinstance(value, tuple) else value
    return data


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="hanji")
@click.option("-v", "--verbose", count=True,
              help="Show each warning and output (-vv: debug log).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """hanji: Jekyll posts → print-quality PDF and EPUB 3 books.

    \b
    hanji convert _posts/ -o out          each post → out/<post>.pdf and .epub
    hanji book site/ --title "My book"    many posts → out/my-book.pdf and .epub
    hanji book book.yml                   a book described in book.yml
    """
    ui = _Ui(verbose, quiet, debug)
    _setup_logging(ui)
    ctx.obj = ui


# --------------------------------------------------------------------------------- convert


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_apply(common_options)
@click.pass_obj
def convert(ui: _Ui, paths: tuple[Path, ...], output: Path, **flags: Any) -> None:
    """Convert each post to OUTDIR/<post file stem>.pdf and .epub.

    A folder means every post under it (the Markdown files in its _posts/ folders). Posts
    are converted in parallel (-j); one that fails is reported and the others go on.
    Exit code 1 when any post failed.
    """
    from .api import discover_posts
    from .batch import run_batch
    from .options import Options

    options = Options.from_mapping(_option_flags(flags))
    # A path that does not exist is one failed post (reported with the others), not a reason
    # to skip the posts that do exist.
    posts = [post for path in paths
             for post in (discover_posts([path]) if path.exists() else [path])]
    if not posts:
        raise click.UsageError("no posts found in " + ", ".join(map(str, paths)))
    with _BatchProgress(ui, len(posts)) as progress:
        summary = run_batch(posts, output_dir=output, options=options,
                            on_start=progress.started, on_done=progress.done)
    _print_batch_summary(ui, summary, output)
    raise click.exceptions.Exit(0 if summary.failed == 0 else 1)


class _BatchProgress:
    """A progress bar for a batch (on a terminal) and the per-post lines as posts finish."""

    def __init__(self, ui: _Ui, total: int) -> None:
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

    def __enter__(self) -> _BatchProgress:
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
        _print_outcome(self.ui, outcome, console=self.progress.console if self.ui.live else None)


def _print_outcome(ui: _Ui, outcome: PostOutcome, console: Console | None = None) -> None:
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
    warnings = outcome.warnings
    if ui.verbose:
        files = ", ".join(str(p) for p in outcome.result.paths) if outcome.result else ""
        pages = outcome.result.pages if outcome.result else None
        extra = f" ({pages} pages)" if pages else ""
        say(f"ok      {outcome.source.name} → {files}{extra}", style="green")
        for warning in warnings:
            say(f"  warning: {warning}", style="yellow")
    elif warnings:
        say(f"warning {outcome.source.name}: {_count(len(warnings), 'warning')} (-v to list)",
            style="yellow")


def _print_batch_summary(ui: _Ui, summary: BatchSummary, output: Path) -> None:
    failures = summary.failures
    if ui.quiet:
        return  # the failures were printed as they happened
    if failures and len(summary.outcomes) > 1:
        ui.line(f"{len(failures)} failed:", style="red bold")
        for outcome in failures:
            ui.line(f"  {outcome.error}", style="red")
    warned = sum(1 for o in summary.outcomes if o.warnings)
    style = "red" if failures else ("yellow" if summary.warnings else "green")
    where = f" in {_count(warned, 'post')}" if warned else ""
    ui.line(f"{summary.converted} converted, {_count(summary.warnings, 'warning')}{where}, "
            f"{summary.failed} failed "
            f"({_duration(summary.seconds)}) → {output}", style=style)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


# ------------------------------------------------------------------------------------ book


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="A book.yml describing the book (or give it as PATH).")
@click.option("--title", default=None, help="Book title (required without book.yml).")
@click.option("--subtitle", default=None, help="Subtitle, on the title page.")
@click.option("--author", default=None, help="Author (default: the site's).")
@click.option("--cover", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Cover image (default: a generated cover).")
@click.option("--category", "categories", multiple=True, help="Only posts in this category "
              "(repeatable: any of them).")
@click.option("--tag", "tags", multiple=True, help="Only posts with this tag (repeatable).")
@click.option("--from", "date_from", default=None, metavar="YYYY-MM-DD",
              help="Only posts dated on or after this day.")
@click.option("--to", "date_to", default=None, metavar="YYYY-MM-DD",
              help="Only posts dated on or before this day.")
@click.option("--glob", default=None, help="Only post files matching this pattern.")
@click.option("--sort", type=click.Choice(["date", "list"]), default=None,
              help="Chapter order: by date (default) or as listed.")
@click.option("--name", "output_name", default=None,
              help="Output file stem (default: slug of the title).")
@_apply(common_options)
@click.pass_obj
def book(ui: _Ui, paths: tuple[Path, ...], config_path: Path | None, output: Path,
         **flags: Any) -> None:
    """Build one book from many posts: OUTDIR/<slug of title>.pdf and .epub.

    PATHS are sites, folders or post files, filtered by --category, --tag, --from, --to and
    --glob; or a book.yml (see the README). The book has a cover, a title page, a table of
    contents and one chapter per post; links between its posts become internal links.
    """
    from .options import Options
    from .series import BookConfig, build_book

    book_keys = ("title", "subtitle", "author", "cover", "categories", "tags", "date_from",
                 "date_to", "glob", "sort", "output_name")
    book_flags = {("output" if k == "output_name" else k): flags.pop(k) for k in book_keys}
    book_data = _option_flags(book_flags)
    option_data = _option_flags(flags)
    yml = [p for p in paths if p.suffix.lower() in {".yml", ".yaml"} and p.is_file()]
    if config_path is None and len(yml) == 1:
        config_path = yml[0]
        paths = tuple(p for p in paths if p != config_path)
    if config_path is not None:
        config, file_options = BookConfig.load(config_path)
        if paths:
            book_data["sources"] = [str(p) for p in paths]
        config = config.updated(book_data)
        options = Options.from_mapping({**_options_dict(file_options), **option_data})
    else:
        if not paths:
            raise click.UsageError("give post folders or files (with --title), or a book.yml")
        if not book_data.get("title"):
            raise click.UsageError("--title is required without a book.yml")
        config, options = BookConfig.from_mapping({**book_data, **option_data,
                                                   "sources": [str(p) for p in paths]})
    started = time.perf_counter()
    with _BookProgress(ui) as progress:
        result = build_book(config, output_dir=output, options=options, progress=progress.update)
    elapsed = time.perf_counter() - started
    if ui.quiet:
        return
    if ui.verbose:
        for warning in result.warnings:
            ui.line(f"warning: {warning}", style="yellow")
    for path in result.paths:
        ui.line(f"ok      {path}", style="green")
    skipped = f", {_count(len(result.skipped), 'post')} skipped" if result.skipped else ""
    hint = " (-v to list)" if result.warnings and not ui.verbose else ""
    ui.line(f"{_count(result.chapters, 'chapter')}, {_count(result.pages or 0, 'page')}, "
            f"{_count(len(result.warnings), 'warning')}{hint}{skipped} ({_duration(elapsed)})",
            style="yellow" if result.warnings or result.skipped else "green")


def _options_dict(options: Options) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}


class _BookProgress:
    """One bar for the stages of a book: chapters, images, then each output format."""

    _LABELS: ClassVar[dict[str, str]] = {"chapters": "chapters", "images": "images",
                                         "pdf": "PDF layout", "epub": "EPUB"}

    def __init__(self, ui: _Ui) -> None:
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

    def __enter__(self) -> _BookProgress:
        return self  # the display starts with the first stage (see update)

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, stage: str, done: int, total: int) -> None:
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


# ------------------------------------------------------------------------------------ main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (errors are one line, no traceback unless --debug).

    0: done; 1: a post or the book failed; 2: usage or configuration error; 130: interrupted.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        # Without standalone mode click *returns* the code of ctx.exit(n) instead of raising.
        code = cli.main(args=args, prog_name="hanji", standalone_mode=False)
        if isinstance(code, int):
            return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("hanji: interrupted", err=True)
        return 130
    except (ConfigError, ThemeError) as exc:
        if debug:
            raise
        click.echo(f"hanji: error: {exc}", err=True)
        return 2
    except HanjiError as exc:
        if debug:
            raise
        click.echo(f"hanji: error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("hanji: interrupted", err=True)
        return 130
    except Exception as exc:  # last resort: never a traceback for users
        if debug:
            raise
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        click.echo(f"hanji: internal error: {message} (run with --debug)", err=True)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
