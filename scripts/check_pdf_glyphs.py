#!/usr/bin/env python3
"""Count empty boxes (tofu) in converted posts: text glyphs of the PDFs, and formula glyphs.

For each PDF given (directories are searched for ``*.pdf``):

* **text**: every glyph the content streams show (pages and form XObjects) in a composite
  (Type0, Identity-H) font is looked up: glyph 0 is ``.notdef``, an empty box; a glyph whose
  character (from the font's ToUnicode map) the embedded font program's cmap lacks is counted
  too. WeasyPrint writes only such fonts.
* **math**: formulas are drawn as paths, so the PDF cannot say which glyph a path is. The
  formulas of the post are read from the EPUB beside the PDF (``<math alttext>``, the TeX the
  PDF writer draws) and drawn again: ``after`` with hanji's math font (STIX Two Math plus the
  bundled text fonts, :mod:`converter.writers.math_fonts`), ``before`` with ziamath's STIX Two
  Math alone (what earlier versions drew); each character drawn as ``.notdef`` is counted as
  often as it occurs in the formula's TeX.

Prints one line per post with problems and a total; ``--verbose`` every post.

    python scripts/check_pdf_glyphs.py /tmp/out-yunseo /tmp/out-angeloyeo
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
from fontTools.ttLib import TTFont
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converter.fonts import needs_glyph

MATHML = "http://www.w3.org/1998/Math/MathML"


def _tounicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """Glyph id → text from a ToUnicode CMap (bfchar and bfrange entries)."""
    if "/ToUnicode" not in font:
        return {}
    data = font.ToUnicode.read_bytes().decode("latin-1")
    mapping: dict[int, str] = {}
    import re

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be", errors="replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>",
                                      block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def _program_cmap(font: pikepdf.Dictionary) -> tuple[set[int], int] | None:
    """(code points of the embedded font's cmap, number of glyphs), or None if not readable."""
    try:
        descendant = font.DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        program = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
        cmap = set(program.getBestCmap() or ())
        return cmap, program["maxp"].numGlyphs
    except Exception:  # noqa: BLE001 - any unreadable font: reported as such
        return None


def text_problems(pdf: Path) -> tuple[int, Counter[str]]:
    """(glyphs shown, problems by kind and character) for the text of one PDF."""
    shown = 0
    problems: Counter[str] = Counter()
    fonts_seen: dict[int, tuple[dict[int, str], tuple[set[int], int] | None]] = {}
    with pikepdf.open(pdf) as document:
        def walk(resources: pikepdf.Dictionary, stream: object) -> None:
            nonlocal shown
            fonts = resources.get("/Font", {}) if resources is not None else {}
            current = None
            for operands, operator in pikepdf.parse_content_stream(stream):
                op = str(operator)
                if op == "Tf":
                    current = fonts.get(str(operands[0]))
                elif op in {"Tj", "TJ", "'", '"'} and current is not None:
                    if current.get("/Subtype") != "/Type0":
                        continue
                    key = current.objgen
                    if key not in fonts_seen:
                        fonts_seen[key] = (_tounicode(current), _program_cmap(current))
                    unicode_map, program = fonts_seen[key]
                    strings = operands[0] if op == "TJ" else [operands[-1]]
                    for item in strings:
                        if not isinstance(item, pikepdf.String):
                            continue
                        raw = bytes(item)
                        for index in range(0, len(raw) - 1, 2):
                            gid = raw[index] << 8 | raw[index + 1]
                            shown += 1
                            text = unicode_map.get(gid, "")
                            if gid == 0:
                                problems[f"notdef {text!r}"] += 1
                            elif program is None:
                                problems["unreadable font"] += 1
                            elif gid >= program[1]:
                                problems["glyph beyond the font"] += 1
                            elif text and len(text) == 1 and needs_glyph(text) and \
                                    ord(text) not in program[0] and not _ligature(text):
                                problems[f"not in cmap {text!r}"] += 1
            if resources is not None:
                for xobject in (resources.get("/XObject") or {}).values():
                    if xobject.get("/Subtype") == "/Form":
                        walk(xobject.get("/Resources"), xobject)

        for page in document.pages:
            walk(page.obj.get("/Resources"), page)
    return shown, problems


def _ligature(text: str) -> bool:
    # Shaped glyphs (ligatures, Hangul jamo clusters) map to text the cmap need not have.
    return False


def formulas(epub: Path) -> list[str]:
    """The TeX of every formula of an EPUB (what the PDF writer draws), in order."""
    found: list[str] = []
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                root = etree.fromstring(archive.read(name))
                for math in root.iter(f"{{{MATHML}}}math"):
                    display = math.get("display") == "block"
                    found.append(("D" if display else "I") + (math.get("alttext") or ""))
    return found


class _Recorder:
    """Characters a ziamath math font drew as .notdef."""

    def __init__(self) -> None:
        self.missing: Counter[str] = Counter()


def math_problems(texs: list[str]) -> tuple[Counter[str], Counter[str]]:
    """(before, after): characters drawn as .notdef by STIX alone and by hanji's math font."""
    import ziamath
    from ziamath.zmath import loadedfonts

    from converter.writers.math_fonts import math_font_key, take_missing

    key = math_font_key()
    default = loadedfonts["default"]
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    original = type(default).findglyph

    seen: set[str] = set()

    def recording(self: object, char: str, variant: object) -> object:
        glyph = original(self, char, variant)  # type: ignore[arg-type]
        if glyph.index == 0 and needs_glyph(char):
            seen.add(char)
        return glyph

    ziamath.config.svg2 = False
    for entry in texs:
        display, tex = entry[0] == "D", entry[1:]
        seen.clear()
        try:
            default.findglyph = recording.__get__(default)  # type: ignore[method-assign]
            ziamath.Latex(tex, size=20, inline=not display)
        except Exception:  # noqa: BLE001 - formulas ziamath cannot draw are reported elsewhere
            pass
        finally:
            del default.findglyph
        # ziamath looks a character up several times: count its occurrences in the TeX.
        for char in seen:
            before[char] += tex.count(char)
        take_missing()
        try:
            ziamath.Latex(tex, size=20, inline=not display, font=key)
        except Exception:  # noqa: BLE001
            pass
        for char in take_missing():
            after[char] += tex.count(char)
    return before, after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--no-math", action="store_true", help="skip redrawing formulas")
    args = parser.parse_args(argv)
    pdfs: list[Path] = []
    for path in args.paths:
        if not path.exists():
            print(f"{path}: missing (run the conversion first; ../shared may be absent)")
            continue
        pdfs.extend(sorted(path.rglob("*.pdf")) if path.is_dir() else [path])
    totals: Counter[str] = Counter()
    for pdf in pdfs:
        shown, problems = text_problems(pdf)
        totals["pdfs"] += 1
        totals["text glyphs"] += shown
        totals["text tofu"] += sum(problems.values())
        line = f"{pdf.name}: {shown} text glyphs, {sum(problems.values())} tofu"
        if not args.no_math and pdf.with_suffix(".epub").is_file():
            texs = formulas(pdf.with_suffix(".epub"))
            before, after = math_problems(texs)
            totals["formulas"] += len(texs)
            totals["math tofu before"] += sum(before.values())
            totals["math tofu after"] += sum(after.values())
            line += (f"; {len(texs)} formulas, tofu before {sum(before.values())} "
                     f"({''.join(sorted(before))[:30]}), after {sum(after.values())} "
                     f"({''.join(sorted(after))})")
        if args.verbose or problems or totals["math tofu after"]:
            print(line + (f" {dict(problems)}" if problems else ""))
    print("total: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return 0 if totals["text tofu"] == 0 and totals["math tofu after"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
