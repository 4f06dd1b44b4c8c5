"""Two costs ziamath and ziafont pay over and over while drawing formulas, taken away without
changing what they draw.

- ``ziamath.styles.parse_style`` copies the parent node's style with ``dataclasses.asdict``
  (a recursive deep copy) for every MathML node: about a third of the time a formula takes.
  The replacement ``asdict`` builds the same dictionary directly for ziamath's two style
  classes, whose fields are strings, numbers, booleans and the nested variant; anything else
  goes to ``dataclasses.asdict``.
- ``ziafont.gpos.read_anchortable`` (and ``read_markarray_table``) define a ``namedtuple``
  class at every call, through ``eval``, for each mark anchor of each glyph read: the
  replacement hands back the class made for the same name and fields the first time.

A math blog's book (danbi-ncsoft: 293 formulas) spends 5-8 CPU-s drawing them; this takes about
a third off. Checked against ziamath 0.13 and ziafont 0.11 (:data:`CHECKED`): other versions
run unpatched. Installed by :func:`install` where formulas are drawn
(:mod:`converter.writers.math_svg`); tested by ``tests/test_ziamath_speed.py`` (the same SVG,
byte for byte, with and without).
"""

from __future__ import annotations

import dataclasses
import functools
from importlib import metadata
from typing import Any

from .hook import replace

#: The versions the patches were checked against (distribution name → version).
CHECKED = {"ziamath": "0.13", "ziafont": "0.11"}

_SCALARS = (str, int, float, bool, type(None))


def supported() -> bool:
    """Whether the installed ziamath and ziafont are the versions checked."""
    try:
        return all(metadata.version(name) == version for name, version in CHECKED.items())
    except metadata.PackageNotFoundError:
        return False


@functools.cache
def install() -> bool:
    """Install both patches (once per process) if the versions are the checked ones."""
    if not supported():
        return False
    from ziafont import gpos
    from ziamath import styles

    plain = (styles.MathStyle, styles.MathVariant)

    def make_asdict(original: Any) -> Any:
        def as_plain(obj: Any) -> dict[str, Any] | None:
            out: dict[str, Any] = {}
            for name in _field_names(type(obj)):
                value = getattr(obj, name)
                if type(value) in plain:
                    value = as_plain(value)
                    if value is None:
                        return None
                elif not isinstance(value, _SCALARS):
                    return None  # a container: deep-copied by dataclasses.asdict
                out[name] = value
            return out

        def asdict(obj: Any, *, dict_factory: Any = dict) -> Any:
            if dict_factory is dict and type(obj) in plain:
                result = as_plain(obj)
                if result is not None:
                    return result
            return original(obj, dict_factory=dict_factory)

        return asdict

    def make_namedtuple(original: Any) -> Any:
        @functools.lru_cache(maxsize=64)
        def cached(typename: str, fields: tuple[str, ...] | str) -> Any:
            return original(typename, fields, module=gpos.__name__)

        def namedtuple(typename: str, field_names: Any, **options: Any) -> Any:
            if options:
                return original(typename, field_names, **options)
            fields = field_names if isinstance(field_names, str) else tuple(field_names)
            return cached(typename, fields)

        return namedtuple

    replace(styles, "asdict", make_asdict)
    replace(gpos, "namedtuple", make_namedtuple)
    return True


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(field.name for field in dataclasses.fields(cls))
    return names


_FIELDS: dict[type, tuple[str, ...]] = {}
