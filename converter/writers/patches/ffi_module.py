"""WeasyPrint's C declarations parsed once per installation instead of at every start.

``weasyprint.text.ffi`` hands about 450 lines of C declarations to ``cffi.FFI().cdef()``, which
parses them with pycparser at every import: about 0.6 s of each process that lays out a PDF.
cffi's *out-of-line ABI mode* does that parse once and writes the result as a small Python
module (``FFI.emit_python_code``) whose import builds the same ``ffi`` from packed type data.

:func:`install_import_hook` puts a one-shot finder in front of ``weasyprint.text.ffi``: it reads
WeasyPrint's own source, checks that it has the expected shape (``ffi = cffi.FFI()`` followed
by one ``ffi.cdef('''…''')``), loads (or first generates) the prebuilt module for exactly those
declarations, and runs the rest of WeasyPrint's module unchanged with that ``ffi``. The
prebuilt module lives in ``<user cache dir>/hanji/ffi/``, named by a hash of the declarations,
cffi's version and Python's. Anything unexpected (another source shape, a cache folder that
cannot be written, a failing load) falls back silently to WeasyPrint's normal import.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import platformdirs

from ...files import write_atomic

log = logging.getLogger(__name__)

#: The module whose declarations are prebuilt.
TARGET = "weasyprint.text.ffi"
#: The name the rewritten module reads the prebuilt ``ffi`` from, removed after the import.
_PREBUILT = "_hanji_prebuilt_ffi"


def cache_dir() -> Path:
    """``<user cache dir>/hanji/ffi`` (honours ``XDG_CACHE_HOME``)."""
    return Path(platformdirs.user_cache_dir("hanji", appauthor=False)) / "ffi"


def _split(source: str, filename: str) -> tuple[str, ast.Module] | None:
    """The declarations passed to ``ffi.cdef`` and the module's AST with the two statements
    (``ffi = cffi.FFI()``, ``ffi.cdef(...)``) replaced by ``ffi = _hanji_prebuilt_ffi``; or
    ``None`` if the module does not have exactly that shape."""
    tree = ast.parse(source, filename)
    for index, (first, second) in enumerate(zip(tree.body, tree.body[1:])):
        if not (isinstance(first, ast.Assign) and len(first.targets) == 1
                and isinstance(first.targets[0], ast.Name) and first.targets[0].id == "ffi"
                and ast.unparse(first.value) == "cffi.FFI()"):
            continue
        call = second.value if isinstance(second, ast.Expr) else None
        if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "ffi.cdef"
                and len(call.args) == 1 and not call.keywords
                and isinstance(call.args[0], ast.Constant)
                and isinstance(call.args[0].value, str)):
            return None
        if sum(ast.unparse(node).count("ffi.cdef") for node in tree.body) != 1:
            return None  # more declarations later: not the shape this was written for
        replacement = ast.Assign(targets=[ast.Name("ffi", ast.Store())],
                                 value=ast.Name(_PREBUILT, ast.Load()))
        tree.body[index:index + 2] = [ast.copy_location(replacement, first)]
        ast.fix_missing_locations(tree)
        return call.args[0].value, tree
    return None


def _prebuilt_ffi(declarations: str) -> Any:
    """The ``ffi`` of the out-of-line module for ``declarations``, generated first if absent."""
    import cffi

    key = hashlib.sha256("\0".join((declarations, cffi.__version__, sys.version)).encode())
    name = f"_weasyprint_ffi_{key.hexdigest()[:20]}"
    path = cache_dir() / f"{name}.py"
    if not path.exists():
        from cffi.recompiler import make_py_source

        builder = cffi.FFI()
        builder.cdef(declarations)
        text = io.StringIO()  # FFI.emit_python_code would print "generating …" to stdout
        make_py_source(builder, name, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.getvalue().encode("utf-8"))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ffi


class _Loader(importlib.abc.Loader):
    """Runs WeasyPrint's module, rewritten, with the prebuilt ``ffi``."""

    def __init__(self, code: Any, ffi: Any) -> None:
        self.code, self.ffi = code, ffi

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__[_PREBUILT] = self.ffi
        try:
            exec(self.code, module.__dict__)  # WeasyPrint's own module, rewritten
        finally:
            module.__dict__.pop(_PREBUILT, None)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds :data:`TARGET` once, then leaves ``sys.meta_path``."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        try:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
            if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
                return None
            source = Path(spec.origin).read_text(encoding="utf-8")
            split = _split(source, spec.origin)
            if split is None:
                log.debug("%s has an unexpected shape: imported as usual", spec.origin)
                return None
            declarations, tree = split
            ffi = _prebuilt_ffi(declarations)
            spec.loader = _Loader(compile(tree, spec.origin, "exec"), ffi)
            return spec
        except Exception as exc:  # noqa: BLE001 - any trouble: WeasyPrint's normal import
            log.debug("prebuilt C declarations unavailable (%s): imported as usual", exc)
            return None


def install_import_hook() -> bool:
    """Make the next import of :data:`TARGET` use prebuilt declarations; returns whether the
    hook was installed (not if the module is already imported)."""
    if TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _Finder())
    return True
