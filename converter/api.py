"""The library API: ``convert()`` one post, ``build_book()`` from many.

load → normalize → render → transform (:mod:`converter.assemble`) → :class:`Book` → writers.
Functions here raise :class:`~converter.errors.HanjiError` subclasses and never print. They keep
no global state, so they are safe to call from several threads or processes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .assemble import build_chapter
from .assets import AssetResolver
from .book import Asset, AssetStore, Book, BookMeta
from .diagnostics import BuildWarning, Diagnostics, locate_warnings
from .errors import InputError, OutputError
from .images import ImageCache, ImageError, ImageRequest, PreparedImage, prepare_images
from .options import Format, Options
from .post import Post, load_post
from .processes import WarmProcess, may_start_helpers
from .site import Site, check_post_access, load_site, site_for
from .themes import load_theme
from .titles import title_text
from .transforms.links import unwrap_site_paths
from .writers import WRITERS, Writer, WriteResult, WriterHelpers

log = logging.getLogger(__name__)


class WrittenFiles:
    """What results with ``outputs`` (format → :class:`WriteResult`) answer about them."""

    outputs: dict[str, WriteResult]

    @property
    def paths(self) -> list[Path]:
        """The files written, in the order of the formats."""
        return [r.path for r in self.outputs.values()]

    @property
    def pages(self) -> int | None:
        """Pages of the PDF, if one was written."""
        pdf = self.outputs.get("pdf")
        return pdf.pages if pdf else None


@dataclass
class ConversionResult(WrittenFiles):
    """What one conversion produced: output files, page count, warnings."""

    source: Path | None
    outputs: dict[str, WriteResult] = field(default_factory=dict)
    warnings: list[BuildWarning] = field(default_factory=list)


def _options(options: Options | None, formats: Iterable[Format] | None) -> Options:
    options = options or Options()
    if formats is not None:
        options = options.replace(formats=tuple(formats))
    return options


def site_of(path: Path, options: Options) -> Site:
    """The site ``path`` belongs to, with the options' asset roots."""
    return site_for(path, options.site, asset_roots=tuple(options.asset_roots or ()),
                    follow_symlinks=options.follow_symlinks)


def cover_asset(post: Post, site: Site, diagnostics: Diagnostics) -> Asset | None:
    """The post's teaser image as the cover, if it resolves."""
    ref = post.teaser
    if not ref:
        return None
    resolution = AssetResolver(site, post.source).resolve(ref, teaser=True)
    if resolution.path is None:
        diagnostics.warn(f"cover image {ref!r}: {resolution.problem}")
        return None
    return Asset(id="cover", source=resolution.path)


#: At most this many layout processes for one book (each holds WeasyPrint and a chapter).
MAX_LAYOUT_PROCESSES = 8


@contextlib.contextmanager
def writer_helpers(options: Options, *,
                   count: int = 1) -> Iterator[dict[str, list[WarmProcess]]]:
    """Start the writers' helper processes now, so they warm up while the book is built.

    ``count`` processes (for a book: one per CPU, or ``options.jobs``) per requested writer
    that declares a :attr:`~converter.writers.Writer.helper_warm_up` (today the PDF writer's:
    it imports WeasyPrint, over a second, at once and lays the PDF out later, beside the EPUB
    writer). None are started when ``options.jobs`` is 1 (a batch runs posts in parallel
    instead), on a single core, or inside a daemonic process. The processes stop when the
    block ends.
    """
    helpers: dict[str, list[WarmProcess]] = {}
    try:
        if options.jobs != 1 and may_start_helpers():
            for fmt in options.formats:
                warm_up = WRITERS[fmt].helper_warm_up
                if warm_up is not None:
                    helpers[fmt] = [
                        WarmProcess(warm_up, name=f"hanji-{fmt}" + (f"-{n + 1}" if n else ""),
                                    memory_mb=options.max_memory_mb,
                                    job_timeout=options.timeout)
                        for n in range(max(1, min(count, MAX_LAYOUT_PROCESSES)))]
        yield helpers
    finally:
        for processes in helpers.values():
            for helper in processes:
                helper.close()


def write_book(book: Book, options: Options, output_stem: Path,
               diagnostics: Diagnostics, *,
               progress: Callable[[str, int, int], None] | None = None,
               helpers: dict[str, list[WarmProcess]] | None = None) -> dict[str, WriteResult]:
    """Prepare images once for every requested format, then run each writer.

    ``progress`` (if given) is called with ``(stage, done, total)`` as stages start and end:
    ``"images"``, then each format. ``helpers`` are processes from :func:`writer_helpers`
    (started here when not given).

    The writers' heavy libraries load while images are prepared: in a helper process (the
    PDF is then laid out there, while the EPUB is written here), or else in this process
    while the images are prepared in a thread.
    """
    theme = load_theme(options.theme)
    with contextlib.ExitStack() as stack:
        if helpers is None:
            helpers = stack.enter_context(writer_helpers(options))
        cache = ImageCache(options.cache_dir) if options.cache else None
        out_dir = None
        if cache is None:
            out_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hanji-img-")))
        writers = {fmt: WRITERS[fmt](options, theme, diagnostics=diagnostics, cache=cache)
                   for fmt in options.formats}
        given: dict[str, WriterHelpers] = {}
        for fmt, writer in writers.items():
            processes = helpers.get(fmt, [])
            formulas = (_draw_formulas_beside(writer, book, stack)
                        if processes and not writer.supports_mathml else None)
            given[fmt] = WriterHelpers(processes=processes, formulas=formulas)
        assets = list(book.assets) + ([book.cover] if book.cover is not None else [])
        requests = {(fmt, a.id): w.image_request(a) for fmt, w in writers.items() for a in assets}
        unique = list(dict.fromkeys(requests.values()))
        workers = min(options.jobs or (os.cpu_count() or 1), max(1, len(unique)))
        if progress:
            progress("images", 0, len(unique))
        results = _prepare_and_warm_up(
            unique, [w for fmt, w in writers.items() if not given[fmt].processes], cache,
            workers, out_dir, options)
        if progress:
            progress("images", len(unique), len(unique))
        # Writers with a helper process start first, so that the others run meanwhile.
        order = sorted(writers, key=lambda fmt: not given[fmt].processes)
        finishers: dict[str, Callable[[], WriteResult]] = {}
        for fmt in order:
            writer = writers[fmt]
            prepared: dict[str, PreparedImage] = {}
            for asset in assets:
                result = results[requests[(fmt, asset.id)]]
                if isinstance(result, ImageError):
                    diagnostics.warn(f"image {asset.source.name}: {result}")
                else:
                    prepared[asset.id] = result
            target = output_stem.with_name(f"{output_stem.name}.{fmt}")
            if progress:
                progress(fmt, 0, 1)
            finishers[fmt] = writer.begin(book, target, prepared, given[fmt])
        outputs: dict[str, WriteResult] = {}
        for fmt in writers:
            outputs[fmt] = finishers[fmt]()
            if progress:
                progress(fmt, 1, 1)
    _print_page_numbers(book, outputs, diagnostics)
    return outputs


def _print_page_numbers(book: Book, outputs: dict[str, WriteResult],
                        diagnostics: Diagnostics) -> None:
    """With both formats built, the EPUB gets the PDF's page numbers (:mod:`.writers.page_list`)."""
    pdf, epub = outputs.get("pdf"), outputs.get("epub")
    if pdf is None or epub is None or not pdf.page_starts:
        return
    from .writers.page_list import add_page_list

    try:
        add_page_list(epub.path, pdf.page_starts, lang=book.meta.lang,
                      source=f"{pdf.path.name} ({book.meta.title}, PDF)")
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        diagnostics.warn(f"EPUB page list left out: {type(exc).__name__}: {exc}")
        return
    epub.size = epub.path.stat().st_size


#: Fewer formulas than this are drawn by the PDF writer itself (a helper is not worth it).
MIN_FORMULAS_FOR_HELPER = 16


def _draw_formulas_beside(writer: Writer, book: Book,
                          stack: contextlib.ExitStack) -> WarmProcess | None:
    """A helper process drawing the book's formulas (ziamath: 10-30 ms each, a math blog has
    hundreds) while the images are prepared, instead of the writer drawing them after; the
    writer gets it through :meth:`~converter.writers.Writer.begin`. ``None`` when the book
    has too few formulas to be worth it."""
    if not book.has_math:
        return None
    from .writers.math_svg import draw_formulas, formulas_in, import_ziamath

    formulas = [f for chapter in book.chapters for f in formulas_in(chapter.body)]
    formulas = list(dict.fromkeys(formulas))
    if len(formulas) < MIN_FORMULAS_FOR_HELPER:
        return None
    process = WarmProcess(import_ziamath, name="hanji-math",
                          memory_mb=writer.options.max_memory_mb)
    stack.callback(process.close)
    process.submit(draw_formulas, formulas, writer.formula_directory)
    return process


def _prepare_and_warm_up(unique: list[ImageRequest], local: list[Writer],
                         cache: ImageCache | None, workers: int, out_dir: Path | None,
                         options: Options) -> dict[ImageRequest, PreparedImage | ImageError]:
    """Prepare the images while the ``local`` writers (those without helper processes) load
    their libraries in this process.

    Without heavy loading to overlap (the PDF writer has a helper process), the images are
    prepared on this thread, where worker processes can be forked cheaply.
    """
    heavy = any(type(w).helper_warm_up is not None for w in local)
    if not heavy:
        for writer in local:
            writer.warm_up()
        return prepare_images(unique, cache=cache, workers=workers, out_dir=out_dir,
                              max_source_pixels=options.max_image_pixels)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="hanji-images") as background:
        pending = background.submit(prepare_images, unique, cache=cache, workers=workers,
                                    out_dir=out_dir, max_source_pixels=options.max_image_pixels)
        for writer in local:
            writer.warm_up()
        return pending.result()


def convert(post: str | os.PathLike[str], *, output_dir: str | os.PathLike[str] = "out",
            formats: Sequence[Format] | None = None, options: Options | None = None,
            name: str | None = None) -> ConversionResult:
    """Convert one post into ``output_dir/<post file stem>.pdf`` and ``.epub``
    (``output_dir/<name>.…`` if ``name`` is given).

    Raises :class:`~converter.errors.InputError` for an unreadable post, and other
    :class:`~converter.errors.HanjiError` subclasses for bad options, themes or outputs.
    Survivable problems are returned as ``result.warnings``.
    """
    options = _options(options, formats)
    path = Path(post)
    site = site_of(path, options)
    check_post_access(path, site)
    loaded = load_post(path, max_bytes=options.max_post_bytes)
    diagnostics = loaded.warnings
    assets = AssetStore()
    output_stem = Path(output_dir) / (name or loaded.stem)
    _check_output(path, Path(output_dir), output_stem, options.formats)
    with writer_helpers(options) as helpers:  # warming up while the chapter is built
        try:
            chapter = build_chapter(loaded, site, options, assets, chapter_id="post")
        except RecursionError:
            # Python-Markdown recurses per level of inline nesting (thousands of `*` or `[`).
            raise InputError("the post is nested too deeply to convert", path=path) from None
        unwrap_site_paths(chapter.body)  # alone, a post has no other chapters to link to
        meta = BookMeta(title=chapter.title, author=loaded.author or site.author,
                        lang=chapter.lang, date=loaded.date,
                        description=title_text(str(loaded.front_matter.get("excerpt")
                                                   or loaded.front_matter.get("description")
                                                   or "")))
        book = Book(meta=meta, chapters=[chapter], assets=assets,
                    cover=cover_asset(loaded, site, diagnostics), kind="post")
        outputs = write_book(book, options, output_stem, diagnostics, helpers=helpers)
    warnings = locate_warnings(diagnostics.warnings, [(path, loaded.body, loaded.body_line)])
    return ConversionResult(source=path, outputs=outputs, warnings=warnings)


def _check_output(source: Path, output_dir: Path, output_stem: Path,
                  formats: Iterable[str]) -> None:
    """Raise :class:`OutputError` if an output would land outside ``output_dir`` (a ``name``
    with a path in it) or replace the post itself (``x.pdf`` converted into its own folder)."""
    if output_stem.parent != output_dir or output_stem.name in {"", ".", ".."}:
        raise OutputError(f"output name {output_stem.name!r} must be a plain file name inside "
                          "the output folder", path=output_dir)
    for fmt in formats:
        target = output_stem.with_name(f"{output_stem.name}.{fmt}")
        try:
            same = target.exists() and os.path.samefile(target, source)
        except OSError:
            same = False
        if same or target.resolve() == source.resolve():
            raise OutputError("the output would overwrite the input post; choose another -o",
                              path=target)


def discover_posts(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand arguments into post files: a directory means every post under it.

    Under a directory, posts are the ``*.md``/``*.markdown`` files in any ``_posts/`` folder;
    a directory without ``_posts/`` contributes all its Markdown files.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Hidden folders (.git, .github …) below the argument are skipped; the argument
            # itself may be anything, "../blog" included.
            markdown = sorted(p for p in path.rglob("*") if p.suffix.lower() in {".md", ".markdown"}
                              and p.is_file() and not any(part.startswith(".")
                                                          for part in p.relative_to(path).parts))
            in_posts = [p for p in markdown if "_posts" in p.relative_to(path).parts
                        or path.name == "_posts"]
            found.extend(in_posts or [p for p in markdown
                                      if p.name.lower() not in {"readme.md", "license.md"}])
        elif path.exists():
            found.append(path)
        else:
            raise InputError("no such file or directory", path=path)
    return list(dict.fromkeys(found))


__all__ = ["ConversionResult", "convert", "discover_posts", "load_site", "write_book"]
