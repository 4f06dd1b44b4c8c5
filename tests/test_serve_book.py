"""A book's PDF preview in parts (Builder.preview_pdf + the preview's PageRenderer): after an
edit only the changed chapter's part is new; its pages, page numbers and named destinations
are the merged book's; a chapter that gains pages moves the page numbers of the chapters
after it."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
from conftest import SiteBuilder
from PIL import Image, ImageChops

from converter import Builder, Options
from converter.serve.pages import PageRenderer, read_destinations

KEY = "book/부분-책"


def _paragraphs(word: str, count: int) -> str:
    return "".join(f"{word} {n}번째 문단은 미리보기의 쪽을 채우는 한국어 문장입니다. "
                   "같은 말을 되풀이해 한 쪽을 넘기려 합니다.\n\n" for n in range(count))


def _book(site: SiteBuilder) -> list[Path]:
    posts = [site.post(f"2020-0{n}-01-chapter{n}.md", _paragraphs(f"장{n}", 14),
                       front_matter=f'title: "{n}장 제목"') for n in (1, 2, 3)]
    (site.root / "book.yml").write_text("title: 부분 책\nsources: [.]\nsort: date\n",
                                        encoding="utf-8")
    return posts


def _texts(renderer: PageRenderer, count: int) -> list[str]:
    return [(renderer.text(KEY, i) or "").replace("\u2060", "") for i in range(count)]


def _folio(text: str) -> int | None:
    """The page number printed on a page (a line that is only digits)."""
    numbers = [int(line) for line in text.split() if re.fullmatch(r"\d{1,3}", line)]
    return numbers[-1] if numbers else None


def test_book_preview_in_parts(site: SiteBuilder, tmp_path: Path) -> None:
    posts = _book(site)
    builder = Builder(site.root, options=Options(cache_dir=tmp_path / "cache"),
                      output_dir=tmp_path / "out")
    renderer = PageRenderer(dpi=30)
    first = builder.preview_pdf(KEY)
    assert len(first.parts) == 4  # the front matter, then each chapter on its frame
    rendered = renderer.publish(KEY, first.parts, destinations=first.destinations,
                                whole=first.whole)
    count = len(rendered.sizes)
    before = _texts(renderer, count)
    ch2 = rendered.destinations["ch002-title"]
    assert "장2 0번째" in before[ch2]
    assert [_folio(t) for t in before[ch2:]] == list(range(ch2 + 1, count + 1))

    # The whole book, merged when asked for, has the same pages, text and destinations.
    whole = first.whole()
    merged = pdfium.PdfDocument(str(whole))
    assert len(merged) == count
    assert read_destinations(whole) == rendered.destinations
    for index in (0, ch2, count - 1):
        shown = Image.open(io.BytesIO(renderer.image(KEY, index) or b"")).convert("RGB")
        printed = merged[index].render(scale=30 / 72).to_pil().convert("RGB")
        assert ImageChops.difference(shown, printed).getbbox() is None, index
        assert merged[index].get_textpage().get_text_range().replace("\u2060", "") == \
            before[index]
    merged.close()

    # An edit of chapter 2 that keeps its page count: only its part is new.
    text = posts[1].read_text(encoding="utf-8")
    posts[1].write_text(text.replace("장2 0번째", "고친둘째 0번째"), encoding="utf-8")
    for key, index in builder.changed([posts[1]]).chapters:
        builder.rebuild(key, index)
    second = builder.preview_pdf(KEY)
    assert [a == b for a, b in zip(first.parts, second.parts)] == [True, True, False, True]
    rendered = renderer.publish(KEY, second.parts, destinations=second.destinations,
                                whole=second.whole)
    after = _texts(renderer, count)
    assert len(rendered.sizes) == count
    assert "고친둘째 0번째" in after[ch2]
    assert [_folio(t) for t in after] == [_folio(t) for t in before]

    # Chapter 1 grows by pages: the later chapters' pages move, their page numbers with them.
    posts[0].write_text(posts[0].read_text(encoding="utf-8") + _paragraphs("더한", 30),
                        encoding="utf-8")
    for key, index in builder.changed([posts[0]]).chapters:
        builder.rebuild(key, index)
    third = builder.preview_pdf(KEY)
    # Every part is new: the TOC's page numbers, chapter 1, the later chapters' page numbers.
    assert all(a != b for a, b in zip(second.parts, third.parts))
    rendered = renderer.publish(KEY, third.parts, destinations=third.destinations,
                                whole=third.whole)
    grown = len(rendered.sizes) - count
    assert grown >= 2
    moved = rendered.destinations["ch003-title"]
    assert moved >= before.index(next(t for t in before if "장3 0번째" in t)) + grown - 1
    texts = _texts(renderer, len(rendered.sizes))
    assert "장3 0번째" in texts[moved]
    whole = third.whole()
    merged = pdfium.PdfDocument(str(whole))
    assert [_folio(merged[i].get_textpage().get_text_range()) for i in range(len(merged))] \
        == [_folio(t) for t in texts]
    merged.close()
    renderer.close()
    # Parts no document shows any more are deleted.
    assert sorted((tmp_path / "out" / "parts").glob("*.pdf")) == sorted(third.parts)


def test_book_pdf_view_updates_one_chapter_in_a_real_browser(site: SiteBuilder,
                                                              tmp_path: Path) -> None:
    """The real server and Chromium: an edit of chapter 2 shows in the PDF view's pages of
    chapter 2, with the same page count and numbers, and Download PDF is the merged book."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.parse
    import urllib.request

    from conftest import REPO
    from playwright.sync_api import sync_playwright
    from test_serve import BROWSER_ARGS, CHROMIUM, _free_port, _get

    posts = _book(site)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "converter", "serve", str(site.root), "--port", str(port),
         "--cache-dir", str(tmp_path / "cache")], cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    path = "/" + urllib.parse.quote(KEY)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/_status", timeout=5).read()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()  # type: ignore
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                page = browser.new_page(viewport={"width": 900, "height": 1100})
                page.goto(f"{base}{path}/pdf?chapter=ch002")
                page.wait_for_selector(".hs-page[data-loaded] .hs-text", timeout=60_000)
                info = json.loads(_get(f"{base}{path}/pdf/pages.json")[1])
                first = info["chapters"]["ch002-title"]
                page.wait_for_function(
                    f"() => document.getElementById('page-{first}').dataset.loaded === "
                    "document.body.dataset.version", timeout=20_000)
                posts[1].write_text(posts[1].read_text(encoding="utf-8").replace(
                    "장2 0번째", "브라우저고침 0번째"), encoding="utf-8")
                page.wait_for_function(
                    f"() => {{ const f = document.getElementById('page-{first}'); "
                    "return f.dataset.loaded === document.body.dataset.version && "
                    "f.querySelector('.hs-text').textContent.replace(/\\u2060/g, '')"
                    ".includes('브라우저고침'); }", timeout=30_000)
                after = json.loads(_get(f"{base}{path}/pdf/pages.json")[1])
                assert len(after["pages"]) == len(info["pages"])
                assert after["chapters"] == info["chapters"]
                assert page.locator(f"#page-{first} figcaption").inner_text() == str(first)
            finally:
                browser.close()
        status, data = _get(f"{base}{path}/pdf/file")
        assert status == 200 and data.startswith(b"%PDF")
        (tmp_path / "book.pdf").write_bytes(data)
        merged = pdfium.PdfDocument(str(tmp_path / "book.pdf"))
        assert len(merged) == len(info["pages"])
        assert "브라우저고침" in merged[first - 1].get_textpage().get_text_range().replace(
            "\u2060", "")
        merged.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
    assert "Traceback" not in process.stderr.read().decode()  # type: ignore[union-attr]
