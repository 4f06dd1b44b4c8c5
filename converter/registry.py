"""A small priority registry, after Python-Markdown's ``util.Registry``.

Stages (dialect rules, tree transforms) register items by name and priority; the orchestrator
runs them in descending priority and never needs editing when a rule is added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    name: str
    priority: float
    item: T


class Registry(Generic[T]):
    """Named items kept sorted by priority (highest first)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry[T]] = {}

    def register(self, item: T, name: str, priority: float) -> None:
        """Add ``item`` as ``name``; registering a name again replaces the old item."""
        self._entries[name] = _Entry(name, priority, item)

    def decorator(self, name: str, priority: float) -> Callable[[T], T]:
        """A decorator registering the function it decorates as ``name``."""

        def register(item: T) -> T:
            self.register(item, name, priority)
            return item

        return register

    def deregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def names(self) -> list[str]:
        return [e.name for e in self._sorted()]

    def priority(self, name: str) -> float:
        return self._entries[name].priority

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __getitem__(self, name: str) -> T:
        return self._entries[name].item

    def __iter__(self) -> Iterator[T]:
        return (e.item for e in self._sorted())

    def __len__(self) -> int:
        return len(self._entries)

    def _sorted(self) -> list[_Entry[T]]:
        return sorted(self._entries.values(), key=lambda e: -e.priority)
