"""Files written whole or not at all: the one atomic file writer.

Everything hanji writes (outputs, cache entries, layouts, fonts, fetched images) goes to a
temporary file beside its target and is renamed over it only when complete, so a crash, an
interrupt or a full disk never leaves a half-written file under the real name, and processes
sharing a cache never read one. Knows nothing of what the files hold.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path, *, suffix: str = ".part", public: bool = True) -> Iterator[Path]:
    """Yield a new empty temporary file beside ``target`` (``.<name>.<random><suffix>``); rename
    it over ``target`` when the block succeeds, delete it when it fails. ``public``: give it
    the usual permissions (umask applied) instead of ``mkstemp``'s owner-only ones. Creating
    the temporary file raises :class:`OSError` before the block runs."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if public:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory (owner-only
    permissions: cache entries)."""
    with atomic_path(path, suffix=".tmp", public=False) as tmp:
        tmp.write_bytes(data)
