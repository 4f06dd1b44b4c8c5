"""The command line: argv → Options → api calls. The only module that prints or exits.

``hanji convert PATH... [-o OUTDIR] [--format pdf,epub] [--theme NAME] [--site DIR] [-j N]``
``hanji book PATH... --title T [-o OUTDIR]`` (see ``hanji book --help``)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import HanjiError

log = logging.getLogger("converter")


def _options_from_flags(**flags: Any) -> Any:
    from .options import Options

    data = {k: v for k, v in flags.items() if v not in (None, (), "")}
    return Options.from_mapping(data)


def _setup_logging(verbose: int, quiet: bool, console: Any) -> None:
    from rich.logging import RichHandler

    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                          logging.INFO if verbose == 1 else logging.WARNING)
    handler = RichHandler(console=console, show_time=False, show_path=False, markup=False,
                          rich_tracebacks=False)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # WeasyPrint and fontTools are chatty at INFO; their warnings are ours to summarise.
    for noisy in ("weasyprint", "fontTools", "PIL"):
        logging.getLogger(noisy).setLevel(logging.ERROR if verbose < 2 else logging.DEBUG)


class _Context:
    def __init__(self, debug: bool) -> None:
        self.debug = debug


common_options = [
    click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("out"),
                 show_default=True, help="Output folder."),
    click.option("--format", "formats", default=None, help="Comma-separated formats: pdf,epub."),
    click.option("--theme", default=None, help="Theme name or folder (default: default)."),
    click.option("--css", "extra_css", multiple=True, type=click.Path(path_type=Path),
                 help="Extra CSS file (repeatable)."),
    click.option("--page-size", default=None, help="A5 (default), A4, B5, B6, Letter or 'W H'."),
    click.option("--site", type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="Jekyll site root (default: nearest folder with _config.yml)."),
    click.option("--lang", default=None, help="Language tag (default: detected)."),
    click.option("--remote-images", type=click.Choice(["skip", "fetch"]), default=None,
                 help="Fetch remote http(s) images (default: skip)."),
    click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="Image cache folder (default: user cache dir)."),
    click.option("--no-cache", is_flag=True, help="Do not use the image cache."),
    click.option("-j", "--jobs", type=int, default=None,
                 help="Parallel workers (default: number of CPUs)."),
]


def _apply(options: list[Any]) -> Any:
    def decorator(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorator


def _build_options(config: dict[str, Any] | None = None, **flags: Any) -> Any:
    from .options import Options

    no_cache = flags.pop("no_cache", False)
    data: dict[str, Any] = dict(config or {})
    for key, value in flags.items():
        if value is None or value == () or value == "":
            continue
        data[key] = list(value) if isinstance(value, tuple) else value
    if no_cache:
        data["cache"] = False
    return Options.from_mapping(data)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hanji")
@click.option("-v", "--verbose", count=True, help="More output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """hanji: Jekyll posts → print-quality PDF and EPUB 3 books."""
    from rich.console import Console

    console = Console(stderr=True)
    _setup_logging(verbose, quiet, console)
    ctx.obj = {"debug": debug, "quiet": quiet, "console": console}


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_apply(common_options)
@click.pass_context
def convert(ctx: click.Context, paths: tuple[Path, ...], output: Path, **flags: Any) -> None:
    """Convert each post to OUTDIR/<post file stem>.pdf and .epub.

    A directory means every post under it (its _posts/ folders).
    """
    from .batch import run_batch

    options = _build_options(**flags)
    from .api import discover_posts

    posts = discover_posts(paths)
    if not posts:
        raise HanjiError("no posts found", path=paths[0])
    summary = run_batch(posts, output_dir=output, options=options,
                        console=ctx.obj["console"], quiet=ctx.obj["quiet"])
    ctx.exit(0 if summary.failed == 0 else 1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="A book.yml describing the book.")
@click.option("--title", default=None, help="Book title (required without --config).")
@click.option("--subtitle", default=None)
@click.option("--author", default=None)
@click.option("--cover", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--category", "categories", multiple=True, help="Only posts in this category.")
@click.option("--tag", "tags", multiple=True, help="Only posts with this tag.")
@click.option("--from", "date_from", default=None, help="Only posts on/after YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Only posts on/before YYYY-MM-DD.")
@click.option("--glob", default=None, help="Only post files matching this pattern.")
@click.option("--name", "output_name", default=None, help="Output file stem (default: title slug).")
@_apply(common_options)
@click.pass_context
def book(ctx: click.Context, paths: tuple[Path, ...], config_path: Path | None, output: Path,
         **flags: Any) -> None:
    """Build one book from many posts: OUTDIR/<slug of title>.pdf and .epub.

    PATHS are sites, folders or post files; or give --config book.yml.
    """
    from .series import BookConfig, build_book

    book_keys = ("title", "subtitle", "author", "cover", "categories", "tags", "date_from",
                 "date_to", "glob")
    book_flags = {k: flags.pop(k) for k in book_keys}
    output_name = flags.pop("output_name")
    if config_path is not None:
        config, file_options = BookConfig.load(config_path)
        options = _build_options(_options_dict(file_options), **flags)
        data = {k: v for k, v in book_flags.items() if v not in (None, ())}
        if paths:
            data["sources"] = [str(p) for p in paths]
        if output_name:
            data["output"] = output_name
        if data:
            import dataclasses

            config = dataclasses.replace(config, **_coerce_book(data))
    else:
        if not paths:
            raise click.UsageError("give post folders or files, or --config book.yml")
        if not book_flags["title"]:
            raise click.UsageError("--title is required without --config")
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in book_flags.items()
                if v not in (None, ())}
        data["sources"] = [str(p) for p in paths]
        if output_name:
            data["output"] = output_name
        config, _ = BookConfig.from_mapping(data)
        options = _build_options(**flags)
    console = ctx.obj["console"]
    with console.status("building the book…", spinner="dots") if not ctx.obj["quiet"] else _null():
        result = build_book(config, output_dir=output, options=options)
    for warning in result.warnings:
        log.debug("%s", warning)
    if not ctx.obj["quiet"]:
        for path in result.paths:
            console.print(f"[green]ok[/green] {path}", markup=True, highlight=False)
        console.print(f"{result.chapters} chapters, {result.pages or '-'} pages, "
                      f"{len(result.warnings)} warnings", highlight=False)


def _options_dict(options: Any) -> dict[str, Any]:
    import dataclasses

    return {k: (list(v) if isinstance(v, tuple) else v)
            for k, v in dataclasses.asdict(options).items() if v is not None}


def _coerce_book(data: dict[str, Any]) -> dict[str, Any]:
    from .options import validate_fields
    from .series import BookConfig

    return validate_fields(BookConfig, {k: list(v) if isinstance(v, tuple) else v
                                        for k, v in data.items()}, source=None)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (errors are one line, no traceback unless --debug)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="hanji", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("hanji: aborted", err=True)
        return 130
    except HanjiError as exc:
        if debug:
            raise
        click.echo(f"hanji: error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("hanji: interrupted", err=True)
        return 130
    except Exception as exc:  # last resort: never a traceback for users
        if debug:
            raise
        click.echo(f"hanji: internal error: {type(exc).__name__}: {exc} (run with --debug)", err=True)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
