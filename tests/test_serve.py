"""`hanji serve`, driven as a user would: the real server in a subprocess, a real browser
(headless Chromium through Playwright, the system's /usr/bin/chromium), the post edited on
disk. Checks the index and reading view without JavaScript, live updates of both views, the
error overlay, refused paths (traversal, symlinks out of the site), the loopback-only default
and a clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, SiteBuilder

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update"]
KEY = "post/2021-05-01-live"


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    port: int
    post: Path
    root: Path
    outside: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve")
    site = SiteBuilder(tmp / "site")
    site.image("assets/img/photo.png", (400, 240))
    filler = "".join(f"채움 문단 {n}: 한지 미리보기가 읽는 자리를 지키는지 보려는 글입니다.\n\n"
                     for n in range(12))
    post = site.post("2021-05-01-live.md", "처음 문단은 미리보기 시험입니다.\n\n"
                     "![사진](/assets/img/photo.png)\n\n" + filler +
                     "## 둘째 절\n\n둘째 절의 문장.\n\n" + filler.replace("채움", "뒤 채움") * 4,
                     front_matter='title: "살아있는 글"')
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"\x89PNG secret")
    (site.root / "assets" / "escape.png").symlink_to(outside / "secret.png")
    (site.root / "assets" / "linked").symlink_to(outside, target_is_directory=True)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "converter", "serve", str(site.root), "--port", str(port),
         "--cache-dir", str(tmp / "cache")], cwd=tmp, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            _get(base + "/_status")
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("server exited: " + process.stderr.read().decode())  # type: ignore
            time.sleep(0.1)
    yield Served(process, base, port, post, site.root, outside)
    if process.poll() is None:
        process.kill()
        process.wait()


def test_index_and_reading_view_work_without_javascript(served: Served) -> None:
    status, body = _get(served.base + "/")
    page = body.decode()
    assert status == 200
    assert f'href="/{KEY}/epub/1"' in page and "살아있는 글" in page
    status, body = _get(served.base + "/?q=" + urllib.parse.quote("없는제목"))
    assert "살아있는 글" not in body.decode()
    status, body = _get(f"{served.base}/{KEY}/epub/1")
    page = body.decode()
    assert status == 200
    assert "처음 문단은 미리보기 시험입니다." in page  # the text is in the HTML sent
    assert 'class="chapter"' in page and "/site/assets/img/photo.png" in page
    status, body = _get(served.base + "/site/assets/img/photo.png")
    assert status == 200 and body.startswith(b"\x89PNG")
    status, css = _get(served.base + "/_theme.css")
    assert b"@font-face" in css and b"/_fonts/" in css


@pytest.mark.parametrize("path", [
    "/site/../outside/secret.png",
    "/site/%2e%2e/outside/secret.png",
    "/site/assets/%2e%2e/%2e%2e/outside/secret.png",
    "/site/assets/escape.png",           # a symlink to a file outside the site
    "/site/assets/linked/secret.png",    # through a symlinked folder
    "/site/_config.yml",
    "/site/_posts/2021-05-01-live.md",
    "/site//etc/passwd",
    "/_fonts/../pyproject.toml",
    "/_fonts/%2e%2e/pyproject.toml",
    "/_static/../app.py",
    "/post/nope/epub/1",
])
def test_refuses_files_outside_the_site(served: Served, path: str) -> None:
    try:
        status, body = _get(served.base + path)
    except urllib.error.URLError:  # a client that normalises ../ itself
        return
    assert status == 404, (path, body[:80])
    assert b"secret" not in body and b"[build-system]" not in body


def test_listens_on_loopback_only(served: Served) -> None:
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == served.port:
                listening.add(address)
    assert listening == {"0100007F"}  # 127.0.0.1, nothing else


def test_live_update_and_error_overlay_in_a_real_browser(served: Served) -> None:
    from playwright.sync_api import expect, sync_playwright

    original = served.post.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            epub = browser.new_page(viewport={"width": 900, "height": 1100})
            epub.goto(f"{served.base}/{KEY}/epub/1")
            pdf = browser.new_page(viewport={"width": 900, "height": 1100})
            pdf.goto(f"{served.base}/{KEY}/pdf")
            # The first PDF is laid out when the PDF view is first opened.
            pdf.wait_for_selector(".hs-page[data-loaded] .hs-text", timeout=40_000)
            expect(pdf.locator(".hs-page figcaption").first).to_have_text("1")
            # The bundled fonts load in the browser (Chromium's sanitiser rejects NanumGothic's
            # empty TSI3 table: the server drops it).
            loaded = epub.evaluate("Promise.all([...document.fonts].filter(f => "
                                   "f.family.includes('hanji-sans') && f.weight === '400')"
                                   ".map(f => f.load().then(() => 'ok', () => 'failed')))")
            assert loaded and set(loaded) == {"ok"}
            epub.evaluate("window.scrollTo(0, 120)")

            served.post.write_text(original.replace("처음 문단은", "고친 문단에 새말누리가"),
                                   encoding="utf-8")
            expect(epub.locator("#hs-content")).to_contain_text("고친 문단에 새말누리가",
                                                                 timeout=10_000)
            pdf.wait_for_function(
                "() => [...document.querySelectorAll('.hs-page')].some(f => "
                "f.dataset.loaded === document.body.dataset.version && "
                "f.querySelector('.hs-text').textContent.includes('새말누리'))",
                timeout=20_000)
            assert epub.evaluate("window.scrollY") == 120  # the reader's place is kept

            # Front matter saved half-typed (bad YAML): an overlay naming file and line; the
            # last good text stays.
            served.post.write_text("---\ntitle: [살아있는\n---\n\n본문\n", encoding="utf-8")
            for page in (epub, pdf):
                overlay = page.locator("#hs-overlay")
                expect(overlay).to_be_visible(timeout=10_000)
                expect(overlay).to_contain_text("2021-05-01-live.md:")
            expect(epub.locator("#hs-content")).to_contain_text("고친 문단에 새말누리가")

            # Broken Liquid: named with its line too.
            served.post.write_text(original + "\n{% if %}\n", encoding="utf-8")
            expect(epub.locator("#hs-problems")).to_contain_text("Liquid", timeout=10_000)
            line = len((original + "\n").splitlines()) + 1
            expect(epub.locator("#hs-problems")).to_contain_text(f"2021-05-01-live.md:{line}")

            # The next good save clears it, in both views.
            served.post.write_text(original.replace("처음 문단은", "다시 고친 문단은"),
                                   encoding="utf-8")
            for page in (epub, pdf):
                expect(page.locator("#hs-overlay")).to_be_hidden(timeout=20_000)
            expect(epub.locator("#hs-content")).to_contain_text("다시 고친 문단은")

            # The jump from the reading view lands on the PDF page with that text.
            epub.wait_for_function("[...document.images].every(i => i.complete)")
            epub.evaluate("document.querySelector('#hs-content h2').scrollIntoView()")
            epub.click("#hs-jump")
            epub.wait_for_url("**/pdf#page-*", timeout=10_000)
            epub.wait_for_selector(".hs-page.hs-target", timeout=10_000)
            target = epub.locator(".hs-page.hs-target")
            expect(target.locator(".hs-text")).to_contain_text("둘째", timeout=15_000)
        finally:
            browser.close()
            served.post.write_text(original, encoding="utf-8")
    assert served.process.poll() is None  # it never died


def test_ctrl_c_stops_cleanly(served: Served) -> None:
    process = served.process
    assert process.poll() is None
    before = _children(process.pid)
    started = time.time()
    process.send_signal(signal.SIGINT)
    process.wait(timeout=15)
    assert time.time() - started < 10
    assert process.returncode in (0, 130)
    leftover = [pid for pid in before if Path(f"/proc/{pid}").exists()]
    assert leftover == []
    assert _children(process.pid) == []
    stderr = process.stderr.read().decode()  # type: ignore[union-attr]
    assert "Traceback" not in stderr


def test_cli_serve_refuses_a_missing_target(tmp_path: Path) -> None:
    from converter.cli import main

    assert main(["serve", str(tmp_path / "nope"), "--port", "0"]) == 2
