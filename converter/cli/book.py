"""``hanji book``: many posts (or a book.yml) to one book; flags merged over the book.yml,
a dry run listing the chapters, and the build's summary."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError, HanjiError
from .flags import apply_options, checked_options, common_options, flag_error, option_flags
from .group import cli, with_ui
from .progress import BookProgress
from .ui import Ui, count, duration, print_preflight, print_warning_groups

if TYPE_CHECKING:
    from ..options import Options
    from ..series import BookConfig


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
@apply_options(common_options)
@with_ui
def book(ui: Ui, paths: tuple[Path, ...], config_path: Path | None, output: Path,
         dry_run: bool, report: Path | None, **flags: Any) -> None:
    """Build one book from many posts: OUTDIR/<slug of title>.pdf and .epub.

    PATHS are sites, folders or post files, filtered by --category, --tag, --from, --to and
    --glob; or a book.yml (see the README). The book has a cover, a title page, a table of
    contents and one chapter per post; links between its posts become internal links.
    """
    from ..series import BookConfig, build_book

    ctx = click.get_current_context()
    book_keys = ("title", "subtitle", "author", "cover", "categories", "tags", "date_from",
                 "date_to", "glob", "sort", "output_name")
    book_flags = {("output" if k == "output_name" else k): flags.pop(k) for k in book_keys}
    book_data = option_flags(book_flags)
    option_data = option_flags(flags)
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
        raise flag_error(ctx, exc, keys) from None
    options = checked_options(option_data, output, keys, report=report)
    if dry_run:
        _print_dry_run(ui, config, options, output, source=config_path)
        return
    started = time.perf_counter()
    try:
        with BookProgress(ui) as progress:
            result = build_book(config, output_dir=output, options=options,
                                progress=progress.update)
    except HanjiError as exc:
        if report is not None:
            from ..report import book_report, write_report

            write_report(report, book_report(None, title=config.title, error=str(exc),
                                             seconds=time.perf_counter() - started))
        raise
    elapsed = time.perf_counter() - started
    if report is not None:
        from ..report import book_report, write_report

        write_report(report, book_report(result, title=config.title, seconds=elapsed))
    if ui.quiet:
        return
    if ui.verbose:
        for warning in result.warnings:
            ui.line(f"warning: {warning}", style="yellow")
    print_warning_groups(ui, result.warnings)
    for path in result.paths:
        ui.line(f"ok      {path}", style="green")
    print_preflight(ui, result.outputs)
    skipped = f", {count(len(result.skipped), 'post')} skipped" if result.skipped else ""
    hint = " (-v to list)" if result.warnings and not ui.verbose else ""
    pages = f"{count(result.pages, 'page')}, " if result.pages else ""  # no PDF: no pages
    ui.line(f"{count(result.chapters, 'chapter')}, {pages}"
            f"{count(len(result.warnings), 'warning')}{hint}{skipped} ({duration(elapsed)})",
            style="yellow" if result.warnings or result.skipped else "green")


def _print_dict(options: Options) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(options.print, f.name) for f in dataclasses.fields(options.print)
            if getattr(options.print, f.name) is not None}


def _print_dry_run(ui: Ui, config: BookConfig, options: Options, output: Path, *,
                   source: Path | None) -> None:
    """The posts the book would take, in chapter order (date, title, path); nothing built."""
    from ..diagnostics import Diagnostics
    from ..series import select_posts

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
        ui.line(f"{count(len(posts), 'chapter')} → {files} (dry run: nothing built)",
                error=True)


def _options_dict(options: Options) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
