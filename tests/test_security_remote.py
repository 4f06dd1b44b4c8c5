"""Remote images: no network unless allowed, never private addresses unless allowed, bounded.

A local ``http.server`` on 127.0.0.1 counts the requests it gets, so the tests can show that a
refused URL was refused *before* any connection was made.
"""

from __future__ import annotations

import http.server
import io
import ipaddress
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SiteBuilder
from PIL import Image

import converter
from converter import remote
from converter.remote import RemoteImageError, is_public_address


def _png(size: tuple[int, int] = (60, 40), colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


class _Server:
    """A tiny image server with a few misbehaving routes; counts requests per path."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.image = _png()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits.append(self.path)
                route = self.path.split("?")[0]
                if route == "/ok.png":
                    self._send(200, "image/png", server.image)
                elif route == "/html.png":
                    self._send(200, "text/html", b"<html>not an image</html>")
                elif route == "/huge.png":
                    self._send(200, "image/png", server.image + b"\0" * 300_000)
                elif route == "/liar.png":  # no Content-Length: the cap applies while reading
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.end_headers()
                    self.wfile.write(server.image + b"\0" * 300_000)
                    self.close_connection = True
                elif route == "/slow.png":
                    time.sleep(1.5)
                    self._send(200, "image/png", server.image)
                elif route in ("/drip-body.png", "/drip-headers.png"):
                    # A byte (or a header) at a time: every wait is short, the whole is endless.
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    if route == "/drip-body.png":
                        self.wfile.write(b"Content-Type: image/png\r\n\r\n")
                    for _ in range(100):
                        self.wfile.write(b"x" if route == "/drip-body.png" else b"X-Drip: 1\r\n")
                        self.wfile.flush()
                        time.sleep(0.05)
                    self.close_connection = True
                elif route.startswith("/redirect/"):
                    left = int(route.rsplit("/", 1)[1])
                    target = f"/redirect/{left - 1}" if left > 1 else "/ok.png"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif route == "/to-private":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.2:{self.server.server_port}/ok.png")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif route == "/to-file":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._send(404, "text/plain", b"no")

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Quiet(http.server.ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that gave up (the timeout test) is not an error here

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    running = _Server()
    yield running
    running.close()


@pytest.fixture
def hits(server: _Server) -> list[str]:
    server.hits.clear()
    return server.hits


def _options(tmp_path: Path, **changes: object) -> converter.Options:
    return converter.Options(formats=("epub",), cache_dir=tmp_path / "cache", jobs=1, **changes)


def _epub_images(path: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        # Body images: not the generated cover picture of a post without a teaser.
        return [n for n in archive.namelist()
                if n.startswith("EPUB/images/") and n != "EPUB/images/cover.png"]


def test_default_never_touches_the_network(site: SiteBuilder, server: _Server,
                                           hits: list[str], tmp_path: Path) -> None:
    post = site.post("2024-01-01-r.md", f"![remote]({server.url('/ok.png')})\n")
    result = converter.convert(post, output_dir=tmp_path / "out", options=_options(tmp_path))
    assert hits == []
    assert _epub_images(result.outputs["epub"].path) == []
    assert any("remote_images=skip" in str(w) for w in result.warnings)


def test_private_address_refused_before_connecting(site: SiteBuilder, server: _Server,
                                                   hits: list[str], tmp_path: Path) -> None:
    post = site.post("2024-01-01-r.md", f"![remote]({server.url('/ok.png')})\n\n"
                                        f"![local](http://localhost:{server.port}/ok.png)\n")
    options = _options(tmp_path, remote_images="fetch")
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    assert hits == []  # no connection at all
    warnings = [str(w) for w in result.warnings]
    assert sum("non-public address" in w for w in warnings) == 2, warnings
    assert _epub_images(result.outputs["epub"].path) == []


def test_fetch_when_allowed_then_cached(site: SiteBuilder, server: _Server, hits: list[str],
                                        tmp_path: Path) -> None:
    post = site.post("2024-01-01-r.md", f"![remote]({server.url('/ok.png?v=1')})\n")
    options = _options(tmp_path, remote_images="fetch", allow_private_networks=True)
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    assert hits == ["/ok.png?v=1"]
    assert len(_epub_images(result.outputs["epub"].path)) == 1
    assert not [w for w in result.warnings if "remote" in str(w)]
    cached = list((tmp_path / "cache" / "remote").glob("*.img"))
    assert len(cached) == 1 and cached[0].read_bytes() == server.image
    again = converter.convert(post, output_dir=tmp_path / "out2", options=options)
    assert hits == ["/ok.png?v=1"]  # the second build fetched nothing
    assert len(_epub_images(again.outputs["epub"].path)) == 1


@pytest.mark.parametrize(("path", "reason"), [
    ("/html.png", "not an image"),
    ("/huge.png", "too large"),
    ("/liar.png", "too large"),
    ("/missing.png", "HTTP 404"),
    ("/redirect/4", "more than 3 redirects"),
    ("/to-file", "refused URL scheme 'file'"),
])
def test_fetch_failures_are_warnings(server: _Server, hits: list[str], path: str, reason: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(remote, "MAX_BYTES", 200_000)
    with pytest.raises(RemoteImageError, match=reason):
        remote.fetch(server.url(path), allow_private=True)


def test_redirects_are_followed_and_rechecked(server: _Server, hits: list[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    data, content_type = remote.fetch(server.url("/redirect/3"), allow_private=True)
    assert data == server.image and content_type == "image/png"
    assert hits == ["/redirect/3", "/redirect/2", "/redirect/1", "/ok.png"]
    hits.clear()
    # Treat only 127.0.0.1 as public: the redirect to 127.0.0.2 must be refused unconnected.
    monkeypatch.setattr(remote, "is_public_address",
                        lambda address: str(address) == "127.0.0.1")
    with pytest.raises(RemoteImageError, match="non-public address"):
        remote.fetch(server.url("/to-private"))
    assert hits == ["/to-private"]


@pytest.mark.parametrize("path", ["/slow.png", "/drip-body.png", "/drip-headers.png"])
def test_timeout_bounds_the_whole_fetch(server: _Server, hits: list[str], path: str) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteImageError, match="timed out"):
        remote.fetch(server.url(path), allow_private=True, timeout=0.5)
    assert time.monotonic() - started < 1.4


def test_only_http_and_https(hits: list[str]) -> None:
    for url in ("ftp://127.0.0.1/x.png", "file:///etc/passwd", "gopher://127.0.0.1/",
                "http:///nohost.png"):
        with pytest.raises(RemoteImageError):
            remote.fetch(url, allow_private=True)
    assert hits == []


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2606:4700::1111", True), ("::ffff:8.8.8.8", True),
    ("127.0.0.1", False), ("10.0.0.1", False), ("172.16.5.4", False), ("192.168.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("239.255.255.250", False), ("255.255.255.255", False), ("::1", False), ("fe80::1", False),
    ("fc00::1", False), ("ff02::1", False), ("::ffff:127.0.0.1", False),
    ("2002:7f00:1::1", False), ("::", False),
])
def test_public_address_classification(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


class _Ctx:
    """The options and warnings data_url_image is given."""

    def __init__(self, tmp_path: Path) -> None:
        self.options = converter.Options(cache_dir=tmp_path / "cache")
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def test_inline_data_images(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    png = _png((20, 10))
    ctx = _Ctx(tmp_path)
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    wrapped = url[:30] + "\n  " + url[30:]  # wrapped lines are fine
    path = remote.data_url_image(wrapped, ctx.options, ctx.warn)
    assert path is not None and path.read_bytes() == png
    assert (tmp_path / "cache") in path.parents and ctx.warnings == []
    for bad, reason in [("data:text/html,<script>x</script>", "not an image"),
                        ("data:image/png;base64,!!!", "invalid base64"),
                        ("data:image/png;base64,", "empty"),
                        ("data:,hello", "not an image")]:
        assert remote.data_url_image(bad, ctx.options, ctx.warn) is None
        assert reason in ctx.warnings[-1]
    monkeypatch.setattr(remote, "MAX_DATA_URL_BYTES", 100)
    assert remote.data_url_image(url, ctx.options, ctx.warn) is None
    assert "over the 100-byte limit" in ctx.warnings[-1]
