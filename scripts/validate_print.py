#!/usr/bin/env python3
"""Check print-ready PDFs with tools that are not hanji's own code.

    python scripts/validate_print.py out/book.pdf out/book-cover.pdf

For each file:
* qpdf's structural check (through pikepdf), Poppler's pdffonts (every font embedded and
  subset) and a Ghostscript rendering of every page (errors on stderr);
* PDF/A-2b/3b files: pikepdf.pdfa's allowlist validator (veraPDF's rule numbers);
* PDF/X-4 files: no PDF/X validator can be installed from PyPI, Debian or npm. The file is
  checked by pikepdf.pdfa *as if it were PDF/A-2b with the same CMYK output intent*: the
  rules the two standards share (fonts embedded and consistent, device colour only as the
  output intent allows, transparency, no interpolation, annotations, PDF syntax) are judged;
  the findings about PDF/X's own identification (the GTS_PDFX intent, the pdfxid XMP keys,
  pdf:Trapped) are expected and listed apart. The page boxes and the rest of PDF/X-4 are
  checked by hanji's preflight and tests only.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf
from pikepdf import Name, pdfa

#: Findings that only say "this is PDF/X, not PDF/A".
_X_IDENTIFICATION = ("pdfx", "pdfxid", "Trapped", "pdfaid:part")


def structure(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [str(problem) for problem in pdf.check_pdf_syntax()]


def fonts(path: Path) -> tuple[int, list[str]]:
    if shutil.which("pdffonts") is None:
        return 0, ["pdffonts not installed (Debian: poppler-utils)"]
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=False).stdout.splitlines()[2:]
    bad = [line for line in lines if line.split()[-5:-3] != ["yes", "yes"]]
    return len(lines), bad


def ghostscript(path: Path) -> list[str]:
    if shutil.which("gs") is None:
        return ["gs not installed (Debian: ghostscript)"]
    run = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage",
                          str(path)], capture_output=True, text=True, check=False)
    return [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]


def as_pdfa(path: Path, directory: Path) -> Path:
    """A copy of a PDF/X-4 file identified as PDF/A-2b, content and output profile unchanged."""
    copy = directory / (path.stem + "-as-pdfa.pdf")
    with pikepdf.open(path) as pdf:
        for intent in pdf.Root.OutputIntents:
            intent.S = Name.GTS_PDFA1
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        pdf.save(copy)
    return copy


def main(paths: list[str]) -> int:
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in paths:
            path = Path(name)
            with pikepdf.open(path) as pdf:
                meta = pdf.open_metadata()
                part, level = meta.get("pdfaid:part"), meta.get("pdfaid:conformance", "")
                pdfx = meta.get("pdfxid:GTS_PDFXVersion")
                pages = len(pdf.pages)
            print(f"{path.name}: {pages} pages, PDF/X {pdfx or '-'}, "
                  f"PDF/A {part + level.lower() if part else '-'}")
            problems = structure(path)
            print(f"  qpdf check: {'ok' if not problems else problems[:5]}")
            count, bad = fonts(path)
            print(f"  pdffonts: {count} fonts, {len(bad)} not embedded+subset")
            messages = ghostscript(path)
            print(f"  ghostscript: {'ok' if not messages else messages[:5]}")
            failed += bool(problems or bad or messages)
            if part:
                report = pdfa.validate_written(path, part + level.lower())
                print(f"  pikepdf.pdfa {part}{level.lower()}: {report.verdict}")
                for finding in report.findings[:20]:
                    print(f"    [{finding.kind}] {finding.rule} {finding.where}: {finding.message}")
                failed += not report.passed
            elif pdfx:
                report = pdfa.validate_written(as_pdfa(path, Path(tmp)), "2b")
                own = [f for f in report.findings
                       if not any(key in f.message for key in _X_IDENTIFICATION)]
                print(f"  pikepdf.pdfa 2b rules on the PDF/X-4 content: {len(own)} findings "
                      f"({len(report.findings) - len(own)} about PDF/X identification)")
                for finding in own[:20]:
                    print(f"    [{finding.kind}] {finding.rule} {finding.where}: {finding.message}")
                failed += bool(own)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
