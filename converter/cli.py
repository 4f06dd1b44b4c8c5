"""The command line: argv → Options → api calls. The only module that prints or exits.

``hanji convert PATH... [-o OUTDIR] [--format pdf,epub] [--theme NAME] [-j N]``
``hanji book (BOOK.yml | PATH... --title T) [--category C] [--tag T] [-o OUTDIR]``

Exit codes: 0 everything converted, 1 a post (or the book) failed, 2 a usage or
configuration error (checked before anything is converted), 70 an internal error (a bug),
130 interrupted. Colour and progress bars only on a terminal (and never
with ``NO_COLOR`` set); messages are plain single lines otherwise.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
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
    from .diagnostics import BuildWarning
    from .options import Options
    from .series import BookConfig

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
        console.print(_printable(text), style=style, markup=False, highlight=False)


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
    click.option("--no-cover", is_flag=True, help="No cover page (and no EPUB cover image)."),
    click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                 help="Parallel worker processes (default: number of CPUs)."),
    click.option("--timeout", type=click.FloatRange(min=0), default=None,
                 help="Seconds allowed per post (default: 600; 0: no limit)."),
    click.option("--max-memory", "max_memory_mb", type=click.IntRange(min=0), default=None,
                 metavar="MB", help="Memory per worker process (default: 4096; 0: no limit)."),
    click.option("--follow-symlinks", is_flag=True, default=None,
                 help="Follow symlinks leading outside the site (default: refuse, as Jekyll's "
                      "safe mode)."),
    click.option("--report", type=click.Path(path_type=Path, dir_okay=False), default=None,
                 metavar="FILE.json", help="Write every outcome and warning to this JSON file."),
    # The print profile (converter.options.PrintOptions; `print:` in book.yml and themes).
    click.option("--print", "print_enabled", is_flag=True, default=None,
                 help="Print-ready PDF: PDF/X-4, 3 mm bleed, a book's cover as "
                      "<stem>-cover.pdf, a preflight report."),
    click.option("--trim", "print_trim", default=None, metavar="SIZE",
                 help="Trim size: 신국판|singuk, 국판|guk, 46판|46, 크라운판|crown, "
                      "46배판|46bae, A5, B5 or 'W H' (mm)."),
    click.option("--bleed", "print_bleed", default=None, metavar="3mm",
                 help="Bleed beyond the trim (default: 3mm with --print)."),
    click.option("--marks", "print_marks", type=click.Choice(["none", "crop"]), default=None,
                 help="Crop marks (default: none)."),
    click.option("--gray", "print_gray", is_flag=True, default=None,
                 help="Black-and-white interior."),
    click.option("--pdf-standard", "print_standard",
                 type=click.Choice(["pdf/x-4", "pdf/a-2b", "pdf/a-3b", "none"]), default=None,
                 help="PDF standard (default: pdf/x-4 with --print, else none)."),
    click.option("--recto-chapters", "print_recto_chapters", is_flag=True, default=None,
                 help="Start chapters on right-hand pages."),
    click.option("--pad-to", "print_pad_to", type=int, default=None, metavar="N",
                 help="Pad the page count to a multiple of N (2, 4, 16…) with blank pages."),
    click.option("--paper", "print_paper", default=None,
                 help="Interior paper for the spine: mojo80, mojo100, bulky70, snow100 or the "
                      "leaf thickness in mm."),
]


def _apply(options: list[Any]) -> Any:
    def decorator(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorator


def _checked_options(data: dict[str, Any], output: Path | None,
                     keys: dict[str, str] | None = None, report: Path | None = None) -> Options:
    """Options from flags, checked with everything they point at (theme, CSS files, output
    and cache folders, the report file) before any work: a mistake is one ConfigError naming
    the flag."""
    from .options import Options
    from .preflight import check_build, check_writable_folder

    ctx = click.get_current_context()
    try:
        options = Options.from_mapping(data)
        check_build(options, output)
        if report is not None:
            if report.is_dir():
                raise ConfigError("", key="report", detail=f"{report} is a folder")
            check_writable_folder(report.parent, "report")
    except ConfigError as exc:
        raise _flag_error(ctx, exc, keys) from None
    return options


def _option_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """The option flags given on the command line, as an ``Options`` mapping."""
    data: dict[str, Any] = {}
    for key, value in flags.items():
        if key.startswith("print_"):
            if value is not None:
                data.setdefault("print", {})[key.removeprefix("print_")] = value
        elif key == "no_cache":
            if value:
                data["cache"] = False
        elif key == "no_cover":
            if value:
                data["cover_page"] = False
        elif value is not None and value != ():
            data[key] = list(value) if isinstance(value, tuple) else value
    return data


@dataclasses.dataclass
class _Globals:
    """The raw arguments and the global flags given before the subcommand."""

    args: list[str]
    verbose: int = 0
    quiet: bool = False
    debug: bool = False


#: Flags accepted before or after the subcommand (``hanji -v convert`` = ``hanji convert -v``).
global_options = [
    click.option("-v", "--verbose", count=True,
                 help="Show each warning and output (-vv: debug log)."),
    click.option("-q", "--quiet", is_flag=True, help="Only errors."),
    click.option("--debug", is_flag=True, help="Show tracebacks for errors."),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="hanji")
@_apply(global_options)
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """hanji: Jekyll posts → print-quality PDF and EPUB 3 books.

    \b
    hanji convert _posts/ -o out          each post → out/<post>.pdf and .epub
    hanji book site/ --title "My book"    many posts → out/my-book.pdf and .epub
    hanji book book.yml                   a book described in book.yml
    hanji book book.yml --dry-run         list the posts the book would take

    \b
    Exit codes: 0 done; 1 a post or the book failed; 2 a usage or configuration error
    (nothing was converted); 70 an internal error (a bug); 130 interrupted.
    """
    if not isinstance(ctx.obj, _Globals):
        ctx.obj = _Globals(args=[])
    ctx.obj.verbose, ctx.obj.quiet, ctx.obj.debug = verbose, quiet, debug


def _with_ui(command: Any) -> Any:
    """Accept the global flags after the subcommand too; pass a ``_Ui`` made of both."""
    @functools.wraps(command)
    def run(verbose: int, quiet: bool, debug: bool, **kwargs: Any) -> Any:
        given = click.get_current_context().find_object(_Globals) or _Globals(args=[])
        ui = _Ui(given.verbose + verbose, given.quiet or quiet, given.debug or debug)
        _setup_logging(ui)
        return command(ui, **kwargs)

    return _apply(global_options)(run)


def _flag_error(ctx: click.Context, exc: ConfigError,
                keys: dict[str, str] | None = None) -> ConfigError:
    """The error about a flag's value, naming the flag as the user typed it (``--from``, not
    ``key 'date_from'``). ``keys`` maps schema keys to parameter names where they differ."""
    if exc.key is None or exc.path is not None:
        return exc
    key = re.sub(r"\[\d+\]$", "", exc.key.removeprefix("options."))
    name = (keys or {}).get(key, key.replace(".", "_") if key.startswith("print.") else key)
    given = ctx.find_object(_Globals)
    flag = _typed_flag(ctx.command, name, given.args if given else [])
    if flag is None:
        return exc
    return ConfigError(f"{flag}: {exc.detail}", key=exc.key, detail=exc.detail)


def _typed_flag(command: click.Command, name: str, args: Sequence[str]) -> str | None:
    """How the user spelled the option ``name`` (its last use), e.g. ``-o`` or ``--output``."""
    for param in command.params:
        if param.name != name:
            continue
        if not isinstance(param, click.Option):
            return param.human_readable_name
        spellings = [*param.opts, *param.secondary_opts]
        typed = None
        for token in args:
            if token == "--":
                break
            for opt in spellings:
                if (token == opt or (opt.startswith("--") and token.startswith(opt + "="))
                        or (not opt.startswith("--") and not token.startswith("--")
                            and token.startswith(opt))):
                    typed = opt
        return typed or max(spellings, key=len)
    return None


# --------------------------------------------------------------------------------- convert


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_apply(common_options)
@_with_ui
def convert(ui: _Ui, paths: tuple[Path, ...], output: Path, report: Path | None,
            **flags: Any) -> None:
    """Convert each post to OUTDIR/<post file stem>.pdf and .epub.

    A folder means every post under it (the Markdown files in its _posts/ folders). Posts
    are converted in parallel (-j); one that fails is reported and the others go on.
    Exit code 1 when any post failed; 2 (before anything is converted) for a bad option.
    """
    from .api import discover_posts
    from .batch import run_batch

    options = _checked_options(_option_flags(flags), output, report=report)
    # A path that does not exist is one failed post (reported with the others), not a reason
    # to skip the posts that do exist.
    posts = [post for path in paths
             for post in (discover_posts([path]) if path.exists() else [path])]
    if not posts:
        raise click.UsageError("no posts found in " + ", ".join(map(str, paths)))
    with _BatchProgress(ui, len(posts)) as progress:
        summary = run_batch(posts, output_dir=output, options=options,
                            on_start=progress.started, on_done=progress.done)
    if report is not None:
        from .report import batch_report, write_report

        write_report(report, batch_report(summary))
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
        self.total = total
        self.finished = 0
        self.started_at = time.perf_counter()

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
        self.finished += 1
        if not self.ui.live and not self.ui.quiet:
            # No bar without a terminal (CI, cron): one plain line per post instead.
            state = "ok" if outcome.ok else "failed"
            if outcome.ok and outcome.warnings:
                state += f" ({_count(len(outcome.warnings), 'warning')})"
            width = len(str(self.total))
            self.ui.line(f"[{self.finished:>{width}}/{self.total}] "
                         f"{_duration(time.perf_counter() - self.started_at):>8}  "
                         f"{outcome.source.name}: {state} in {_duration(outcome.seconds)}",
                         error=True)
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
    report = getattr((outcome.result.outputs if outcome.result else {}).get("pdf"), "report",
                     None)
    if report:
        from .press.preflight import summary_lines

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
    _print_warning_groups(ui, [w for o in summary.outcomes for w in o.warnings])
    warned = sum(1 for o in summary.outcomes if o.warnings)
    style = "red" if failures else ("yellow" if summary.warnings else "green")
    where = f" in {_count(warned, 'post')}" if warned else ""
    ui.line(f"{summary.converted} converted, {_count(summary.warnings, 'warning')}{where}, "
            f"{summary.failed} failed "
            f"({_duration(summary.seconds)}) → {output}", style=style)


def _print_warning_groups(ui: _Ui, warnings: Sequence[BuildWarning]) -> None:
    """The warnings grouped by kind, most frequent first: a count and the first three each."""
    from .diagnostics import group_warnings

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
@click.option("--dry-run", is_flag=True,
              help="List the posts the book would take, in order, without building it.")
@_apply(common_options)
@_with_ui
def book(ui: _Ui, paths: tuple[Path, ...], config_path: Path | None, output: Path,
         dry_run: bool, report: Path | None, **flags: Any) -> None:
    """Build one book from many posts: OUTDIR/<slug of title>.pdf and .epub.

    PATHS are sites, folders or post files, filtered by --category, --tag, --from, --to and
    --glob; or a book.yml (see the README). The book has a cover, a title page, a table of
    contents and one chapter per post; links between its posts become internal links.
    """
    from .series import BookConfig, build_book

    ctx = click.get_current_context()
    book_keys = ("title", "subtitle", "author", "cover", "categories", "tags", "date_from",
                 "date_to", "glob", "sort", "output_name")
    book_flags = {("output" if k == "output_name" else k): flags.pop(k) for k in book_keys}
    book_data = _option_flags(book_flags)
    option_data = _option_flags(flags)
    # Schema keys → the parameters that set them, where the names differ.
    keys = {"output": "output_name", "sources": "paths", "cache": "no_cache",
            "cover_page": "no_cover"}
    yml = [p for p in paths if p.suffix.lower() in {".yml", ".yaml"} and p.is_file()]
    if config_path is None and len(yml) == 1:
        config_path = yml[0]
        paths = tuple(p for p in paths if p != config_path)
    try:
        if config_path is not None:
            config, file_options = BookConfig.load(config_path)
            if paths:
                book_data["sources"] = [str(p) for p in paths]
            config = config.updated(book_data)
            if "print" in option_data:  # flags refine the book.yml's print: mapping
                option_data["print"] = {**_print_dict(file_options), **option_data["print"]}
            option_data = {**_options_dict(file_options), **option_data}
        else:
            if not paths:
                raise click.UsageError("give post folders or files (with --title), or a book.yml")
            if not book_data.get("title"):
                raise click.UsageError("--title is required without a book.yml")
            config, _ = BookConfig.from_mapping({**book_data,
                                                 "sources": [str(p) for p in paths]})
    except ConfigError as exc:
        raise _flag_error(ctx, exc, keys) from None
    options = _checked_options(option_data, output, keys, report=report)
    if dry_run:
        _print_dry_run(ui, config, options, output, source=config_path)
        return
    started = time.perf_counter()
    try:
        with _BookProgress(ui) as progress:
            result = build_book(config, output_dir=output, options=options,
                                progress=progress.update)
    except HanjiError as exc:
        if report is not None:
            from .report import book_report, write_report

            write_report(report, book_report(None, title=config.title, error=str(exc),
                                             seconds=time.perf_counter() - started))
        raise
    elapsed = time.perf_counter() - started
    if report is not None:
        from .report import book_report, write_report

        write_report(report, book_report(result, title=config.title, seconds=elapsed))
    if ui.quiet:
        return
    if ui.verbose:
        for warning in result.warnings:
            ui.line(f"warning: {warning}", style="yellow")
    _print_warning_groups(ui, result.warnings)
    for path in result.paths:
        ui.line(f"ok      {path}", style="green")
    _print_preflight(ui, result.outputs)
    skipped = f", {_count(len(result.skipped), 'post')} skipped" if result.skipped else ""
    hint = " (-v to list)" if result.warnings and not ui.verbose else ""
    pages = f"{_count(result.pages, 'page')}, " if result.pages else ""  # no PDF: no pages
    ui.line(f"{_count(result.chapters, 'chapter')}, {pages}"
            f"{_count(len(result.warnings), 'warning')}{hint}{skipped} ({_duration(elapsed)})",
            style="yellow" if result.warnings or result.skipped else "green")


def _print_dict(options: Options) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(options.print, f.name) for f in dataclasses.fields(options.print)
            if getattr(options.print, f.name) is not None}


def _print_preflight(ui: _Ui, outputs: dict[str, Any]) -> None:
    """The preflight report of a print-ready PDF, after the build (also written as JSON)."""
    from .press.preflight import summary_lines

    result = outputs.get("pdf")
    report = getattr(result, "report", None)
    if not report:
        return
    for line in summary_lines(report):
        style = "red" if "error:" in line else ("yellow" if "warning:" in line else None)
        ui.line(line, style=style)
    ui.line(f"preflight report: {report['path']}")


def _print_dry_run(ui: _Ui, config: BookConfig, options: Options, output: Path, *,
                   source: Path | None) -> None:
    """The posts the book would take, in chapter order (date, title, path); nothing built."""
    from .diagnostics import Diagnostics
    from .series import select_posts

    diagnostics = Diagnostics()
    posts = select_posts(config, diagnostics, max_post_bytes=options.max_post_bytes)
    if not posts:
        raise ConfigError("no posts selected for the book (check the filters)", path=source)
    width = len(str(len(posts)))
    for number, post in enumerate(posts, start=1):
        date = post.date.isoformat() if post.date else "(no date)".ljust(10)
        title = " ".join(post.title.split()) or post.source.stem
        ui.out.print(f"{number:>{width}}  {date}  {title}  {post.source}", markup=False,
                     highlight=False)
    for warning in diagnostics.warnings:
        ui.line(f"warning: {warning}", style="yellow", error=True)
    files = ", ".join(str(output / f"{config.stem}.{fmt}") for fmt in options.formats)
    if not ui.quiet:
        ui.line(f"{_count(len(posts), 'chapter')} → {files} (dry run: nothing built)",
                error=True)


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
        self.ui = ui
        self.started_at = time.perf_counter()
        self.last: dict[str, int] = {}

    def __enter__(self) -> _BookProgress:
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
        elapsed = _duration(time.perf_counter() - self.started_at)
        self.ui.line(f"[{elapsed:>8}] {text}", error=True)


# ----------------------------------------------------------------------------------- serve


@cli.command()
@click.argument("target", required=False, default=Path("."), type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (anything but loopback exposes the preview).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.option("--theme", default=None, help="Theme name or folder (default: default).")
@click.option("--css", "extra_css", multiple=True, type=click.Path(path_type=Path),
              help="Extra CSS file (repeatable; watched too).")
@click.option("--page-size", default=None, help="A5, A4, B5, B6, Letter or 'W H'.")
@click.option("--site", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Jekyll site root (default: nearest folder with _config.yml).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Image and layout cache folder (default: user cache dir).")
@_with_ui
def serve(ui: _Ui, target: Path, port: int, host: str, open_browser: bool,
          **flags: Any) -> None:
    """Live preview of a post, a site folder or a book.yml while you write.

    Serves the posts' EPUB reading view and PDF pages on http://127.0.0.1:PORT/ and updates
    the open pages when a post, image, _config.yml, include or theme file is saved.
    """
    from .options import Options
    try:
        from .serve import LOOPBACK
        from .serve import serve as run_server
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("converter"):
            raise
        raise click.ClickException(f"hanji serve needs the 'serve' extra: pip install "
                                   f"'hanji[serve]' ({exc.name} is missing)") from None
    options = Options.from_mapping(_option_flags(flags))
    if host not in LOOPBACK:
        ui.line(f"warning: serving on {host}: anyone who can reach this address can read the "
                "site's posts and images", style="yellow", error=True)
    if not target.exists():
        raise click.UsageError(f"no such file or folder: {target}")

    def ready(url: str) -> None:
        ui.line(f"hanji serve: {target} at {url} (Ctrl-C stops)")
        if open_browser:
            import webbrowser
            webbrowser.open(url)

    run_server(target, options=options, host=host, port=port, on_ready=ready,
               log_level="info" if ui.verbose > 1 else "warning")


# ------------------------------------------------------------------------------------ main


def _printable(text: str) -> str:
    """``text`` with what cannot be written as UTF-8 (lone surrogates from a file name or a
    YAML escape) shown as escapes, so that reporting an error never fails."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error_line(text: str) -> None:
    click.echo(_printable(f"hanji: error: {text}"), err=True)


def _click_error_line(exc: click.ClickException, args: Sequence[str]) -> str:
    """A click usage error as one line, naming the flag as typed (``-j: -1 is not …``)."""
    if (isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter)
            and exc.param is not None and exc.ctx is not None and exc.param.name):
        flag = _typed_flag(exc.ctx.command, exc.param.name, args) or exc.param.name
        text = f"{flag}: {exc.message}"
    else:
        text = exc.format_message()
    text = " ".join(text.split())
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        text += f" (see '{exc.ctx.command_path} --help')"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (errors are one line, no traceback unless --debug).

    0: done; 1: a post or the book failed; 2: usage or configuration error (nothing
    converted); 70: internal error; 130: interrupted.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    for index, arg in enumerate(args):
        # A shell cannot pass one, but a caller of main() can; no file name holds one.
        if "\x00" in arg:
            before = args[index - 1] if index and args[index - 1].startswith("-") else ""
            flag = before if before and "=" not in before else arg.split("=", 1)[0]
            where = f"{flag}: " if flag.startswith("-") else ""
            _error_line(f"{where}{_printable(repr(arg))} contains a NUL character")
            return 2
    try:
        # Without standalone mode click *returns* the code of ctx.exit(n) instead of raising.
        code = cli.main(args=args, prog_name="hanji", standalone_mode=False,
                        obj=_Globals(args=args))
        if isinstance(code, int):
            return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        _error_line(_click_error_line(exc, args))
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("hanji: interrupted", err=True)
        return 130
    except (ConfigError, ThemeError) as exc:
        if debug:
            raise
        _error_line(str(exc))
        return 2
    except HanjiError as exc:
        if debug:
            raise
        _error_line(str(exc))
        return 1
    except KeyboardInterrupt:
        click.echo("hanji: interrupted", err=True)
        return 130
    except Exception as exc:  # last resort: never a traceback for users
        if debug:
            raise
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        click.echo(_printable(f"hanji: internal error: {message} (run with --debug)"), err=True)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
