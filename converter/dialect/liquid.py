"""Liquid, run first as Jekyll does (placeholder: ``{{ site.* }}`` and ``{{ page.* }}`` only)."""

from __future__ import annotations

import re
from typing import Any

from . import DialectContext, rule
from .segments import map_outside_code

_OUTPUT = re.compile(r"\{\{\s*(site|page)\.([A-Za-z0-9_.]+)\s*\}\}")
_TAG = re.compile(r"\{%-?\s*(\w+)[^%]*?-?%\}")


def _lookup(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return ""
        value = value.get(part, "")
    return "" if value is None else value


@rule("liquid", priority=100)
def liquid(text: str, ctx: DialectContext) -> str:
    """Substitute ``{{ site.x }}`` / ``{{ page.x }}`` and drop unknown tags with a warning."""

    def substitute(part: str) -> str:
        part = _OUTPUT.sub(lambda m: str(_lookup(ctx.site if m.group(1) == "site" else ctx.page,
                                                 m.group(2))), part)

        def drop(match: re.Match[str]) -> str:
            ctx.warn(f"unsupported Liquid tag {{% {match.group(1)} %}} dropped")
            return ""

        return _TAG.sub(drop, part)

    return map_outside_code(text, substitute)
