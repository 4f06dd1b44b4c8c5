"""converter.writers.zip_rewrite: members replaced, the others copied without recompressing."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from converter.writers.zip_rewrite import rewrite_zip


class _Unseekable(io.RawIOBase):
    """A write-only stream: ``zipfile`` then puts CRC and sizes in data descriptors."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


#: Incompressible, like a photo.
_NOISE = os.urandom(20000)


def _members() -> dict[str, bytes]:
    return {
        "mimetype": b"application/epub+zip",
        "EPUB/content.opf": b"<package>" + b"x" * 5000 + b"</package>",
        "EPUB/images/noise.png": _NOISE,
        "EPUB/text/\ud55c\uae00.xhtml": "<p>\ud55c\uae00</p>".encode() * 300,
    }


def _write(target: io.RawIOBase | Path) -> None:
    with zipfile.ZipFile(target, "w") as archive:  # type: ignore[arg-type]
        for name, data in _members().items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)


@pytest.mark.parametrize("seekable", [True, False])
def test_replaces_some_members_and_copies_the_rest(tmp_path: Path, seekable: bool) -> None:
    path = tmp_path / "book.epub"
    if seekable:
        _write(path)
    else:
        stream = _Unseekable()
        _write(stream)
        path.write_bytes(bytes(stream.data))
    before = {info.filename: info for info in zipfile.ZipFile(path).infolist()}
    new_opf = b"<package xml:lang='ko'>" + b"y" * 4000 + b"</package>"

    data = rewrite_zip(path, {"EPUB/content.opf": new_opf})

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None  # every CRC checks
    expected = {**_members(), "EPUB/content.opf": new_opf}
    assert archive.namelist() == list(expected)  # same order: mimetype first
    for name, content in expected.items():
        assert archive.read(name) == content
    infos = {info.filename: info for info in archive.infolist()}
    assert infos["mimetype"].compress_type == zipfile.ZIP_STORED
    assert infos["EPUB/content.opf"].compress_type == zipfile.ZIP_DEFLATED
    assert infos["EPUB/content.opf"].compress_size < len(new_opf) / 10
    for name in ("EPUB/images/noise.png", "EPUB/text/\ud55c\uae00.xhtml"):
        # copied: the same compressed bytes, not compressed again
        assert infos[name].compress_size == before[name].compress_size
        assert infos[name].CRC == before[name].CRC
        assert infos[name].date_time == before[name].date_time
