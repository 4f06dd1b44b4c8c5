"""Normalize the Jekyll/kramdown dialect into input Python-Markdown understands.

Each rule is a small function ``rule(text, ctx) -> text`` registered in :data:`RULES` by name and
priority (highest runs first): Liquid first, as in Jekyll, then kramdown block syntax, then HTML
quirks. Adding a construct means adding a module with a registration, not editing this file.
This package knows nothing about HTML trees or output formats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics
from ..options import Options
from ..registry import Registry


@dataclass
class DialectContext:
    """What dialect rules may consult: the site config, the page (front matter), the post path."""

    site: dict[str, Any]
    page: dict[str, Any]
    post_path: Path | None = None
    #: 1-based line of the body's first line in the file, for warnings.
    body_line: int = 1
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    #: Site root, for {% include %} and {% post_url %} lookups.
    site_root: Path | None = None
    #: Whether single-$ inline math is on (kramdown does not have it); None: decide per post
    #: with the heuristic in :mod:`.math`.
    single_dollar_math: bool | None = None
    #: Limits (Liquid resources, nesting) and file access (``follow_symlinks``).
    options: Options = field(default_factory=Options)
    #: Folders files may be read from ({% include_relative %}); default: the site root.
    allowed_roots: tuple[Path, ...] = ()

    def warn(self, message: str, *, line: int | None = None) -> None:
        """Warn about the post; ``line`` is relative to the body (1-based) when given."""
        absolute = self.body_line + line - 1 if line is not None else None
        self.diagnostics.warn(message, line=absolute)


Rule = Callable[[str, DialectContext], str]

#: Registered dialect rules. Priorities: 100–199 Liquid, 50–99 kramdown, 0–49 HTML quirks.
RULES: Registry[Rule] = Registry()


def rule(name: str, priority: float) -> Callable[[Rule], Rule]:
    """Decorator registering a dialect rule."""
    return RULES.decorator(name, priority)


def normalize(text: str, ctx: DialectContext, *, below: float | None = None) -> str:
    """Run every registered rule over ``text`` in priority order.

    ``below`` runs only rules of lower priority (``below=100``: everything but Liquid, as for
    text Liquid's ``markdownify`` renders).
    """
    _load_rules()
    for name in RULES.names():
        if below is not None and RULES.priority(name) >= below:
            continue
        text = RULES[name](text, ctx)
    return text


def _load_rules() -> None:
    # Importing the rule modules registers their rules.
    from . import (  # noqa: F401
        diagrams,
        gfm_blocks,
        html_blocks,
        html_quirks,
        kramdown,
        kramdown_math,
        limits,
        liquid,
        span_html,
    )
