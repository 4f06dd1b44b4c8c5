"""The ``hanji`` click group and its global flags (``-v``, ``-q``, ``--debug``), which each
command also accepts after its name and receives as a ``Ui``."""

from __future__ import annotations

import functools
from typing import Any

import click

from .. import __version__
from .flags import Globals, apply_options, global_options
from .ui import Ui, setup_logging


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="hanji")
@apply_options(global_options)
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
    if not isinstance(ctx.obj, Globals):
        ctx.obj = Globals(args=[])
    ctx.obj.verbose, ctx.obj.quiet, ctx.obj.debug = verbose, quiet, debug


def with_ui(command: Any) -> Any:
    """Accept the global flags after the subcommand too; pass a ``Ui`` made of both."""
    @functools.wraps(command)
    def run(verbose: int, quiet: bool, debug: bool, **kwargs: Any) -> Any:
        given = click.get_current_context().find_object(Globals) or Globals(args=[])
        ui = Ui(given.verbose + verbose, given.quiet or quiet, given.debug or debug)
        setup_logging(ui)
        return command(ui, **kwargs)

    return apply_options(global_options)(run)
