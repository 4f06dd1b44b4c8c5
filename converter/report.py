"""The ``--report FILE.json`` file: every outcome and every warning of a run, as JSON.

One document per run, for CI jobs and scripts that want more than the console summary:

    {"hanji": "0.1.0", "command": "convert", "seconds": 12.5,
     "summary": {"converted": 9, "failed": 1, "warnings": 14, "by_kind": {"image": 10, …}},
     "posts": [{"source": "_posts/a.md", "ok": true, "error": null, "seconds": 1.2,
                "outputs": [{"format": "pdf", "path": "out/a.pdf", "pages": 4, "bytes": 81234}],
                "warnings": [{"kind": "image", "path": "_posts/a.md", "line": 12,
                              "message": "image '/x.png': not found"}]}],
     "warnings": [… all of them …]}

A book's report has ``"book"`` (title, outputs, pages, chapters with their sources, skipped
posts) instead of ``"posts"``. This module builds and writes the data; it never prints.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .diagnostics import BuildWarning, group_warnings

if TYPE_CHECKING:
    from .batch import BatchSummary
    from .series import BookResult
    from .writers import WriteResult


def batch_report(summary: BatchSummary) -> dict[str, Any]:
    """The report of ``hanji convert``: each post's outcome and warnings."""
    warnings = [w for outcome in summary.outcomes for w in outcome.warnings]
    posts = [{
        "source": str(outcome.source),
        "ok": outcome.ok,
        "error": outcome.error,
        "seconds": round(outcome.seconds, 3),
        "outputs": _outputs(outcome.result.outputs if outcome.result else {}),
        "warnings": [w.as_dict() for w in outcome.warnings],
    } for outcome in summary.outcomes]
    return {
        "hanji": __version__,
        "command": "convert",
        "seconds": round(summary.seconds, 3),
        "summary": {"converted": summary.converted, "failed": summary.failed,
                    **_counts(warnings)},
        "posts": posts,
        "warnings": [w.as_dict() for w in warnings],
    }


def book_report(result: BookResult | None, *, title: str, seconds: float,
                error: str | None = None) -> dict[str, Any]:
    """The report of ``hanji book``: outputs, chapters, skipped posts, warnings (or the
    error that stopped the book)."""
    warnings = list(result.warnings) if result is not None else []
    book: dict[str, Any] = {"title": title, "ok": error is None, "error": error}
    if result is not None:
        book.update({
            "outputs": _outputs(result.outputs),
            "pages": result.pages,
            "chapters": [{"title": chapter_title, "source": str(source)}
                         for chapter_title, source in zip(result.titles, result.posts)],
            "skipped": [str(path) for path in result.skipped],
        })
    return {
        "hanji": __version__,
        "command": "book",
        "seconds": round(seconds, 3),
        "summary": {"chapters": result.chapters if result else 0, **_counts(warnings)},
        "book": book,
        "warnings": [w.as_dict() for w in warnings],
    }


def write_report(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` (whole or not at all)."""
    from .writers.base import atomic_output

    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8",
                       errors="backslashreplace")


def _outputs(outputs: Mapping[str, WriteResult]) -> list[dict[str, Any]]:
    return [{"format": fmt, "path": str(result.path), "pages": result.pages,
             "bytes": result.size} for fmt, result in outputs.items()]


def _counts(warnings: Iterable[BuildWarning]) -> dict[str, Any]:
    groups = group_warnings(warnings)
    return {"warnings": sum(g.count for g in groups),
            "by_kind": {g.kind: g.count for g in groups}}


__all__ = ["batch_report", "book_report", "write_report"]
