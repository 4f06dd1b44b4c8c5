#!/usr/bin/env python3
"""List EPUBs whose titles show markup: tags, escaped tags, ``**``, Liquid.

    python scripts/epub_title_check.py OUT_DIR_OR_EPUBS...

Reads every EPUB's ``dc:title``, XHTML ``<title>`` and ``<h1>``, nav entries and NCX labels
(what the TOC, nav and running heads show) and prints each EPUB where one of them contains
``<tag>``/``</tag>``, ``&lt;``, ``**`` or ``{{``/``{%``; exit 1 when any is found. An author's
deliberately escaped text (a heading written ``\\<h1\\>``) is reported too: judge by eye.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

from lxml import etree

_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|&lt;|&gt;|\*\*|\{%|\{\{")
_XHTML = "{http://www.w3.org/1999/xhtml}"


def titles(epub: Path) -> list[tuple[str, str]]:
    """(where, text) of every title-like text of ``epub``."""
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith((".opf", ".xhtml", ".ncx")):
                continue
            root = etree.fromstring(archive.read(name))
            if name.endswith(".opf"):
                found += [("dc:title", t.text or "")
                          for t in root.iter("{http://purl.org/dc/elements/1.1/}title")]
            elif name.endswith(".ncx"):
                found += [("ncx", t.text or "")
                          for t in root.iter("{http://www.daisy.org/z3986/2005/ncx/}text")]
            else:
                is_nav = any(el.get("{http://www.idpf.org/2007/ops}type") == "toc"
                             for el in root.iter(f"{_XHTML}nav"))
                if is_nav:
                    found += [("nav", "".join(a.itertext())) for a in root.iter(f"{_XHTML}a")]
                found += [(tag, "".join(el.itertext()))
                          for tag in ("title", "h1") for el in root.iter(f"{_XHTML}{tag}")]
    return found


def main(argv: list[str]) -> int:
    epubs = [p for arg in argv for p in (sorted(Path(arg).rglob("*.epub")) if Path(arg).is_dir()
                                         else [Path(arg)])]
    if not epubs:
        print("no EPUB files given")
        return 0
    bad = 0
    for epub in epubs:
        hits = [(where, text) for where, text in titles(epub) if _MARKUP.search(text)]
        if hits:
            bad += 1
            print(f"{epub}: " + "; ".join(f"{w} «{t}»" for w, t in hits[:4]))
    print(f"{len(epubs)} EPUBs, {bad} with markup in a title, nav or NCX entry")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
