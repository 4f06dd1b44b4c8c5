"""``hanji serve``: a live preview of posts and books while the author writes.

One warm process (WeasyPrint imported, fonts and theme parsed, chapters kept by a
:class:`~converter.builder.Builder`) serves a small web application: an index of the site's
posts and books, each document's EPUB reading view and PDF view, and a Server-Sent Events
stream that tells open pages what to update when a file is saved. Starlette, uvicorn,
watchfiles, Jinja2 and pypdfium2 are the ``serve`` extra (``pip install 'hanji[serve]'``).
"""

from __future__ import annotations

from .server import DEFAULT_HOST, DEFAULT_PORT, LOOPBACK, PreviewServer, serve

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "LOOPBACK", "PreviewServer", "serve"]
