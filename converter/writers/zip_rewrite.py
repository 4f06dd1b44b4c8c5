"""Rewrite a ZIP archive (an EPUB) with some members replaced, copying the others as they are.

An EPUB is rewritten twice after EbookLib writes it (the package's language, then the PDF's
page list). ``zipfile`` can only copy a member by inflating it and deflating it again: for a
book of 25 MB of images that is about 0.7 CPU-s a rewrite, for files that do not change. Here
the unchanged members' compressed bytes are copied with their CRC and sizes; only the replaced
ones are deflated (as ``zipfile`` does, level 6). Members stay in their order, so the EPUB's
``mimetype`` stays first and stored.

Reads and writes the classic ZIP format only (what EbookLib writes): an archive with ZIP64
records, encryption or a member over 4 GB is rewritten with ``zipfile`` instead, slowly but
the same. Knows nothing about EPUB.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

#: Local file header: signature, version needed, flags, method, time, date, CRC-32,
#: compressed size, size, name length, extra length (APPNOTE 4.3.7).
_LOCAL = struct.Struct("<IHHHHHIIIHH")
#: Central directory header (APPNOTE 4.3.12), up to the local header's offset.
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
#: End of central directory record (APPNOTE 4.3.16).
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF
#: Flag bit 3: CRC and sizes in a data descriptor after the data (not in the local header).
_DESCRIPTOR = 0x08
_ENCRYPTED = 0x01


def rewrite_zip(path: Path, replaced: dict[str, bytes]) -> bytes:
    """The archive at ``path`` with the members named in ``replaced`` holding their new bytes
    (deflated; ``mimetype`` stored), every other member copied unchanged, in the same order."""
    with open(path, "rb") as source, zipfile.ZipFile(source) as archive:
        infos = archive.infolist()
        if any(info.flag_bits & _ENCRYPTED or info.file_size >= _LIMIT
               or info.compress_size >= _LIMIT or info.header_offset >= _LIMIT
               for info in infos) or len(infos) >= 0xFFFF:
            return _rewrite_slowly(archive, replaced)
        out = io.BytesIO()
        central = []
        for info in infos:
            name = info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")
            flags = info.flag_bits & ~_DESCRIPTOR
            if info.filename in replaced:
                data = replaced[info.filename]
                crc, size = zlib.crc32(data), len(data)
                method = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
                if method == zipfile.ZIP_DEFLATED:
                    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
                    data = packer.compress(data) + packer.flush()
                flags &= ~0x06  # the deflate option bits describe the old data
            else:
                data = _raw(source, info)
                crc, size, method = info.CRC, info.file_size, info.compress_type
            offset = out.tell()
            if offset >= _LIMIT or len(data) >= _LIMIT:
                return _rewrite_slowly(archive, replaced)
            time, date = _dos_time(info.date_time)
            needed = max(info.extract_version, 20 if method == zipfile.ZIP_DEFLATED else 10)
            out.write(_LOCAL.pack(0x04034B50, needed, flags, method, time, date, crc, len(data),
                                  size, len(name), 0))
            out.write(name)
            out.write(data)
            central.append(_CENTRAL.pack(0x02014B50, info.create_version
                                         | (info.create_system << 8), needed, flags, method,
                                         time, date, crc, len(data), size, len(name), 0, 0, 0,
                                         info.internal_attr, info.external_attr, offset) + name)
        start = out.tell()
        for record in central:
            out.write(record)
        out.write(_END.pack(0x06054B50, 0, 0, len(central), len(central), out.tell() - start,
                            start, 0))
        return out.getvalue()


def _raw(source: io.BufferedReader, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes as stored in the archive (compressed), after its local header."""
    source.seek(info.header_offset)
    header = source.read(_LOCAL.size)
    fields = _LOCAL.unpack(header)
    if fields[0] != 0x04034B50:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    source.seek(info.header_offset + _LOCAL.size + fields[9] + fields[10])
    return source.read(info.compress_size)


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _rewrite_slowly(archive: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    """The same with ``zipfile``: every member inflated and deflated again."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in archive.infolist():
            data = replaced.get(info.filename)
            if data is None:
                data = archive.read(info.filename)
            method = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, data, compress_type=method)
    return out.getvalue()
