"""Check that every reference in the corpus's REFS_NEEDING_NORMALIZATION.tsv resolves.

    python scripts/check_normalized_refs.py [CORPUS_DIR]

Each row names a post, a reference as written and the file it should reach after repair; the
resolver (converter.assets.AssetResolver) must reach exactly that file. Reads ../shared/corpus
by default and says so when it is absent.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from converter.assets import AssetResolver
from converter.site import load_site

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT
    if not corpus.is_dir():
        print(f"corpus not found at {corpus} (../shared absent): nothing to check")
        return 0
    total = bad = 0
    for table in sorted((corpus / "_meta").glob("*/REFS_NEEDING_NORMALIZATION.tsv")):
        blog = table.parent.name
        root = corpus / blog
        site_root = root / "devlog" if (root / "devlog" / "_config.yml").exists() else root
        site = load_site(site_root if (site_root / "_config.yml").exists() else root)
        with table.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                total += 1
                post = root / row["post"]
                # Liquid has already run on a real post: {{ site.url }} etc. are substituted.
                # The table writes a newline inside a URL as a literal backslash-n.
                reference = (row["reference_as_written"].replace("\\n", "\n")
                             .replace("{{ site.url }}", site.url))
                teaser = row["kind"].startswith("front-matter")
                found = AssetResolver(site, post).resolve(reference, teaser=teaser).path
                expected = (root / row["resolved_to"]).resolve()
                if found != expected:
                    bad += 1
                    print(f"{blog}: {row['post']}: {reference!r} -> {found} (expected {expected})")
    print(f"{total} references needing normalisation, {total - bad} resolved, {bad} not")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
