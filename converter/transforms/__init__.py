"""Tree transforms: each module edits the rendered HTML tree in place for one job.

A transform is ``run(root, ctx)`` registered in :data:`TRANSFORMS` by name and priority
(highest first). The orchestrator (:func:`apply_transforms`) never changes when one is added.
Transforms produce the markup in docs/ARCHITECTURE.md ("HTML contract") and know nothing about
PDF or EPUB: writers adapt the tree to their format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import html

from ..kramdown_config import KramdownOptions
from ..registry import Registry

if TYPE_CHECKING:
    from ..assets import AssetResolver
    from ..book import AssetStore
    from ..diagnostics import Diagnostics
    from ..options import Options


@dataclass
class TransformContext:
    """What transforms may consult and record."""

    resolver: AssetResolver
    assets: AssetStore
    diagnostics: Diagnostics
    options: Options
    post_path: Path | None = None
    lang: str = "ko"
    #: Descriptions of images supplied by the author (path or file name -> alt text).
    image_descriptions: Mapping[str, str] = field(default_factory=dict)
    #: The site's kramdown settings (Jekyll's defaults when the site sets none).
    kramdown: KramdownOptions = field(default_factory=KramdownOptions)
    #: Set by transforms that find something writers care about.
    flags: dict[str, bool] = field(default_factory=dict)

    def warn(self, message: str) -> None:
        self.diagnostics.warn(message)


Transform = Callable[[html.HtmlElement, TransformContext], None]

#: Registered transforms. Run highest priority first.
TRANSFORMS: Registry[Transform] = Registry()


def transform(name: str, priority: float) -> Callable[[Transform], Transform]:
    """Decorator registering a tree transform."""
    return TRANSFORMS.decorator(name, priority)


def apply_transforms(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Run every registered transform over ``root`` in priority order."""
    _load_transforms()
    for fn in TRANSFORMS:
        fn(root, ctx)


def _load_transforms() -> None:
    # Importing the modules registers their transforms.
    from . import (  # noqa: F401
        alt_text,
        attributes,
        code,
        definition_lists,
        diagrams,
        figures,
        footnotes,
        heading_ids,
        html_quirks,
        image_tables,
        images,
        kramdown_classes,
        links,
        math,
        math_numbers,
        nesting,
        semantics,
        smart_typography,
        tables,
        typography,
    )
