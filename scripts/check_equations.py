#!/usr/bin/env python3
"""Check equation numbers and references in converted posts (PDF + EPUB pairs).

For every ``*.pdf`` under the given folders (with its ``.epub`` beside it) counts:

* TeX numbering commands left visible in the PDF's text (``pdftotext``): ``\\label``,
  ``\\ref``, ``\\eqref``, ``\\tag``, ``\\nonumber``, ``\\notag``;
* equation numbers (``span.math-tag`` with a number) and references (``a.math-ref``) in the
  EPUB, and references whose target id is missing;
* internal link annotations of the PDF and those whose destination does not resolve (a named
  destination missing from the document, or an explicit one not pointing at a page);
* mermaid diagrams drawn (``figure.diagram``) and shown as source (``figure.diagram-source``).

    python scripts/check_equations.py /tmp/out-yunseo /tmp/out-angeloyeo
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

_VISIBLE = re.compile(r"\\(?:label|eqref|ref|tag|nonumber|notag)\b")


def check(pdf: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    counts["visible TeX numbering commands"] += len(_VISIBLE.findall(text))
    reader = PdfReader(pdf)
    named = set(reader.named_destinations)
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            link = annotation.get_object()
            if link.get("/Subtype") != "/Link":
                continue
            destination = link.get("/Dest")
            if destination is None and "/A" in link and link["/A"].get("/S") == "/GoTo":
                destination = link["/A"].get("/D")
            if destination is None:
                continue
            counts["pdf internal links"] += 1
            if isinstance(destination, str):
                ok = destination in named
            else:
                ok = destination[0].get_object().get("/Type") == "/Page"
            counts["pdf internal links unresolved"] += 0 if ok else 1
    epub = pdf.with_suffix(".epub")
    if epub.is_file():
        with zipfile.ZipFile(epub) as archive:
            documents = [etree.fromstring(archive.read(n)) for n in archive.namelist()
                         if n.endswith(".xhtml")]
        ids = {i for doc in documents for i in doc.xpath("//@id")}
        for doc in documents:
            tags = doc.xpath("//*[local-name()='span'][@class='math-tag']")
            counts["equation numbers"] += sum(1 for t in tags if (t.text or "").strip())
            for ref in doc.xpath("//*[local-name()='a'][contains(@class,'math-ref')]"):
                counts["equation refs (links)"] += 1
                if (ref.get("href") or "").lstrip("#") not in ids:
                    counts["equation refs unresolved"] += 1
            counts["refs to undefined labels"] += len(
                doc.xpath("//*[local-name()='span'][@class='math-ref']"))
            counts["mermaid drawn"] += len(doc.xpath(
                "//*[local-name()='figure'][contains(@class,'diagram') and "
                "not(contains(@class,'diagram-source'))]"))
            counts["mermaid as source"] += len(
                doc.xpath("//*[local-name()='figure'][@class='diagram-source']"))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    totals: Counter[str] = Counter()
    for path in args.paths:
        if not path.exists():
            print(f"{path}: missing (run the conversion first; ../shared may be absent)")
            continue
        for pdf in sorted(path.rglob("*.pdf")):
            counts = check(pdf)
            totals.update(counts)
            totals["pdfs"] += 1
            bad = {k: v for k, v in counts.items() if v and ("unresolved" in k or "visible" in k)}
            if bad:
                print(f"{pdf.name}: {bad}")
    for key in sorted(totals):
        print(f"{key}: {totals[key]}")
    bad = sum(v for k, v in totals.items() if "unresolved" in k or "visible" in k)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
