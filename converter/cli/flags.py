"""The flags the commands share: click option declarations (common and global), flags →
``Options`` mapping checked before any work, and errors that name the flag as typed."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..options import Options


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
    click.option("--limit", "limits", multiple=True, metavar="NAME=VALUE",
                 help="Set a limit option (repeatable), e.g. --limit max_post_bytes=400000; "
                      "the max_* and liquid_* options of README 'Limits and safety'."),
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


def apply_options(options: list[Any]) -> Any:
    def decorator(fn: Any) -> Any:
        for option in reversed(options):
            fn = option(fn)
        return fn

    return decorator


def checked_options(data: dict[str, Any], output: Path | None,
                    keys: dict[str, str] | None = None, report: Path | None = None) -> Options:
    """Options from flags, checked with everything they point at (theme, CSS files, output
    and cache folders, the report file) before any work: a mistake is one ConfigError naming
    the flag."""
    from ..options import Options
    from ..preflight import check_build, check_writable_folder

    ctx = click.get_current_context()
    try:
        options = Options.from_mapping(data)
        check_build(options, output)
        if report is not None:
            if report.is_dir():
                raise ConfigError("", key="report", detail=f"{report} is a folder")
            check_writable_folder(report.parent, "report")
    except ConfigError as exc:
        raise flag_error(ctx, exc, keys) from None
    return options


def option_flags(flags: dict[str, Any]) -> dict[str, Any]:
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
        elif key == "limits":
            data.update(_limits(value or ()))
        elif value is not None and value != ():
            data[key] = list(value) if isinstance(value, tuple) else value
    return data


def _limits(items: Sequence[str]) -> dict[str, int | float]:
    """``--limit NAME=VALUE`` flags as options (checked by ``Options`` like book.yml keys)."""
    data: dict[str, int | float] = {}
    for item in items:
        name, _, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not name.startswith(("max_", "liquid_")) or not raw.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE with a max_* or liquid_* "
                                     "option", param_hint="'--limit'")
        try:
            data[name] = int(raw.replace(",", "").replace("_", ""))
        except ValueError:
            try:
                data[name] = float(raw)
            except ValueError:
                raise click.BadParameter(f"{item!r}: {raw!r} is not a number",
                                         param_hint="'--limit'") from None
    return data


@dataclasses.dataclass
class Globals:
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


def flag_error(ctx: click.Context, exc: ConfigError,
               keys: dict[str, str] | None = None) -> ConfigError:
    """The error about a flag's value, naming the flag as the user typed it (``--from``, not
    ``key 'date_from'``). ``keys`` maps schema keys to parameter names where they differ."""
    if exc.key is None or exc.path is not None:
        return exc
    key = re.sub(r"\[\d+\]$", "", exc.key.removeprefix("options."))
    name = (keys or {}).get(key, key.replace(".", "_") if key.startswith("print.") else key)
    given = ctx.find_object(Globals)
    flag = typed_flag(ctx.command, name, given.args if given else [])
    if flag is None:
        return exc
    return ConfigError(f"{flag}: {exc.detail}", key=exc.key, detail=exc.detail)


def typed_flag(command: click.Command, name: str, args: Sequence[str]) -> str | None:
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
