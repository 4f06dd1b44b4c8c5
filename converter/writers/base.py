"""What every writer shares: the interface, atomic output files, prepared images."""

from __future__ import annotations

import contextlib
import copy
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..book import Asset, Book
from ..diagnostics import Diagnostics
from ..errors import OutputError
from ..files import atomic_path
from ..images import ImageCache, ImageRequest, PreparedImage
from ..markup import ASSET_ATTRIBUTE, placeholder
from ..options import Options
from ..themes import Theme

if TYPE_CHECKING:
    from ..processes import WarmProcess


@dataclass(frozen=True)
class WriterHelpers:
    """The helper processes one book's writer may use, handed to :meth:`Writer.begin`."""

    #: Processes (from :func:`converter.api.writer_helpers`) to lay the book out in.
    processes: Sequence[WarmProcess] = ()
    #: For writers without MathML: a process drawing the book's formulas
    #: (:func:`~converter.writers.math_svg.draw_formulas`) while images are prepared.
    formulas: WarmProcess | None = None


@dataclass
class WriteResult:
    """What a writer produced."""

    path: Path
    format: str
    pages: int | None = None
    size: int = 0
    warnings: list[str] = field(default_factory=list)
    #: Paginated formats: where each page starts (:func:`.page_list.page_starts`).
    page_starts: list[Any] | None = None
    #: The print profile's preflight report (:mod:`converter.press.preflight`), if any.
    report: dict[str, Any] | None = None


@contextlib.contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` only on success
    (:func:`converter.files.atomic_path`). A folder that cannot be written is an
    :class:`OutputError`."""
    with contextlib.ExitStack() as stack:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = stack.enter_context(atomic_path(target))
        except OSError as exc:
            raise OutputError(f"cannot write output: {exc.strerror or exc}",
                              path=target.parent) from None
        yield tmp


def place_images(root: Any, src_for_asset: Callable[[str], str | None]) -> None:
    """Point each ``<img>`` at the writer's copy of its asset (``src_for_asset(id)``); images
    without one (failed to prepare) become placeholders."""
    for img in list(root.iter("img")):
        asset_id = img.attrib.pop(ASSET_ATTRIBUTE, None)
        src = src_for_asset(asset_id) if asset_id else None
        if src is None:
            img.getparent().replace(img, placeholder(img, "unreadable"))
        else:
            img.set("src", src)


class Writer(ABC):
    """Base class of the output writers."""

    #: Format name (also the file extension).
    format: ClassVar[str]
    #: Whether the format can carry MathML (else the writer renders math to SVG).
    supports_mathml: ClassVar[bool] = False
    #: Whether the writer embeds bundled fonts subset to the characters used.
    subsets_fonts: ClassVar[bool] = False

    def __init__(self, options: Options, theme: Theme, *, diagnostics: Diagnostics | None = None,
                 cache: ImageCache | None = None) -> None:
        self.options = options
        self.theme = theme
        self.diagnostics = diagnostics or Diagnostics()
        self.cache = cache

    #: A writer whose heavy work can run in a helper process names the helper's warm-up here
    #: (a module-level function: loads its libraries). ``None``: it works in this process.
    helper_warm_up: ClassVar[Callable[[], None] | None] = None

    @property
    def formula_directory(self) -> Path | None:
        """Where drawn formulas are cached: the image cache's ``math/`` folder."""
        return self.cache.directory / "math" if self.cache is not None else None

    def warm_up(self) -> None:
        """Load heavy libraries ahead of :meth:`write` in this process (runs while images are
        prepared); by default the helper's warm-up."""
        warm_up = type(self).helper_warm_up
        if warm_up is not None:
            warm_up()

    @abstractmethod
    def image_request(self, asset: Asset) -> ImageRequest:
        """What this writer needs of ``asset`` (size, encoding)."""

    @abstractmethod
    def write(self, book: Book, target: Path, images: dict[str, PreparedImage]) -> WriteResult:
        """Write ``book`` to ``target`` atomically; ``images`` maps asset ids to prepared files
        (assets missing from it failed to prepare and are shown as placeholders)."""

    def begin(self, book: Book, target: Path, images: dict[str, PreparedImage],
              helpers: WriterHelpers | None = None) -> Callable[[], WriteResult]:
        """Start writing ``book``; the returned function finishes and returns the result.

        Writers that hand work to the ``helpers`` processes return before it is done, so that
        the next writer runs meanwhile; the default writes everything now.
        """
        result = self.write(book, target, images)
        return lambda: result

    @staticmethod
    def copy_book_bodies(book: Book) -> list:  # type: ignore[type-arg]
        """Deep copies of the chapter bodies, for writers that adapt the tree."""
        return [copy.deepcopy(chapter.body) for chapter in book.chapters]
