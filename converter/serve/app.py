"""The preview web application (Starlette): the routes and the live-update stream.

Pages are rendered from Jinja2 templates (``templates/``); the :class:`~.preview.Preview`
behind them holds the builder, the PDF pages and the event streams (Server-Sent Events).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..builder import Document
from ..errors import HanjiError
from ..resources import fonts_dir
from .files import safe_file
from .preview import Preview
from .views import WIDTHS, theme_css, web_font

log = logging.getLogger(__name__)

_STATIC = Path(__file__).parent / "static"
#: Seconds between keep-alive comments on an idle event stream.
KEEPALIVE = 15.0


# --------------------------------------------------------------------------------- routes

_templates = Environment(loader=PackageLoader("converter.serve", "templates"),
                         autoescape=select_autoescape(["html"]))


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("doc", None)
    context.setdefault("problems", [])
    context.setdefault("lang", "ko")
    context.setdefault("view", "")
    context.setdefault("stylesheet_version", _preview(request).builder.stylesheet_version)
    return HTMLResponse(_templates.get_template(template).render(**context), status_code=status,
                        headers={"Cache-Control": "no-store"})


def _preview(request: Request) -> Preview:
    return request.app.state.preview  # type: ignore[no-any-return]


def _document(request: Request) -> Document | None:
    key = f"{request.path_params['kind']}/{request.path_params['name']}"
    try:
        return _preview(request).builder.document(key)
    except KeyError:
        return None


def _not_found(what: str = "Not found") -> PlainTextResponse:
    return PlainTextResponse(what, status_code=404)


async def index(request: Request) -> Response:
    preview = _preview(request)
    builder = preview.builder
    query = request.query_params.get("q", "").strip()
    folded = query.casefold()
    docs = sorted(builder.documents.values(), key=lambda d: (str(d.date or ""), d.title),
                  reverse=True)
    docs = [d for d in docs if not folded or folded in d.title.casefold()
            or folded in d.name.casefold()]
    return _page(request, "index.html", title=builder.site.title or builder.root.name,
                 site_title=builder.site.title or builder.root.name, query=query,
                 posts=[d for d in docs if d.kind == "post"],
                 books=[d for d in docs if d.kind == "book"],
                 problems=preview.problems(None), view="index")


async def epub_view(request: Request) -> Response:
    preview = _preview(request)
    doc = _document(request)
    if doc is None:
        return _not_found()
    number = request.path_params["number"]
    if not 1 <= number <= len(doc.sources):
        return _not_found("No such chapter")
    preview.viewed(doc.key)

    content, state = await run_in_threadpool(preview.reading_html, doc.key, number - 1)
    version = state.version if state is not None else 0
    width = request.query_params.get("w", "wide")
    if width not in {w for w, _, _ in WIDTHS}:
        width = "wide"
    chapter = state.chapter if state is not None else None
    preview.reading_view_sent()
    return _page(request, "epub.html", doc=doc, view="epub", content=content, version=version,
                 chapter_number=number, chapter_count=len(doc.sources),
                 chapter_id=chapter.id if chapter else "",
                 chapter_title=chapter.title if chapter else doc.title,
                 lang=chapter.lang if chapter else "ko", width=width,
                 widths=[(w, label) for w, label, _ in WIDTHS],
                 problems=preview.problems(doc.key), title=doc.title)


async def pdf_view(request: Request) -> Response:
    preview = _preview(request)
    doc = _document(request)
    if doc is None:
        return _not_found()
    preview.viewed(doc.key, pdf=True)
    rendered = preview.pages.current(doc.key)
    if rendered is None or preview.take_stale(doc.key):
        preview.want_pdf(doc.key)
    return _page(request, "pdf.html", doc=doc, view="pdf", pdf=rendered, title=doc.title,
                 problems=preview.problems(doc.key))


async def pdf_pages(request: Request) -> Response:
    preview = _preview(request)
    doc = _document(request)
    if doc is None:
        return _not_found()
    rendered = preview.pages.current(doc.key)
    if rendered is None:
        return JSONResponse({"version": 0, "pages": []}, headers={"Cache-Control": "no-store"})
    chapters = {name: page + 1 for name, page in rendered.destinations.items()
                if name.endswith("-title")}
    return JSONResponse({"version": rendered.version,
                         "pages": [[round(w, 2), round(h, 2)] for w, h in rendered.sizes],
                         "chapters": chapters}, headers={"Cache-Control": "no-store"})


async def pdf_page(request: Request) -> Response:
    preview = _preview(request)
    doc = _document(request)
    if doc is None:
        return _not_found()
    data = await run_in_threadpool(preview.pages.image, doc.key, request.path_params["page"] - 1)
    if data is None:
        return _not_found("No such page")
    return Response(data, media_type="image/png",
                    headers={"Cache-Control": "private, max-age=3600"})


async def pdf_text(request: Request) -> Response:
    preview = _preview(request)
    doc = _document(request)
    if doc is None:
        return _not_found()
    text = await run_in_threadpool(preview.pages.text, doc.key, request.path_params["page"] - 1)
    if text is None:
        return _not_found("No such page")
    return PlainTextResponse(text, headers={"Cache-Control": "private, max-age=3600"})


async def pdf_file(request: Request) -> Response:
    """The whole PDF (a book's is merged now, if it was not since its last change)."""
    preview = _preview(request)
    doc = _document(request)
    rendered = preview.pages.current(doc.key) if doc else None
    if rendered is None:
        return _not_found("The PDF is not ready")
    try:
        path = await run_in_threadpool(rendered.whole)
    except HanjiError as exc:
        return PlainTextResponse(f"The PDF could not be written: {exc.message}",
                                 status_code=500)
    if not path.is_file():
        return _not_found("The PDF is not ready")
    return FileResponse(path, media_type="application/pdf",
                        headers={"Cache-Control": "no-store"})


async def locate(request: Request) -> Response:
    """The PDF page showing the reading view's place: ``?text=`` (the top visible words),
    ``?anchor=`` (the nearest heading's id), ``?chapter=`` (the chapter's id)."""
    preview = _preview(request)
    doc = _document(request)
    if doc is None:
        return _not_found()
    params = request.query_params
    anchor = params.get("anchor") or (params.get("chapter", "") + "-title")
    if anchor not in (preview.pages.current(doc.key) or _NoPdf).destinations:
        anchor = params.get("chapter", "") + "-title"
    page = await run_in_threadpool(preview.pages.locate, doc.key, params.get("text", ""),
                                   anchor=anchor)
    target = f"/{doc.key}/pdf" + (f"#page-{page + 1}" if page is not None else "")
    if params.get("format") == "json":
        return JSONResponse({"page": page + 1 if page is not None else None, "url": target})
    return RedirectResponse(target, status_code=303)


class _NoPdf:
    destinations: dict[str, int] = {}


async def theme_stylesheet(request: Request) -> Response:
    return Response(theme_css(_preview(request).builder), media_type="text/css",
                    headers={"Cache-Control": "no-store"})


async def site_file(request: Request) -> Response:
    path = safe_file(_preview(request).builder.root, request.path_params["path"])
    if path is None:
        return _not_found()
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


async def font_file(request: Request) -> Response:
    path = safe_file(fonts_dir(), request.path_params["path"],
                     suffixes=frozenset({".ttf", ".otf", ".woff", ".woff2"}))
    if path is None:
        return _not_found()
    data = await run_in_threadpool(web_font, path)
    media_type = "font/otf" if path.suffix.lower() == ".otf" else "font/ttf"
    return Response(data, media_type=media_type,
                    headers={"Cache-Control": "public, max-age=86400"})


async def asset_file(request: Request) -> Response:
    """An image a chapter uses from an allowed asset root outside the site (by its id)."""
    builder = _preview(request).builder
    asset = builder.asset(request.path_params["asset_id"])
    if asset is None:
        return _not_found()
    for root in builder.site.allowed_roots():
        try:
            relative = asset.source.resolve().relative_to(root)
        except ValueError:
            continue
        path = safe_file(root, relative.as_posix(), allow_private=True)
        if path is not None:
            return FileResponse(path, headers={"Cache-Control": "no-cache"})
    return _not_found()


async def events(request: Request) -> Response:
    """Server-Sent Events for one page: ``epub``, ``pdf``, ``problems``, ``style``, ``index``."""
    preview = _preview(request)
    key = request.query_params.get("doc", "")
    chapter = request.query_params.get("chapter", "")
    queue = preview.subscribe(key, request.query_params.get("view", ""),
                              int(chapter) if chapter.isdigit() else 0)

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 500\n\n"
            if key:
                yield f"data: {json.dumps(preview.problems_event(key))}\n\n"
            while not preview.stopping.is_set():
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if event.get("type") == "bye":
                    break
                yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"
        finally:
            preview.unsubscribe(queue)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def status(request: Request) -> Response:
    """Build counters and problems (for tests and tools)."""
    preview = _preview(request)
    return JSONResponse({"documents": sorted(preview.builder.documents),
                         "pdf_builds": preview.builds,
                         "problems": preview.problems(None)})


def create_app(preview: Preview, *, watch: bool = True) -> Starlette:
    """The ASGI application serving ``preview`` (the watcher runs with it if ``watch``)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from .watcher import watch_files, watched_paths

        tasks = [asyncio.create_task(preview.run(), name="hanji-build-loop")]
        if watch:
            builder = preview.builder
            tasks.append(asyncio.create_task(
                watch_files(watched_paths(builder), ignore=[builder.output_dir],
                            on_change=preview.files_changed, stop_event=preview.stopping),
                name="hanji-watcher"))
        try:
            yield
        finally:
            preview.stop_soon()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            preview.close()

    doc = "/{kind:str}/{name:str}"
    routes = [
        Route("/", index),
        Route("/_theme.css", theme_stylesheet),
        Route("/_events", events),
        Route("/_status", status),
        Route("/_asset/{asset_id:str}", asset_file),
        Route("/_fonts/{path:path}", font_file),
        Route("/site/{path:path}", site_file),
        Mount("/_static", StaticFiles(directory=_STATIC), name="static"),
        Route(doc + "/epub/{number:int}", epub_view),
        Route(doc + "/pdf", pdf_view),
        Route(doc + "/pdf/pages.json", pdf_pages),
        Route(doc + "/pdf/page/{page:int}.png", pdf_page),
        Route(doc + "/pdf/text/{page:int}", pdf_text),
        Route(doc + "/pdf/file", pdf_file),
        Route(doc + "/locate", locate),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.preview = preview
    return app


__all__ = ["create_app"]
