"""Jekyll's front-matter defaults: the ``defaults:`` table of ``_config.yml`` applied to a post.

Jekyll (``Jekyll::FrontmatterDefaults``) gives every document the ``values`` of each
``defaults`` entry whose ``scope`` matches it: ``path`` (relative to the site root; empty or
missing matches everything; with ``*`` a glob, else the document must lie at or below that
path) and ``type`` (``posts`` for posts; missing matches every type). A more specific scope
(a longer path, then one with a type) wins over a less specific one, a later entry over an
earlier one of the same specificity, and the post's own front matter over all of them. Values
merge deeply (mappings inside mappings). This module knows nothing about Markdown or HTML.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any


def _relative(source: Path, site_root: Path | None) -> str | None:
    if site_root is None:
        return None
    try:
        return source.resolve().relative_to(site_root.resolve()).as_posix()
    except ValueError:
        return None


def _applies(scope: dict[str, Any], relative: str, kind: str) -> bool:
    scope_type = scope.get("type")
    if isinstance(scope_type, str) and scope_type and scope_type != kind:
        return False
    path = scope.get("path")
    if not isinstance(path, str) or not path.strip("/ ."):
        return True
    path = path.strip().strip("/")
    if "*" in path:
        return fnmatch.fnmatchcase(relative, path) or fnmatch.fnmatchcase(relative, path + "/*")
    parts = PurePosixPath(relative).parts
    wanted = PurePosixPath(path).parts
    return parts[: len(wanted)] == wanted


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def defaults_for(source: Path | None, site_root: Path | None, config: dict[str, Any],
                 *, kind: str = "posts") -> dict[str, Any]:
    """The default front matter ``config``'s ``defaults`` give the document at ``source``."""
    entries = config.get("defaults")
    if source is None or not isinstance(entries, list):
        return {}
    relative = _relative(source, site_root)
    if relative is None:
        relative = source.name
    matching: list[tuple[int, int, int, dict[str, Any]]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
            continue
        raw_scope = entry.get("scope")
        scope: dict[str, Any] = raw_scope if isinstance(raw_scope, dict) else {}
        if _applies(scope, relative, kind):
            raw_path = scope.get("path")
            path = raw_path if isinstance(raw_path, str) else ""
            matching.append((len(path.strip().strip("/")), 1 if scope.get("type") else 0, index,
                             entry["values"]))
    result: dict[str, Any] = {}
    for *_, values in sorted(matching, key=lambda item: item[:3]):
        result = _deep_merge(result, values)
    return result


def with_defaults(front_matter: dict[str, Any], source: Path | None, site_root: Path | None,
                  config: dict[str, Any]) -> dict[str, Any]:
    """``front_matter`` over the site's defaults for it (the post's own values win)."""
    defaults = defaults_for(source, site_root, config)
    return _deep_merge(defaults, front_matter) if defaults else dict(front_matter)
