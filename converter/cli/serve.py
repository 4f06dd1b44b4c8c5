"""``hanji serve``: the live preview server for a post, a site folder or a book.yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .flags import option_flags
from .group import cli, with_ui
from .ui import Ui


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
@with_ui
def serve(ui: Ui, target: Path, port: int, host: str, open_browser: bool,
          **flags: Any) -> None:
    """Live preview of a post, a site folder or a book.yml while you write.

    Serves the posts' EPUB reading view and PDF pages on http://127.0.0.1:PORT/ and updates
    the open pages when a post, image, _config.yml, include or theme file is saved.
    """
    from ..options import Options
    try:
        from ..serve import LOOPBACK
        from ..serve import serve as run_server
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("converter"):
            raise
        raise click.ClickException(f"hanji serve needs the 'serve' extra: pip install "
                                   f"'hanji[serve]' ({exc.name} is missing)") from None
    options = Options.from_mapping(option_flags(flags))
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
