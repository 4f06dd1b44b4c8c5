"""The print profile's part of the PDF stylesheet and document: page geometry, theme CSS.

Resolves :class:`~converter.options.PrintOptions` against the theme (:func:`print_plan`) and
fills ``geometry.css`` with the numbers; the rest is the theme's ``press.css``/``gray.css``.
"""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from ..options import print_options
from .trim import (
    DEFAULT_MARGINS,
    DEFAULT_PAPER,
    PrintPlan,
    leaf_caliper,
    length_mm,
    trim_size,
)

if TYPE_CHECKING:
    from ..options import Options, PrintOptions
    from ..themes import Theme

_GEOMETRY = Path(__file__).with_name("geometry.css")


def print_plan(options: Options, theme: Theme) -> PrintPlan:
    """The print profile of a build: the options over the theme's ``print:`` defaults."""
    return resolve(options.print, theme.print_profile)


def page_size(plan: PrintPlan) -> str | None:
    """The page size option for the trim (``"152mm 225mm"``), or None without one."""
    if plan.trim is None:
        return None
    return f"{plan.trim[0]:g}mm {plan.trim[1]:g}mm"


def stylesheet(plan: PrintPlan, theme: Theme, trim: tuple[float, float]) -> str:
    """CSS appended after the theme's print CSS (empty when the plan is inactive)."""
    if not plan.active:
        return ""
    top, outer, bottom, inner = plan.page_margins(trim)
    geometry = Template(_GEOMETRY.read_text(encoding="utf-8")).substitute(
        width=f"{trim[0]:g}mm", height=f"{trim[1]:g}mm", top=f"{top:g}mm",
        outer=f"{outer:g}mm", bottom=f"{bottom:g}mm", inner=f"{inner:g}mm",
        bleed=f"{plan.css_bleed:g}mm", marks=plan.marks, bleed_only=f"{plan.bleed:g}mm",
        cover_width=f"{trim[0] + 2 * plan.bleed:g}mm",
        cover_height=f"{trim[1] + 2 * plan.bleed:g}mm")
    parts = [theme.press_css, geometry]
    if plan.gray:
        parts.append(theme.gray_css)
    return "\n".join(part for part in parts if part)


def body_classes(plan: PrintPlan, kind: str) -> list[str]:
    """Classes on ``<body>`` the theme's press.css and gray.css select on (``kind``: the
    book's kind, ``post`` or ``book``)."""
    if not plan.active:
        return []
    classes = ["press"]
    if plan.enabled and kind == "book":
        classes.append("press-cover-separate")  # the cover is its own PDF
    if plan.recto_chapters:
        classes.append("recto-chapters")
    if plan.gray:
        classes.append("gray")
    return classes


def resolve(options: PrintOptions, theme_print: dict[str, Any] | None) -> PrintPlan:
    """Merge the theme's ``print:`` keys under ``options`` and apply the defaults."""
    theme_values = dict(theme_print or {})
    margins = tuple(float(m) for m in theme_values.pop("margins", DEFAULT_MARGINS))
    for key in ("css", "gray_css"):
        theme_values.pop(key, None)
    chosen = print_options(theme_values, prefix="theme print.").merged(options)
    enabled = bool(chosen.enabled)
    if len(margins) != 4:
        raise ConfigError("theme 'print.margins' must be four numbers (top outer bottom inner)")
    return PrintPlan(
        enabled=enabled,
        trim=trim_size(chosen.trim) if chosen.trim else None,
        bleed=length_mm(chosen.bleed, "print.bleed") if chosen.bleed else (3.0 if enabled else 0.0),
        marks=chosen.marks or "none",
        gray=bool(chosen.gray),
        standard=chosen.standard or ("pdf/x-4" if enabled else "none"),
        recto_chapters=bool(chosen.recto_chapters),
        pad_to=chosen.pad_to or (2 if enabled else 1),
        caliper=leaf_caliper(chosen.paper or DEFAULT_PAPER),
        blurb=chosen.blurb or "",
        output_profile=str(chosen.output_profile) if chosen.output_profile else None,
        min_dpi=chosen.min_dpi or 200,
        margins=margins,  # type: ignore[arg-type]
    )
