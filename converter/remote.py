"""Fetch a remote (http/https) image into a local file, only when the user allows it.

Beside asset resolution (:mod:`converter.assets`): an image reference that resolves to a URL
(or a ``data:`` URL) becomes a local file here. Called by the images transform for
``Options.remote_images == "fetch"``; with the default ``"skip"`` this module is never
imported and hanji never touches the network.

What a fetch may do, and why:

* ``http`` and ``https`` only; at most :data:`MAX_REDIRECTS` redirects, each one checked
  again from the start (scheme, host, addresses).
* The host is resolved once with :func:`socket.getaddrinfo` and *every* address is checked
  with :mod:`ipaddress` before anything connects: loopback, private, link-local, shared,
  multicast, reserved and unspecified addresses are refused unless
  ``Options.allow_private_networks`` is set (a post must not make the converter probe the
  user's LAN or a cloud metadata service). The connection then goes to an address that was
  checked, never to a second lookup of the name (DNS rebinding); HTTPS still verifies the
  certificate against the host name.
* :data:`TIMEOUT` seconds for the whole fetch (name lookup, connect, every read),
  :data:`MAX_BYTES` for the body (streamed: a lying ``Content-Length`` does not help), and a
  ``Content-Type`` of ``image/*``. The bytes are not trusted any further: the image stage
  sniffs, decodes and re-encodes them like any local file.
* Successful fetches are cached on disk by URL (``<image cache>/remote/``), so a rebuild does
  not fetch again; failures are not cached. Without a cache (``--no-cache``) the files live in
  a temporary folder removed when the process exits.

Proxies from the environment are not used. On failure the reason is a warning (through the
caller's ``warn``) and the caller shows a placeholder.

The same goes for images inlined as ``data:image/…`` URLs (:func:`data_url_image`): up to
:data:`MAX_DATA_URL_BYTES` they are decoded into the same folder (keyed by content) and then
treated like any local image; larger ones are refused. Knows nothing about output formats.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import http.client
import ipaddress
import json
import logging
import re
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from .files import write_atomic
from .images.cache import default_cache_dir
from .options import Options

logger = logging.getLogger(__name__)

#: Seconds allowed for one image, everything included (lookups, connects, redirects, body).
TIMEOUT = 10.0
#: Largest body accepted, in bytes.
MAX_BYTES = 20 * 1024 * 1024
#: Redirects followed (each re-checked); one more is a failure.
MAX_REDIRECTS = 3
#: Largest ``data:`` image URL accepted (its text, base64 included).
MAX_DATA_URL_BYTES = 2 * 1024 * 1024
_CHUNK = 64 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}
_USER_AGENT = "hanji (book converter; fetches images named in a post)"

_temporary_dir: tempfile.TemporaryDirectory[str] | None = None
_temporary_lock = threading.Lock()


class RemoteImageError(Exception):
    """Why a remote image could not be fetched (one line, for a warning)."""


def fetch_remote_image(url: str, options: Options, warn: Callable[[str], None]) -> Path | None:
    """The local file holding the image at ``url``, fetched (or found in the cache).

    Returns ``None`` after a warning through ``warn`` when the URL is refused or the fetch
    fails; never raises for network or content problems.
    """
    folder = _cache_folder(options.cache_dir, use_cache=options.cache)
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
    cached = _cached(folder, key, url)
    if cached is not None:
        logger.debug("remote image %s: from the cache", url)
        return cached
    try:
        data, content_type = fetch(url, allow_private=options.allow_private_networks)
    except RemoteImageError as exc:
        warn(f"remote image {_short(url)}: {exc}")
        return None
    path = folder / f"{key}.img"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        meta = {"url": url, "content_type": content_type, "bytes": len(data),
                "fetched": int(time.time())}
        write_atomic(folder / f"{key}.json", json.dumps(meta).encode("utf-8"))
    except OSError as exc:
        warn(f"remote image {_short(url)}: cannot store it: {exc.strerror or exc}")
        return None
    return path


def data_url_image(url: str, options: Options, warn: Callable[[str], None]) -> Path | None:
    """The local file holding the image of a ``data:image/…`` URL, or ``None`` after a warning.

    Only ``image/*`` media types, only up to :data:`MAX_DATA_URL_BYTES`; base64 must be valid.
    What the bytes really are is for the image stage to sniff.
    """
    text = re.sub(r"\s+", "", url)
    if len(text) > MAX_DATA_URL_BYTES:
        warn(f"inline data: image of {len(text):,} bytes is over the "
             f"{MAX_DATA_URL_BYTES:,}-byte limit; refused")
        return None
    header, comma, payload = text.partition(",")
    params = header[5:].lower().split(";") if header.lower().startswith("data:") else []
    if not comma or not params or not params[0].startswith("image/"):
        warn(f"inline data: URL {_short(text)!r} is not an image; refused")
        return None
    try:
        data = (base64.b64decode(payload, validate=True) if "base64" in params[1:]
                else unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        warn("inline data: image has invalid base64; refused")
        return None
    if not data:
        warn("inline data: image is empty; refused")
        return None
    folder = _cache_folder(options.cache_dir, use_cache=options.cache)
    path = folder / f"data-{hashlib.sha256(data).hexdigest()[:40]}.img"
    try:
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
    except OSError as exc:
        warn(f"inline data: image: cannot store it: {exc.strerror or exc}")
        return None
    return path


def fetch(url: str, *, allow_private: bool = False, timeout: float | None = None,
          max_bytes: int | None = None) -> tuple[bytes, str]:
    """GET ``url`` under the rules in the module docstring: (body, content type).

    Raises :class:`RemoteImageError` with a one-line reason.
    """
    deadline = time.monotonic() + (TIMEOUT if timeout is None else timeout)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    # Socket timeouts bound each wait, not the sum: a server dripping a byte at a time could
    # stretch a fetch for ever. At the deadline the watchdog shuts the sockets down.
    connections: list[http.client.HTTPConnection] = []
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _abort, args=(connections,))
    watchdog.daemon = True
    watchdog.start()
    try:
        return _fetch(url, allow_private=allow_private, deadline=deadline, limit=limit,
                      connections=connections)
    except RemoteImageError:
        if time.monotonic() >= deadline:
            raise RemoteImageError("timed out") from None
        raise
    finally:
        watchdog.cancel()


def _fetch(url: str, *, allow_private: bool, deadline: float, limit: int,
           connections: list[http.client.HTTPConnection]) -> tuple[bytes, str]:
    for _hop in range(MAX_REDIRECTS + 1):
        response, connection = _request(url, allow_private=allow_private, deadline=deadline,
                                        connections=connections)
        try:
            status = response.status
            if status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise RemoteImageError(f"HTTP {status} redirect without a Location")
                url = urljoin(url, location.strip())
                continue
            if status != 200:
                raise RemoteImageError(f"HTTP {status} {response.reason or ''}".strip())
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if not content_type.startswith("image/"):
                raise RemoteImageError(f"not an image (Content-Type {content_type or 'missing'!r})")
            length = response.getheader("Content-Length")
            if length and length.strip().isdigit() and int(length) > limit:
                raise RemoteImageError(f"too large: {int(length):,} bytes (limit {limit:,})")
            return _read_body(response, connection, limit, deadline), content_type
        except (OSError, http.client.HTTPException) as exc:
            raise RemoteImageError(_network_reason(exc)) from None
        finally:
            connection.close()
    raise RemoteImageError(f"more than {MAX_REDIRECTS} redirects")


def _abort(connections: list[http.client.HTTPConnection]) -> None:
    """Shut down every socket of the fetch (the watchdog's job at the deadline)."""
    for connection in list(connections):
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is a global unicast address (not loopback, private, multicast…)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour or (
            address.teredo[1] if address.teredo else None)
        if mapped is not None:
            return is_public_address(mapped)
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and not address.is_loopback and not address.is_link_local
            and not address.is_unspecified and not address.is_private)


def _request(url: str, *, allow_private: bool, deadline: float,
             connections: list[http.client.HTTPConnection]
             ) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    """Check ``url``, resolve and check its host, connect to a checked address, send a GET."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise RemoteImageError(f"refused URL scheme {scheme or '(none)'!r}")
    try:
        host, port = parts.hostname, parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise RemoteImageError("invalid port in URL") from None
    if not host:
        raise RemoteImageError("URL without a host")
    addresses = _resolve(host, port, deadline)
    if not allow_private:
        refused = [str(a) for a in addresses if not is_public_address(a)]
        if refused:
            raise RemoteImageError(f"host {host!r} resolves to a non-public address "
                                   f"({refused[0]}); refused (allow_private_networks is off)")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    last_error: BaseException | None = None
    for address in addresses:
        connection = _connection(scheme, host, port, address, _remaining(deadline))
        connections.append(connection)
        try:
            connection.putrequest("GET", target, skip_accept_encoding=True)
            connection.putheader("User-Agent", _USER_AGENT)
            connection.putheader("Accept", "image/*")
            connection.putheader("Accept-Encoding", "identity")
            connection.endheaders()
            return connection.getresponse(), connection
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last_error = exc
            if time.monotonic() >= deadline:
                break
    raise RemoteImageError(_network_reason(last_error))


def _resolve(host: str, port: int, deadline: float
             ) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address ``host`` resolves to, within the deadline (getaddrinfo has no timeout)."""
    infos: list[tuple[Any, ...]] = []
    errors: list[BaseException] = []

    def lookup() -> None:
        try:
            infos.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            errors.append(exc)

    worker = threading.Thread(target=lookup, name="hanji-dns", daemon=True)
    worker.start()
    worker.join(_remaining(deadline))
    if worker.is_alive():
        raise RemoteImageError(f"timed out resolving {host!r}")
    if errors:
        raise RemoteImageError(f"cannot resolve {host!r}: {_network_reason(errors[0])}")
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        try:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        except ValueError:
            continue
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise RemoteImageError(f"cannot resolve {host!r}")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``host`` that connects to one already-checked address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """HTTPS to a checked address; the certificate is verified against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, address, timeout)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def _connection(scheme: str, host: str, port: int, address: ipaddress.IPv4Address
                | ipaddress.IPv6Address, timeout: float) -> http.client.HTTPConnection:
    cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    return cls(host, port, str(address), timeout)


def _read_body(response: http.client.HTTPResponse, connection: http.client.HTTPConnection,
               limit: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = _remaining(deadline)
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        chunk = response.read1(_CHUNK)  # one receive at a time: the deadline is checked often
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise RemoteImageError(f"too large: over {limit:,} bytes")
        chunks.append(chunk)
    if not size:
        raise RemoteImageError("empty response")
    return b"".join(chunks)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise RemoteImageError("timed out")
    return left


def _network_reason(exc: BaseException | None) -> str:
    if isinstance(exc, RemoteImageError):
        return str(exc)
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {getattr(exc, 'reason', None) or exc}"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    if exc is None:
        return "no address to connect to"
    return " ".join(str(exc).split()) or type(exc).__name__


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


def _cache_folder(cache_dir: Path | None, *, use_cache: bool) -> Path:
    """``<image cache>/remote``, or a per-process temporary folder without a cache."""
    global _temporary_dir
    if use_cache:
        return (cache_dir if cache_dir is not None else default_cache_dir()) / "remote"
    with _temporary_lock:
        if _temporary_dir is None:
            _temporary_dir = tempfile.TemporaryDirectory(prefix="hanji-remote-")
        return Path(_temporary_dir.name)


def _cached(folder: Path, key: str, url: str) -> Path | None:
    """The stored body for ``url`` if a complete entry exists."""
    with contextlib.suppress(OSError, ValueError, TypeError):
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        path = folder / f"{key}.img"
        if isinstance(meta, dict) and meta.get("url") == url and path.is_file():
            return path
    return None


__all__ = ["MAX_BYTES", "MAX_DATA_URL_BYTES", "MAX_REDIRECTS", "TIMEOUT", "RemoteImageError",
           "data_url_image", "fetch", "fetch_remote_image", "is_public_address"]
