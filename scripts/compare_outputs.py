#!/usr/bin/env python3
"""Check that a refactoring left the outputs unchanged: build a fixed set of posts and a small
book with the hanji of this checkout, then compare two such builds page image by page image
(PDF, ``pdftoppm -r 50``) and XHTML file by XHTML file (EPUB).

Reads the seed post and corpus under ``../shared`` (next to this checkout) and says so when
they are missing; the example blog comes from this checkout.

    python3 scripts/compare_outputs.py build /tmp/ref      # before the change
    python3 scripts/compare_outputs.py build /tmp/new      # after it
    python3 scripts/compare_outputs.py compare /tmp/ref /tmp/new

The example blog is copied to one place for every build (image ids hash the image's path).
Each build uses a fresh cache (``<dir>/cache``): the book's layout cache is keyed by HTML and
CSS, not by hanji's code, so a shared cache would compare a build with itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

#: The seed post; the example blog; one post per corpus blog (six of its seven themes).
POSTS = {
    "seed": SHARED / "seed-site/_posts/2019-07-03-nvidia-ai-conference-2019.md",
    # Copied to one fixed place first: image ids hash the image's path.
    "example": Path(tempfile.gettempdir()) / "hanji-compare-example/_posts/"
                                             "2024-05-01-hanji-first-book.md",
    "brstar96": CORPUS / "brstar96/devlog/_posts/MLDLStudy/Techniques/2019-09-27-AfterBN.md",
    "joshua1988": CORPUS / "joshua1988/_posts/web-development/webpack/2017-09-25-caching-strategy.md",
    "enidanny": CORPUS / "enidanny/_posts/2020-05-17-i2c-example2.md",
    "danbi": CORPUS / "danbi-ncsoft/_posts/2019-08-13-causality-part4-DID.md",
    "yunseo": CORPUS / "yunseo-kim/_posts/ko/2024-07-17-trigonometric-addition-formulas.md",
    "angeloyeo": CORPUS / "angeloyeo/_posts/2019-06-15-imaginary_number.md",
}
#: A book of several chapters, laid out chapter by chapter and merged.
BOOK = [
    CORPUS / "angeloyeo/_posts/2019-06-15-imaginary_number.md",
    CORPUS / "angeloyeo/_posts/2020-03-25-hypothesis.md",
    CORPUS / "angeloyeo/_posts/2021-01-26-types_of_errors.md",
]


def _hanji(*args: str) -> None:
    command = [sys.executable, "-m", "converter", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")


def _snapshot(out: Path) -> None:
    """Page images of each PDF and the XHTML of each EPUB, beside them."""
    for pdf in sorted(out.glob("*.pdf")):
        pages = out / f"{pdf.stem}-pages"
        pages.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(pages / "p")], check=True)
    for book in sorted(out.glob("*.epub")):
        xhtml = out / f"{book.stem}-xhtml"
        with zipfile.ZipFile(book) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".css")):
                    (xhtml / name).parent.mkdir(parents=True, exist_ok=True)
                    (xhtml / name).write_bytes(archive.read(name))


def build(directory: Path) -> None:
    example = Path(tempfile.gettempdir()) / "hanji-compare-example"
    shutil.rmtree(example, ignore_errors=True)
    shutil.copytree(ROOT / "examples/blog", example)
    missing = [p for p in [*POSTS.values(), *BOOK] if not p.is_file()]
    if missing:
        sys.exit(f"missing (the shared seed site and corpus live in {SHARED}): "
                 + ", ".join(map(str, missing)))
    if directory.exists():
        shutil.rmtree(directory)
    out, cache = directory / "out", directory / "cache"
    out.mkdir(parents=True)
    for name, post in POSTS.items():
        _hanji("convert", str(post), "-o", str(out / name), "--cache-dir", str(cache))
    _hanji("book", *map(str, BOOK), "--title", "비교용 책", "--sort", "list", "-j", "2",
           "-o", str(out / "book"), "--cache-dir", str(cache))
    for sub in sorted(out.iterdir()):
        _snapshot(sub)
    print(f"built {len(list(out.rglob('*.pdf')))} PDFs, {len(list(out.rglob('*.epub')))} EPUBs "
          f"in {out}")


def compare(before: Path, after: Path) -> int:
    from PIL import Image, ImageChops

    before, after = before / "out", after / "out"
    names = sorted({p.relative_to(before) for p in before.rglob("*")
                    if p.suffix in {".png", ".xhtml", ".css"}}
                   | {p.relative_to(after) for p in after.rglob("*")
                      if p.suffix in {".png", ".xhtml", ".css"}})
    differing = 0
    counts = {".png": 0, ".xhtml": 0, ".css": 0}
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"only in {'after' if b.exists() else 'before'}: {name}")
            differing += 1
            continue
        counts[name.suffix] += 1
        if name.suffix == ".png":
            with Image.open(a) as image_a, Image.open(b) as image_b:
                same = (image_a.size == image_b.size and ImageChops.difference(
                    image_a.convert("RGB"), image_b.convert("RGB")).getbbox() is None)
        else:
            same = a.read_bytes() == b.read_bytes()
        if not same:
            print(f"differs: {name}")
            differing += 1
    print(f"compared {counts['.png']} page images, {counts['.xhtml']} XHTML and "
          f"{counts['.css']} CSS files: {differing} differ")
    return 1 if differing else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "build":
        build(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
