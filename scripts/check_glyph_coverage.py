#!/usr/bin/env python3
"""Report characters of Markdown posts that the bundled fonts cannot draw.

Collects every character of the given Markdown files (directories are searched for ``*.md`` and
``*.markdown``): front-matter values are kept, front-matter keys dropped, the body kept whole
(code, HTML and Liquid included, since any of it can reach the page). Controls and
default-ignorable characters (ZWSP, ZWJ, BOM, variation selectors …) need no glyph and are left
out. Each character is checked against the cmap of every bundled family, and against the stack
of each primary family (``hanji-serif``, ``hanji-sans``, ``hanji-mono``: the family followed by
its fallbacks, as the themes write ``font-family``).

Exit status: 0 when every character is covered by every stack, 1 otherwise.

    python scripts/check_glyph_coverage.py ../shared/corpus ../shared/seed-site
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converter import fonts

log = logging.getLogger("check_glyph_coverage")

SUFFIXES = {".md", ".markdown"}
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# Used when the front matter is not valid YAML: drop "key:" at the start of each line.
_KEY_PREFIX = re.compile(r"^[ \t]*-?[ \t]*[\w.\-]+[ \t]*:", re.M)


def markdown_files(paths: list[Path]) -> list[Path]:
    """The Markdown files named by ``paths`` (directories searched recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            log.warning("%s: no such file or directory", path)
    return found


def _values(node: object) -> list[str]:
    """Every scalar value of a YAML document, keys left out."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in _values(value)]
    if isinstance(node, list):
        return [text for value in node for text in _values(value)]
    return [] if node is None else [str(node)]


def post_text(source: str) -> str:
    """The text of a post whose characters may reach the page: front-matter values and body."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return source
    body = source[match.end():]
    try:
        values = _values(yaml.safe_load(match.group(1)))
    except yaml.YAMLError:
        values = [_KEY_PREFIX.sub("", match.group(1))]
    return "\n".join([*values, body])


def describe(char: str) -> str:
    return f"U+{ord(char):04X} {char} {unicodedata.name(char, '<unnamed>')}"


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="Markdown files or directories")
    parser.add_argument("--nfc", action="store_true",
                        help="NFC-normalise the text first (composes decomposed Hangul jamo)")
    parser.add_argument("--fonts", type=Path, default=None, help="fonts folder (default: bundled)")
    parser.add_argument("--examples", type=int, default=2, help="files to name per missing char")
    args = parser.parse_args(argv)

    files = markdown_files(args.paths)
    counts: Counter[str] = Counter()
    where: dict[str, set[Path]] = defaultdict(set)
    for path in files:
        text = post_text(path.read_text(encoding="utf-8", errors="replace"))
        if args.nfc:
            text = unicodedata.normalize("NFC", text)
        counts.update(text)
        for char in set(text):
            where[char].add(path)

    chars = "".join(counts)
    drawable = {c for c in chars if fonts.needs_glyph(c)}
    ignored = sorted(set(chars) - drawable)
    manifest = fonts.load_manifest(args.fonts)
    families = list(manifest.values())
    primaries = [f.name for f in families if f.generic]
    nanum_only = [manifest[name] for name in primaries]

    log.info("%d files, %d distinct characters (%d need a glyph; %d controls/ignorables skipped: %s)",
             len(files), len(set(chars)), len(drawable), len(ignored),
             ", ".join(f"U+{ord(c):04X}" for c in ignored))
    before = fonts.missing_glyphs("".join(drawable), nanum_only)
    log.info("missing from the Nanum primaries alone: %d", len(before))
    missing_any = fonts.missing_glyphs("".join(drawable), families)
    log.info("missing from all bundled fonts: %d", len(missing_any))

    status = 0
    for name in primaries:
        stack = [manifest[n] for n in fonts.font_stack(name, manifest=manifest) if n in manifest]
        missing = fonts.missing_glyphs("".join(drawable), stack)
        alone = fonts.missing_glyphs("".join(drawable), [manifest[name]])
        log.info("stack %s: %d missing (%d without its fallbacks)", name, len(missing), len(alone))
        if missing:
            status = 1
        for char in sorted(missing):
            examples = sorted(str(p) for p in where[char])[: args.examples]
            log.info("  %s  x%d  %s", describe(char), counts[char], "; ".join(examples))
    if before and args.examples:
        log.info("filled by fallbacks: %s", " ".join(sorted(before - missing_any)))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
