"""The Book model: what writers consume. Metadata, chapters (HTML trees) and assets.

Nothing here parses Markdown or knows about a particular output format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from lxml import html

# Re-exported from their old home (the HTML contract's names live in converter.markup).
from .markup import ASSET_ATTRIBUTE as ASSET_ATTRIBUTE
from .markup import SITE_PATH_ATTRIBUTE as SITE_PATH_ATTRIBUTE


@dataclass
class Asset:
    """An image used by the book, stored once however many times it is referenced."""

    id: str
    source: Path
    #: Largest fraction of the text width any use of the image occupies (1, 1/2, 1/3 …).
    width_fraction: float = 1.0
    alt: str = ""


class AssetStore:
    """Assets by source file: an image used by several chapters is stored once."""

    def __init__(self) -> None:
        self._by_path: dict[Path, Asset] = {}

    def add(self, source: Path, *, width_fraction: float = 1.0) -> Asset:
        source = source.resolve()
        asset = self._by_path.get(source)
        if asset is None:
            digest = hashlib.sha1(str(source).encode("utf-8")).hexdigest()[:10]
            asset = Asset(id=f"img-{len(self._by_path) + 1:04d}-{digest}", source=source,
                          width_fraction=width_fraction)
            self._by_path[source] = asset
        else:
            asset.width_fraction = max(asset.width_fraction, width_fraction)
        return asset

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_path.values())

    def __len__(self) -> int:
        return len(self._by_path)

    def get(self, asset_id: str) -> Asset | None:
        for asset in self._by_path.values():
            if asset.id == asset_id:
                return asset
        return None


@dataclass
class Heading:
    """A heading inside a chapter, for the outline and the table of contents."""

    level: int
    title: str
    id: str


@dataclass
class Chapter:
    """One post as a chapter: its header data and its transformed body tree."""

    id: str
    #: Plain text (TOC, outline, running heads, nav, metadata).
    title: str
    body: html.HtmlElement
    source: Path | None = None
    date: dt.date | None = None
    tags: list[str] = field(default_factory=list)
    lang: str = "ko"
    headings: list[Heading] = field(default_factory=list)
    #: Whether the chapter asked for its own table of contents (front matter ``toc: true``).
    toc: bool = False
    #: Whether the body contains MathML.
    has_math: bool = False
    #: The title as sanitised inline HTML, for the chapter heading ("" → ``title``).
    title_html: str = ""


@dataclass
class BookMeta:
    """Bibliographic data for the cover, title page and package metadata."""

    title: str
    author: str = ""
    subtitle: str = ""
    lang: str = "ko"
    date: dt.date | None = None
    description: str = ""
    publisher: str = ""
    identifier: str = ""

    def ensure_identifier(self, seed: str) -> str:
        if not self.identifier:
            self.identifier = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "hanji:" + seed))
        return self.identifier


@dataclass
class Book:
    """Everything a writer needs: metadata, chapters in order, assets, the cover."""

    meta: BookMeta
    chapters: list[Chapter]
    assets: AssetStore
    cover: Asset | None = None
    #: A single post ("post") or a collection ("book"): books get a TOC of chapters.
    kind: str = "post"

    @property
    def has_math(self) -> bool:
        return any(c.has_math for c in self.chapters)

    def text(self) -> str:
        """All the text of the book (for font subsetting and coverage checks)."""
        parts = [self.meta.title, self.meta.subtitle, self.meta.author]
        for chapter in self.chapters:
            parts.append(chapter.title)
            parts.extend(chapter.tags)
            parts.append(chapter.body.text_content())
            for img in chapter.body.iter("img"):
                parts.append(img.get("alt", ""))
        return "".join(parts)
