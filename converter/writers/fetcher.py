"""A WeasyPrint URL fetcher that reads only what the writer allows.

WeasyPrint would otherwise read any ``file://`` URL (or reach the network) that an ``<img>``,
``<link>`` or CSS ``url()`` names. Everything the PDF needs — prepared images, bundled fonts,
theme files — lives in known folders; any other URL is refused (WeasyPrint then logs the failure
and leaves the resource out).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import URLFetcher
from weasyprint.urls import URLFetcherResponse

log = logging.getLogger(__name__)

MAX_DATA_URL_BYTES = 2 * 1024 * 1024


class RestrictedFetcher(URLFetcher):
    """Serve ``file:`` URLs inside ``allowed_dirs`` and small ``data:`` URLs; refuse the rest."""

    def __init__(self, allowed_dirs: list[Path], allowed_files: list[Path] | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_dirs = [p.resolve() for p in allowed_dirs]
        self.allowed_files = {p.resolve() for p in (allowed_files or [])}
        self.refused: list[str] = []

    def _allowed(self, path: Path) -> bool:
        real = path.resolve()
        if real in self.allowed_files:
            return True
        return any(real == d or d in real.parents for d in self.allowed_dirs)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL_BYTES:
                self.refused.append(url[:60])
                raise ValueError("data: URL too large")
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(unquote(urlsplit(url).path)))
            if path.is_file() and self._allowed(path):
                return super().fetch(url, headers)
        self.refused.append(url[:200])
        log.debug("refused URL %s", url[:200])
        raise ValueError(f"refused URL: {url[:200]}")
