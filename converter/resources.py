"""Locate the data that ships with hanji: bundled fonts and themes.

In a wheel, the repository's top-level ``fonts/`` and ``themes/`` folders are installed as the
data packages ``converter._fonts`` and ``converter._themes``; in a source checkout they sit next
to the ``converter`` package. This module knows nothing about what the files contain.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(installed_name: str, checkout_name: str) -> Path:
    installed = _PACKAGE_DIR / installed_name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / checkout_name


def fonts_dir() -> Path:
    """The folder holding the bundled font files and ``fonts.yml``."""
    return _data_dir("_fonts", "fonts")


def themes_dir() -> Path:
    """The folder holding one sub-folder per bundled theme."""
    return _data_dir("_themes", "themes")
