"""The README's library example runs as written (from a folder holding examples/blog)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def library_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Library"):]
    section = section[: section.index("\n## ", 1)]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    return code


def test_readme_library_example_runs(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    script = tmp_path / "example.py"
    script.write_text(library_example(), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "2024-05-01-hanji-first-book.epub", "2024-05-01-hanji-first-book.pdf",
        "hanji-example.epub", "hanji-example.pdf"]
    assert "error: examples/blog/_posts/no-such-post.md: no such file" in proc.stdout
