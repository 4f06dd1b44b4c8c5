#!/usr/bin/env python3
"""The corpus's largest posts by each measure hanji's layout limits bound.

For every post under each blog folder of the corpus (default ``../shared/corpus``), the
measures of :mod:`converter.dialect.limits` are taken on the post's Markdown as the dialect
rules see it (after Liquid): file size and size once Liquid has run, cells of its largest table and of all its tables
(pipe tables and raw HTML ``<table>`` cells alike), footnotes, and the deepest list and
block-quote nesting. Prints the maximum of each measure with the post that holds it, next to
the option's default, and says whether any post reaches a limit (none should: the limits are
for hostile input, never for a real post).

    python scripts/corpus_limits.py [CORPUS] [--top 3]

Exit status 0 when no post reaches a default limit (also when the corpus is absent), 1 when
some does.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from converter.assemble import page_variables
from converter.dialect import DialectContext
from converter.dialect.limits import measure
from converter.dialect.liquid import render_liquid
from converter.errors import HanjiError
from converter.options import Options
from converter.post import load_post
from converter.site import site_for

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
SUFFIXES = {".md", ".markdown"}
#: Measure → the option bounding it.
OPTIONS: dict[str, str | None] = {
    "bytes": "max_post_bytes", "liquid_bytes": "max_post_bytes", "table_cells": None, "post_table_cells": "max_table_cells",
    "footnotes": "max_page_footnotes", "nesting": "max_nesting"}


def posts_of(blog: Path) -> list[Path]:
    """Markdown posts under any ``_posts`` folder of ``blog``."""
    return sorted(p for p in blog.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and "_posts" in p.relative_to(blog).parts)


def measure_post(path: Path, options: Options) -> dict[str, int]:
    """The post's measures (its Liquid rendered first, as the dialect rules see it)."""
    post = load_post(path)
    site = site_for(path)
    ctx = DialectContext(site=site.config, page=page_variables(post, site), post_path=path,
                         body_line=post.body_line, site_root=site.root, options=options,
                         allowed_roots=site.allowed_roots())
    text = render_liquid(post.body, ctx)
    return {"bytes": path.stat().st_size, "liquid_bytes": len(text.encode("utf-8")),
            **measure(text)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top", type=int, default=3, help="posts shown per measure")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus {args.corpus} not found (it lives in ../shared); nothing to measure")
        return 0
    logging.disable(logging.WARNING)
    options = Options()
    rows: list[tuple[Path, dict[str, int]]] = []
    for blog in sorted(p for p in args.corpus.iterdir()
                       if p.is_dir() and not p.name.startswith(("_", "."))):
        for path in posts_of(blog):
            try:
                rows.append((path, measure_post(path, options)))
            except HanjiError as exc:
                print(f"skipped: {exc}")
    print(f"{len(rows)} posts in {args.corpus}")
    reached = 0
    for key, option in OPTIONS.items():
        ranked = sorted(rows, key=lambda row: row[1][key], reverse=True)
        line = f"{key:17} max {ranked[0][1][key]:>8,}"
        if option is not None:
            limit = getattr(options, option)
            over = sum(1 for _, values in rows if values[key] > limit)
            reached += over
            line += f"   {option} = {limit:,}" + (f"   {over} post(s) past it" if over else "")
        print(line)
        for path, values in ranked[:args.top]:
            print(f"    {values[key]:>8,}  {path.relative_to(args.corpus)}")
    return 1 if reached else 0


if __name__ == "__main__":
    sys.exit(main())
