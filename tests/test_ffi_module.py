"""WeasyPrint's C declarations prebuilt once (converter.writers.patches.ffi_module): the rewrite
of its module, the fallback, and a real PDF laid out by a process that never ran pycparser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from converter.writers.patches import ffi_module

SHAPED = '''"""doc"""
import cffi

ffi = cffi.FFI()
ffi.cdef("""
    int abs (int x);
""")
lib = ffi.dlopen(None)
value = lib.abs(-3)
'''

# Imports WeasyPrint through hanji's gate, lays out a page, and reports whether cffi's parser
# (pycparser) was imported and which kind of ffi WeasyPrint got.
PROBE = """
import sys
from converter.writers import patches
patches.install()
import weasyprint
from weasyprint.text import ffi as module
weasyprint.HTML(string="<p>안녕하세요 hello</p>").write_pdf(sys.argv[1])
print("cparser" if "cffi.cparser" in sys.modules else "no-cparser", type(module.ffi).__module__)
"""


def test_split_replaces_the_declarations_by_the_prebuilt_ffi() -> None:
    split = ffi_module._split(SHAPED, "shaped.py")
    assert split is not None
    declarations, tree = split
    assert "int abs (int x);" in declarations
    import ast

    source = ast.unparse(tree)
    assert "cdef" not in source and "ffi = _hanji_prebuilt_ffi" in source


def test_prebuilt_module_behaves_like_the_parsed_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    split = ffi_module._split(SHAPED, "shaped.py")
    assert split is not None
    declarations, tree = split
    ffi = ffi_module._prebuilt_ffi(declarations)
    assert list((tmp_path / "hanji" / "ffi").glob("_weasyprint_ffi_*.py"))
    namespace: dict[str, object] = {"_hanji_prebuilt_ffi": ffi}
    exec(compile(tree, "shaped.py", "exec"), namespace)  # our own fixture
    assert namespace["value"] == 3


def test_other_shapes_are_left_alone() -> None:
    assert ffi_module._split("import cffi\nffi = cffi.FFI()\nx = 1\n", "a.py") is None
    twice = SHAPED + 'ffi.cdef("int labs (int x);")\n'
    assert ffi_module._split(twice, "b.py") is None
    assert ffi_module._split("x = 1\n", "c.py") is None


def test_weasyprint_lays_out_without_pycparser_from_the_second_start(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONWARNINGS="ignore")
    reports = []
    for run in range(2):
        pdf = tmp_path / f"{run}.pdf"
        result = subprocess.run([sys.executable, "-c", PROBE, str(pdf)], env=env,
                                capture_output=True, text=True, check=True)
        reports.append(result.stdout.split())
        assert len(PdfReader(pdf).pages) == 1
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "안녕하세요 hello" in text
    # The first start parses (and writes the prebuilt module), the second does not parse.
    assert reports[0][0] == "cparser"
    assert reports[1] == ["no-cparser", "_cffi_backend"]
    assert list((tmp_path / "cache" / "hanji" / "ffi").glob("_weasyprint_ffi_*.py"))


def test_unwritable_cache_falls_back_to_the_normal_import(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = dict(os.environ, XDG_CACHE_HOME=str(blocker), PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "x.pdf")], env=env,
                            capture_output=True, text=True, check=True)
    assert result.stdout.split()[0] == "cparser"
    assert len(PdfReader(tmp_path / "x.pdf").pages) == 1
