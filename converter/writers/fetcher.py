"""A WeasyPrint URL fetcher that reads only what the writer allows.

WeasyPrint would otherwise read any ``file://`` URL (or reach the network) that an ``<img>``,
``<link>``, an SVG ``<image>`` or a CSS ``url()``/``@import`` names. Everything the PDF needs —
prepared images, bundled fonts, theme files — lives in known folders; any other URL is refused
(WeasyPrint then logs the failure and leaves the resource out, and the writer turns the refusals
into warnings).

This is the last line of defence: the sanitizer and the asset resolver already keep post
references away from WeasyPrint. Rules:

* ``file:`` URLs: local (no host other than ``localhost``), decoded exactly once (as urllib
  does when it opens them), resolved with symlinks followed, and served only if the real path is
  a regular file inside an allowed folder (or one of the allowed files). The file opened is the
  resolved path that was checked, not the URL as written.
* ``data:`` URLs up to :data:`MAX_DATA_URL_BYTES` (math rendered as SVG uses them).
* Nothing else: no ``http(s)``, no ``ftp``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

log = logging.getLogger(__name__)

MAX_DATA_URL_BYTES = 2 * 1024 * 1024


class RestrictedFetcher(URLFetcher):
    """Serve ``file:`` URLs inside ``allowed_dirs`` and small ``data:`` URLs; refuse the rest."""

    def __init__(self, allowed_dirs: list[Path], allowed_files: list[Path] | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed_dirs = [p.resolve() for p in allowed_dirs]
        self.allowed_files = {p.resolve() for p in (allowed_files or [])}
        #: URLs refused so far (shortened), for the writer's warnings.
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        """The real local file a ``file:`` URL names, if it may be read; else ``None``."""
        try:
            parts = urlsplit(url.split("?", 1)[0])
        except ValueError:
            return None
        if parts.scheme.lower() != "file" or parts.netloc.lower() not in ("", "localhost"):
            return None
        # One decoding, as urllib's file handler does; "%2e%2e" must not become ".." here
        # while staying a literal name (or a symlink) for the code that opens the file.
        raw = unquote(parts.path)
        if not raw or "\x00" in raw:
            return None
        try:
            real = Path(raw).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if not real.is_file():
            return None
        if real in self.allowed_files or any(real == d or d in real.parents
                                             for d in self.allowed_dirs):
            return real
        return None

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].strip().lower()
        if scheme == "data":
            if len(url) <= MAX_DATA_URL_BYTES:
                return super().fetch(url, headers)
            reason = "data: URL too large"
        elif scheme == "file":
            real = self.allowed_path(url)
            if real is not None:
                return super().fetch(real.as_uri(), headers)
            reason = "outside the allowed folders"
        else:
            reason = f"{scheme or 'relative'} URLs are not fetched"
        short = url[:60] + "…" if scheme == "data" else url[:200]
        self.refused.append(short)
        log.debug("refused URL %s (%s)", short, reason)
        raise ValueError(f"refused URL ({reason}): {short}")
