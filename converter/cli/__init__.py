"""The command line: argv → Options → api calls. The only package that prints or exits.

``hanji convert PATH... [-o OUTDIR] [--format pdf,epub] [--theme NAME] [-j N]``
``hanji book (BOOK.yml | PATH... --title T) [--category C] [--tag T] [-o OUTDIR]``
``hanji serve [TARGET] [--port N]``

Exit codes: 0 everything converted, 1 a post (or the book) failed, 2 a usage or
configuration error (checked before anything is converted), 70 an internal error (a bug),
130 interrupted. Colour and progress bars only on a terminal (and never
with ``NO_COLOR`` set); messages are plain single lines otherwise.

This package's ``main(argv) -> int`` runs the commands (one module each: convert, book,
serve) and turns every error into one line and an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from ..errors import ConfigError, HanjiError, ThemeError

# Each command module registers its command on the group when imported.
from . import book, convert, serve  # noqa: F401
from .flags import Globals, typed_flag
from .group import cli
from .ui import printable

__all__ = ["cli", "main"]


def _error_line(text: str) -> None:
    click.echo(printable(f"hanji: error: {text}"), err=True)


def _click_error_line(exc: click.ClickException, args: Sequence[str]) -> str:
    """A click usage error as one line naming the flag as typed (``-j: -1 is not …``,
    ``--theme: requires a value``, ``--bogus: no such option``), without click's usage text
    or help pointer."""
    flag: str | None = None
    text = exc.message
    if isinstance(exc, click.NoSuchOption):
        flag, text = exc.option_name, "no such option"
        if exc.possibilities:
            text += f" (did you mean {' or '.join(exc.possibilities)}?)"
    elif isinstance(exc, click.BadOptionUsage):
        # "Option '--theme' requires an argument." / "Option '--print' does not take a value."
        flag = exc.option_name
        text = text.replace(f"Option {exc.option_name!r} ", "", 1)
        text = text.replace("requires an argument", "requires a value")
    elif (isinstance(exc, click.BadParameter) and not isinstance(exc, click.MissingParameter)
            and exc.param is not None and exc.ctx is not None and exc.param.name):
        flag = typed_flag(exc.ctx.command, exc.param.name, args) or exc.param.name
        if isinstance(exc.param.type, click.IntRange | click.types.IntParamType):
            text = text.replace("is not a valid integer range", "is not a whole number")
            text = text.replace("is not a valid integer", "is not a whole number")
        elif isinstance(exc.param.type, click.FloatRange | click.types.FloatParamType):
            text = text.replace("is not a valid float range", "is not a number")
            text = text.replace("is not a valid float", "is not a number")
    else:
        text = exc.format_message()
    text = " ".join(text.split()).removesuffix(".")
    return f"{flag}: {text}" if flag else text


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
            _error_line(f"{where}{printable(repr(arg))} contains a NUL character")
            return 2
    try:
        # Without standalone mode click *returns* the code of ctx.exit(n) instead of raising.
        code = cli.main(args=args, prog_name="hanji", standalone_mode=False,
                        obj=Globals(args=args))
        if isinstance(code, int):
            return code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `hanji`: its help, as click does
        click.echo(exc.ctx.get_help(), err=True)
        return exc.exit_code
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
        click.echo(printable(f"hanji: internal error: {message} (run with --debug)"), err=True)
        return 70
    return 0


if __name__ == "__main__":
    sys.exit(main())
