"""Every change hanji makes to WeasyPrint's internals, each in its own module, and
:func:`install`, the one version gate in front of them.

- :mod:`.ffi_module`: WeasyPrint's C declarations parsed once per installation (cffi's
  out-of-line mode) instead of by pycparser at every start; hooked in before the import;
- :mod:`.long_text`: lines of a very long text box found in a window of its text (a word of
  thousands of letters took minutes);
- :mod:`.linebreak`: a line-breaking fix that Korean word joiners need;
- :mod:`.font_subset`: font subsetting through uharfbuzz, recording each font's glyphs;
- :mod:`.pdf_images`: PNG data embedded without decoding and re-encoding;
- :mod:`.svg_numbers`: fast number reading in the SVG renderer (math);
- :mod:`.margin_boxes`: chapter pages laid out without margin boxes;
- :mod:`.justify`: justified word gaps capped at 2.4 spaces;
- :mod:`.pages`: the page internals a book laid out by chapter reads and changes.

Not WeasyPrint's: :mod:`.ziamath_speed` (two per-node costs of the formula renderer), with its
own version gate, installed where formulas are drawn.

Each patch goes through :func:`.hook.replace` (guard, wrap, assign, once per process). They
were written and tested against the WeasyPrint 70 series: another series (a user may force
one) runs unpatched, with a warning (worse Korean line breaks, never a crash), and books are
then laid out as one document.
"""

from __future__ import annotations

import logging
import sys
from importlib import metadata

log = logging.getLogger(__name__)

#: The WeasyPrint series the patches were written and tested against.
PATCHED_WEASYPRINT_SERIES = "70."


def weasyprint_version() -> str:
    """WeasyPrint's version: the imported module's, else the installed distribution's (without
    importing it, 1–2 s)."""
    module = sys.modules.get("weasyprint")
    if module is not None:
        return str(module.__version__)
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return ""


def supported() -> bool:
    """Whether the installed WeasyPrint is the series the patches were checked against."""
    return weasyprint_version().startswith(PATCHED_WEASYPRINT_SERIES)


def install() -> bool:
    """Install every patch (once per process) if WeasyPrint is the series they were checked
    against, else warn; returns whether they are installed."""
    if "weasyprint" not in sys.modules and supported():
        from . import ffi_module

        ffi_module.install_import_hook()
    import weasyprint

    if not supported():
        log.warning("WeasyPrint %s is not the %sx series hanji was tested with; its patches "
                    "(Korean line breaking, font subsetting) are not applied",
                    weasyprint.__version__, PATCHED_WEASYPRINT_SERIES)
        return False
    from . import (
        font_subset,
        justify,
        linebreak,
        long_text,
        margin_boxes,
        pdf_images,
        svg_numbers,
    )

    for module in (linebreak, long_text, font_subset, pdf_images, svg_numbers, margin_boxes,
                   justify):
        module.patch_weasyprint()
    return True
