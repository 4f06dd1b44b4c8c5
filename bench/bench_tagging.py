"""Benchmark: what PDF/UA-1 tagging costs, in time and size, on the seed post (or any post).

    python bench/bench_tagging.py [POST] [--runs 5]

Converts the post to PDF alone, alternating tagged and untagged, each run a separate process
(images already cached by a first run), and prints the median wall time and the PDF sizes.
Reads ../shared/seed-site when no POST is given and says so when it is missing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_POST = REPO.parent / "shared" / "seed-site" / "_posts" / "2019-07-03-nvidia-ai-conference-2019.md"

RUN = """
import sys
from pathlib import Path
import converter
result = converter.convert(sys.argv[1], output_dir=sys.argv[2], options=converter.Options(
    formats=("pdf",), tagged_pdf=sys.argv[3] == "1", cache_dir=Path(sys.argv[4])))
print(result.outputs["pdf"].size)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("post", nargs="?", type=Path, default=SEED_POST)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.post.exists():
        print(f"{args.post} is missing (../shared/seed-site?)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        times: dict[str, list[float]] = {"untagged": [], "tagged": []}
        sizes: dict[str, int] = {}

        def run(tagged: bool) -> None:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", RUN, str(args.post), str(Path(tmp) / "out"),
                                   "1" if tagged else "0", str(cache)], capture_output=True,
                                  text=True, check=True, cwd=tmp)
            name = "tagged" if tagged else "untagged"
            times[name].append(time.perf_counter() - started)
            sizes[name] = int(done.stdout.split()[-1])

        run(False)  # fills the image cache
        times["untagged"].clear()
        for _ in range(args.runs):
            run(False)
            run(True)
    for name in ("untagged", "tagged"):
        print(f"{name:9} median {statistics.median(times[name]):.2f} s  "
              f"(min {min(times[name]):.2f})  {sizes[name]:,} bytes")
    extra = statistics.median(times["tagged"]) - statistics.median(times["untagged"])
    print(f"tagging: {extra:+.2f} s, {sizes['tagged'] - sizes['untagged']:+,} bytes "
          f"({(sizes['tagged'] / sizes['untagged'] - 1) * 100:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
