"""An on-disk cache of prepared images, keyed by content and by what was asked of them.

The key is a hash of the source file's sha256, the :class:`ImageProfile`, the target width and
:data:`PIPELINE_VERSION`; so a renamed or copied file is a hit and an edited one a miss. Each
entry is the output file ``<key>.<ext>`` plus ``<key>.json`` (media type, dimensions, and the
file's size and sha256), written atomically in that order. A hit checks the file against its
size and checksum: an entry cut short, damaged, or mixed from two processes writing the same
key at once is a miss and is rebuilt, never embedded. Many processes may share a directory.

Knows nothing about decoding or output formats.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import platformdirs

from ..files import write_atomic
from .model import EXTENSIONS, PIPELINE_VERSION, Encoded, ImageRequest, PreparedImage

logger = logging.getLogger(__name__)

_ENTRY_SUFFIXES = frozenset({".json", ".tmp", *EXTENSIONS.values()})


def default_cache_dir() -> Path:
    """``<user cache dir>/hanji/images``; on Linux that honours ``XDG_CACHE_HOME``."""
    return Path(platformdirs.user_cache_dir("hanji", appauthor=False)) / "images"


def content_digest(data: bytes) -> str:
    """The sha256 of a source file's bytes, hex."""
    return hashlib.sha256(data).hexdigest()


def cache_key(digest: str, request: ImageRequest) -> str:
    """The cache key of ``request`` for a source whose content hashes to ``digest``.

    The decompression-bomb limit is not part of it: it guards decoding, and a cached output
    was decoded within the limit of its day (failures are never cached)."""
    profile = request.profile
    parts = [PIPELINE_VERSION, digest, profile.max_long_edge, profile.max_pixels,
             profile.jpeg_quality, profile.first_frame_only, request.target_width_px]
    if not profile.palette:
        parts.append("no-palette")  # keys of palette-allowing requests stay as they were
    return hashlib.sha256(json.dumps(parts).encode("ascii")).hexdigest()[:40]


def _intact(path: Path, meta: dict[str, object]) -> bool:
    """Whether the entry's file has the size and checksum its description recorded (a file
    cut short by a full disk, damaged, or paired with another process's description is not:
    it is rebuilt, never embedded)."""
    try:
        if path.stat().st_size != meta.get("size"):
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == meta.get("sha256")
    except OSError:
        return False


class ImageCache:
    """Prepared images on disk, shared by runs, writers and worker processes.

    ``ImageCache(None)`` uses :func:`default_cache_dir`; ``ImageCache(temporary=True)`` uses a
    fresh temporary directory that :meth:`close` (or leaving a ``with`` block) deletes, for a
    run that must not touch the user's cache but needs its outputs until the writers finish.
    Entries are written atomically, so concurrent processes can share a directory.
    """

    def __init__(self, directory: Path | None = None, *, temporary: bool = False) -> None:
        self._temporary: tempfile.TemporaryDirectory[str] | None = None
        if temporary:
            if directory is not None:
                raise ValueError("a temporary ImageCache chooses its own directory")
            self._temporary = tempfile.TemporaryDirectory(prefix="hanji-images-")
            directory = Path(self._temporary.name)
        self.directory: Path = Path(directory) if directory is not None else default_cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        kind = " temporary" if self._temporary is not None else ""
        return f"<ImageCache{kind} {self.directory}>"

    @property
    def temporary(self) -> bool:
        """Whether :meth:`close` deletes the directory."""
        return self._temporary is not None

    def get(self, key: str, source: Path) -> PreparedImage | None:
        """The entry for ``key`` (as prepared for ``source``), or ``None`` on a miss."""
        try:
            meta = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
            name, media_type = meta["file"], meta["media_type"]
            width, height = int(meta["width"]), int(meta["height"])
            # Only a plain file name of ours: an edited entry must not point elsewhere.
            if name != f"{key}{EXTENSIONS[media_type]}":
                raise ValueError(name)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            logger.debug("image cache entry %s is unreadable; rebuilding it", key)
            return None
        path = self.directory / name
        if not _intact(path, meta):
            if path.exists():
                logger.debug("image cache entry %s is damaged (size or checksum); rebuilding it",
                             key)
            return None
        return PreparedImage(path=path, media_type=media_type, width=width, height=height,
                             source=source)

    def put(self, key: str, source: Path, encoded: Encoded) -> PreparedImage:
        """Store ``encoded`` under ``key``; return it as prepared for ``source``."""
        name = f"{key}{EXTENSIONS[encoded.media_type]}"
        write_atomic(self.directory / name, encoded.data)
        meta = {"file": name, "media_type": encoded.media_type, "width": encoded.width,
                "height": encoded.height, "pipeline": PIPELINE_VERSION,
                "size": len(encoded.data), "sha256": hashlib.sha256(encoded.data).hexdigest()}
        write_atomic(self.directory / f"{key}.json", json.dumps(meta).encode("utf-8"))
        return PreparedImage(path=self.directory / name, media_type=encoded.media_type,
                             width=encoded.width, height=encoded.height, source=source)

    def clear(self) -> None:
        """Delete every entry (and leftover temporary file) in the directory."""
        for path in self.directory.iterdir():
            if path.is_file() and path.suffix in _ENTRY_SUFFIXES:
                with contextlib.suppress(OSError):
                    path.unlink()

    def close(self) -> None:
        """Delete the directory of a temporary cache; a persistent cache is left alone."""
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

