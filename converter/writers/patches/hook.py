"""The one way hanji replaces something inside WeasyPrint: guard, wrap, assign.

Every patch module (see :mod:`converter.writers.patches`) goes through :func:`replace`, which
installs a replacement once per process, remembers the original (``.original``) and marks the
replacement (``hanji_patched``) so that a second install is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def replace(owners: Any | Sequence[Any], name: str, make: Callable[[Any], Any], *,
            wrap: Callable[[Any], Any] | None = None) -> bool:
    """Set ``name`` on each of ``owners`` (a module or class, or several that all hold the
    same function) to ``make(original)``, the original being the first owner's; ``wrap``
    (e.g. ``staticmethod``) is applied to what is assigned. Does nothing if the first owner's
    ``name`` is already a replacement. Returns whether it replaced."""
    targets = list(owners) if isinstance(owners, (list, tuple)) else [owners]
    original = getattr(targets[0], name)
    if getattr(original, "hanji_patched", False):
        return False
    replacement = make(original)
    replacement.hanji_patched = True
    replacement.original = original
    for owner in targets:
        setattr(owner, name, wrap(replacement) if wrap is not None else replacement)
    return True
