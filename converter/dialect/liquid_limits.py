"""Resource limits for one post's Liquid: loop iterations, output, variables, depth, time.

python-liquid 2 has most of these as attributes of its ``Environment`` (loop iterations per
nest of loops, output size, local namespace size, context depth); :class:`LiquidLimits`
carries the ``liquid_*`` options there. Two are added here, in :class:`BoundedTemplate`'s
render context: every loop of a render counts toward one iteration budget (fifty loops of
90,000 each stay bounded, not only nested ones), and a wall clock checked at each loop start
and every 64 iterations. This module knows nothing about Markdown or output formats.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from liquid.context import RenderContext
from liquid.exceptions import (
    ContextDepthError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
)
from liquid.template import BoundTemplate

from ..options import Options


@dataclass(frozen=True)
class LiquidLimits:
    """What one post's Liquid may spend (the ``liquid_*`` options); see :class:`Options`."""

    loops: int = Options.liquid_loop_limit
    output: int = Options.liquid_output_limit
    namespace: int = Options.liquid_namespace_limit
    depth: int = Options.liquid_context_depth
    seconds: float = Options.liquid_time_limit

    @classmethod
    def of(cls, options: Options) -> LiquidLimits:
        return cls(loops=options.liquid_loop_limit, output=options.liquid_output_limit,
                   namespace=options.liquid_namespace_limit, depth=options.liquid_context_depth,
                   seconds=options.liquid_time_limit)


class LiquidTimeLimitError(ResourceLimitError):
    """A post's Liquid ran past ``liquid_time_limit`` seconds."""


#: Which option each resource limit comes from, for the warning.
_LIMIT_OPTIONS: dict[type[ResourceLimitError], str] = {
    LoopIterationLimitError: "liquid_loop_limit",
    OutputStreamLimitError: "liquid_output_limit",
    LocalNamespaceLimitError: "liquid_namespace_limit",
    ContextDepthError: "liquid_context_depth",
    LiquidTimeLimitError: "liquid_time_limit",
}


class _BoundedContext(RenderContext):
    """A render context that counts every loop iteration of the render (not only the nested
    ones python-liquid multiplies) and checks the clock on each iteration."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits: LiquidLimits = getattr(self.env, "limits", LiquidLimits())
        self._deadline = time.monotonic() + limits.seconds if limits.seconds > 0 else None
        self._iterations = 0

    def raise_for_loop_limit(self, length: int = 1) -> None:
        super().raise_for_loop_limit(length)
        limit = self.env.loop_iteration_limit
        if limit:
            product = length
            for loop in self.loops:
                product *= max(1, int(getattr(loop, "length", 1) or 1))
            self._iterations += product
            if self._iterations > limit:
                raise LoopIterationLimitError("loop iteration limit reached", token=None)
        self._check_clock()

    def _check_clock(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise LiquidTimeLimitError("time limit reached", token=None)

    def loop(self, namespace: Any, forloop: Any) -> Any:
        if self._deadline is not None and hasattr(forloop, "it"):
            forloop.it = self._clocked(forloop.it)
        return super().loop(namespace, forloop)

    def _clocked(self, items: Iterator[Any]) -> Iterator[Any]:
        for count, item in enumerate(items):
            if count % 64 == 63:
                self._check_clock()
            yield item


class BoundedTemplate(BoundTemplate):
    """A template rendered with :class:`_BoundedContext`."""

    context_class = _BoundedContext



def limit_message(exc: ResourceLimitError, limits: LiquidLimits) -> str:
    """One line saying which limit a post's Liquid reached, and which option raises it."""
    option = next((name for cls, name in _LIMIT_OPTIONS.items() if isinstance(exc, cls)),
                  "liquid_context_depth")
    value = {"liquid_loop_limit": limits.loops, "liquid_output_limit": limits.output,
             "liquid_namespace_limit": limits.namespace, "liquid_context_depth": limits.depth,
             "liquid_time_limit": limits.seconds}[option]
    return f"Liquid stopped: {exc.message} ({option} = {value:,}); Liquid stripped"
