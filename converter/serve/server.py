"""Run the preview: build the :class:`Builder`, start uvicorn on 127.0.0.1, stop cleanly.

Ctrl-C (SIGINT) or SIGTERM ends the event streams at once, waits for the build thread, and
removes the server's temporary output folder; the preview starts no helper processes.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from ..builder import Builder
from ..options import Options
from .app import create_app
from .preview import Preview

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Hosts that only this machine can reach (no warning needed).
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class PreviewServer(uvicorn.Server):
    """uvicorn's server, ending the preview's event streams as soon as shutdown starts
    (otherwise uvicorn would wait for the browsers' open streams)."""

    def __init__(self, config: uvicorn.Config, preview: Preview) -> None:
        super().__init__(config)
        self.preview = preview

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.preview.stop_soon()
        super().handle_exit(sig, frame)


def limit_heap_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own heap arena (up to 8 per core), and a
    long-lived server with a thread pool keeps them all: cap them, before threads start."""
    import ctypes
    import ctypes.util

    m_arena_max = -8  # glibc's M_ARENA_MAX
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(m_arena_max, arenas)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def warm_up() -> None:
    """Import and patch WeasyPrint now, so the first PDF is not 1-2 s late."""
    from ..writers.pdf import warm_up_weasyprint

    warm_up_weasyprint()


@contextlib.contextmanager
def _output_dir(given: Path | None) -> Iterator[Path]:
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="hanji-serve-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def port_is_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def serve(target: str | Path, *, options: Options | None = None, host: str = DEFAULT_HOST,
          port: int = DEFAULT_PORT, output_dir: Path | None = None,
          on_ready: Callable[[str], None] | None = None, log_level: str = "warning") -> None:
    """Preview ``target`` (a post, a site folder or a ``book.yml``) until interrupted.

    ``on_ready`` is called with the URL once the server listens. Raises
    :class:`~converter.errors.HanjiError` if ``target`` cannot be previewed.
    """
    limit_heap_arenas()
    with _output_dir(output_dir) as out:
        builder = Builder(target, options=options, output_dir=out)
        warm = threading.Thread(target=warm_up, name="hanji-warm-up", daemon=True)
        warm.start()
        preview = Preview(builder)
        app = create_app(preview)
        config = uvicorn.Config(app, host=host, port=port, log_level=log_level,
                                timeout_graceful_shutdown=2, lifespan="on", access_log=False)
        server = PreviewServer(config, preview)
        if on_ready is not None:
            shown = f"[{host}]" if ":" in host else host
            url = f"http://{shown}:{port}/"

            def announce() -> None:
                import time

                while not server.started and not server.should_exit:
                    time.sleep(0.05)
                if server.started:
                    on_ready(url)

            threading.Thread(target=announce, name="hanji-ready", daemon=True).start()
        server.run()
        warm.join(timeout=5)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "LOOPBACK", "PreviewServer", "port_is_free",
           "serve", "warm_up"]
