"""Nothing outside the site can be read: the resolver, the sanitizer and the PDF URL fetcher.

The end-to-end test puts a marker file and a marker image outside the site root, references
them in every way a post can (Markdown, raw HTML attributes, CSS, SVG, Liquid, front matter,
symlinks inside the site), converts to PDF and EPUB, and looks for the marker in the outputs:
the PDF's text and images, the EPUB's entries and bytes. A positive control (an allowed image
and text inside the site) proves the checks would see a leak.
"""

from __future__ import annotations

import base64
import io
import os
import zipfile
from pathlib import Path

import pytest
from conftest import SiteBuilder, epubcheck_problems, pdf_text
from PIL import Image, ImageStat

import converter
from converter.assets import AssetResolver
from converter.render import parse_fragment, render_body, tree_to_string
from converter.site import load_site
from converter.transforms.sanitize import (
    safe_style,
    safe_url,
    sanitize_html,
    url_scheme,
)

MARKER = "HANJI-SECRET-MARKER-4242"
MARKER_SIZE = (97, 89)
MARKER_COLOUR = (13, 201, 77)
OK_SIZE = (120, 80)
OK_COLOUR = (200, 40, 160)


def _solid_png(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "PNG")
    return path


def _svg(body: str, size: str = 'width="40" height="30"') -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            f' {size} viewBox="0 0 40 30">{body}</svg>')


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the site holding the secrets."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(MARKER + "\n", encoding="utf-8")
    (folder / "evil.css").write_text(
        f'body::before {{ content: "{MARKER}"; }} p {{ background: url(marker.png) }}\n',
        encoding="utf-8")
    _solid_png(folder / "marker.png", MARKER_SIZE, MARKER_COLOUR)
    (folder / "marker.svg").write_text(_svg(f"<text x='1' y='20'>{MARKER}</text>"),
                                       encoding="utf-8")
    return folder


# --------------------------------------------------------------------------------------------
# The resolver


class TestResolver:
    def test_refuses_escapes_and_foreign_schemes(self, site: SiteBuilder, outside: Path) -> None:
        _solid_png(site.root / "assets" / "ok.png", OK_SIZE, OK_COLOUR)
        post = site.post("2024-01-01-a.md", "x")
        resolver = AssetResolver(load_site(site.root), post)
        marker = outside / "marker.png"
        refused = [
            "../../outside/marker.png", "/../outside/marker.png", "../../../outside/marker.png",
            "%2e%2e/%2e%2e/outside/marker.png", "..\\..\\outside\\marker.png",
            f"file://{marker}", f"FILE://{marker}", f"file:{marker}", str(marker),
            "javascript:alert(1)", "ftp://example.com/x.png", "data:image/png;base64,AAAA",
        ]
        for ref in refused:
            resolution = resolver.resolve(ref)
            assert resolution.path is None, ref
            assert resolution.problem, ref
        assert resolver.resolve("/assets/ok.png").path == (site.root / "assets/ok.png").resolve()
        assert resolver.resolve("../assets/ok.png").path is not None  # inside: allowed

    def test_symlinks_out_of_the_root_are_refused(self, site: SiteBuilder, outside: Path) -> None:
        assets = site.root / "assets"
        assets.mkdir(parents=True)
        (assets / "linkdir").symlink_to(outside, target_is_directory=True)
        (assets / "link.png").symlink_to(outside / "marker.png")
        (assets / "loop.png").symlink_to(assets / "loop.png")
        _solid_png(assets / "real.png", OK_SIZE, OK_COLOUR)
        (assets / "inner.png").symlink_to(assets / "real.png")  # a symlink inside: fine
        post = site.post("2024-01-01-a.md", "x")
        resolver = AssetResolver(load_site(site.root), post)
        for ref in ("/assets/linkdir/marker.png", "/assets/link.png", "assets/LINK.PNG",
                    "/assets/loop.png"):
            assert resolver.resolve(ref).path is None, ref
        assert resolver.resolve("/assets/linkdir/marker.png").problem == \
            "outside the site root; refused"
        assert resolver.resolve("/assets/inner.png").path == (assets / "real.png").resolve()

    def test_configured_asset_roots_are_allowed(self, site: SiteBuilder, outside: Path) -> None:
        post = site.post("2024-01-01-a.md", "x")
        plain = AssetResolver(load_site(site.root), post)
        extra = AssetResolver(load_site(site.root, asset_roots=(outside,)), post)
        ref = "../../outside/marker.png"
        assert plain.resolve(ref).path is None
        assert extra.resolve(ref).path == (outside / "marker.png").resolve()


# --------------------------------------------------------------------------------------------
# The sanitizer


def _clean(fragment: str) -> str:
    return sanitize_html(parse_fragment(fragment))


class TestSanitizer:
    def test_scripts_handlers_and_javascript_urls(self) -> None:
        out = _clean(
            '<script>alert(1)</script><p onclick="x()" onmouseover="y()">p</p>'
            '<img src="a.png" onerror="alert(1)">'
            '<a href="javascript:alert(1)">a</a><a href="jav&#x09;ascript:alert(2)">b</a>'
            '<a href="&#106;avascript:alert(3)">c</a><a href=" JaVaScRiPt:alert(4)">d</a>'
            '<a href="java%0ascript:alert(5)">e</a><a href="vbscript:x">f</a>'
            '<a href="data:text/html,<script>x</script>">g</a><q cite="javascript:1">q</q>'
            '<noscript><img src=x onerror=alert(6)></noscript>')
        lowered = out.lower()
        for bad in ("<script", "onclick", "onmouseover", "onerror", "javascript", "vbscript",
                    "alert(", "data:text", "%09ascript", "%0ascript"):
            assert bad not in lowered, (bad, out)
        assert "<p>p</p>" in out

    def test_frames_objects_forms_and_stylesheets(self) -> None:
        out = _clean(
            '<iframe src="https://www.youtube.com/embed/abc" title="영상"></iframe>'
            '<iframe srcdoc="<script>x</script>"></iframe><frameset><frame src="x"></frameset>'
            '<object data="https://example.com/x.swf"></object><embed src="/movie.swf">'
            '<form action="https://evil.example/"><input name="q"><button>go</button>'
            '<textarea>t</textarea><select><option>o</option></select></form>'
            '<link rel="stylesheet" href="https://evil.example/x.css">'
            '<style>@import url(file:///etc/passwd); body { color: red }</style>'
            '<base href="file:///etc/"><meta http-equiv="refresh" content="0;url=x">'
            '<svg><image href="file:///etc/x.png"/></svg><math href="javascript:1"></math>'
            '<a rel="attachment" href="notes.txt">n</a>')
        tree = parse_fragment(out)
        for tag in ("iframe", "frame", "frameset", "object", "embed", "form", "button",
                    "textarea", "select", "link", "style", "base", "meta", "svg", "math", "script"):
            assert not tree.xpath(f"//{tag}"), (tag, out)
        links = [a.get("href") for a in tree.iter("a")]
        assert "https://www.youtube.com/embed/abc" in links  # the frame became a link
        assert "https://example.com/x.swf" in links
        assert not any(a.get("rel") for a in tree.iter("a"))  # no rel=attachment (PDF embeds)
        assert "@import" not in out and "/etc/passwd" not in out

    def test_css_that_could_load_anything_is_removed(self) -> None:
        out = _clean(
            '<p style="color: red; background-image: url(file:///x.png)">a</p>'
            '<p style="width: url(/x.png); background-color: #fff">b</p>'
            '<p style="width: calc(1px + url(x)); color: blue">c</p>'
            '<p style="color: re\\64; font-weight: bold">d</p>'
            '<p style="color:red;/*x*/background:url(/y)">e</p>'
            '<p style="width: expression(alert(1))">f</p>'
            '<p style="list-style-image: url(x); content: url(x)">g</p>')
        assert "url" not in out and "expression" not in out and "\\" not in out
        assert 'style="color:red"' in out.replace(" ", "") or "color:red" in out.replace(" ", "")
        assert safe_style("color: red; background: url(x)") == "color: red"

    def test_url_scheme_reading(self) -> None:
        assert url_scheme("jav\tascript:x") == "javascript"
        assert url_scheme("java%0Ascript:x") == "javascript"
        assert url_scheme("java%2509script:x") == "javascript"
        assert url_scheme("  HTTPS://example.com") == "https"
        assert url_scheme("images/a%3Ab.png") is None  # an escaped colon is no scheme
        assert url_scheme("/a:b.png") is None
        assert safe_url("img", "data:image/png;base64,AA")
        assert not safe_url("a", "data:image/png;base64,AA")
        assert not safe_url("img", "data:text/html,x")
        assert not safe_url("img", "file:///etc/passwd")

    def test_sanitizer_runs_on_rendered_html_before_transforms(self) -> None:
        # Markdown that *produces* a javascript: link or a raw-HTML handler is cleaned too.
        root = render_body('[x](javascript:alert(1)) <span onclick="y()">s</span>\n\n'
                           '<img src="a.png" srcset="/etc/x.png 2x" onload="z()">\n\n'
                           '<picture><source srcset="/etc/y.png"><img src="b.png"></picture>\n')
        html_text = tree_to_string(root)
        for bad in ("javascript", "onclick", "onload", "srcset", "<source", "/etc/"):
            assert bad not in html_text, (bad, html_text)


def test_only_resolved_assets_reach_the_writers(site: SiteBuilder, outside: Path) -> None:
    """After the pipeline, the only URL-bearing attributes are resolved assets and web links."""
    from converter.assemble import build_chapter
    from converter.book import AssetStore
    from converter.markup import ASSET_ATTRIBUTE
    from converter.post import load_post

    _hostile = _hostile_site(site, outside)
    post = load_post(_hostile)
    assets = AssetStore()
    options = converter.Options(cache_dir=site.root.parent / "cache")
    chapter = build_chapter(post, load_site(site.root), options, assets, chapter_id="c")
    allowed_roots = [site.root.resolve()]
    for asset in assets:
        assert any(root in asset.source.parents for root in allowed_roots) or \
            (site.root.parent / "cache") in asset.source.parents, asset.source
    for element in chapter.body.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in {"script", "style", "link", "iframe", "object", "embed", "video",
                                   "audio", "source", "picture", "svg", "form", "input", "base"}
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name not in {
                "srcset", "poster", "data", "background", "action", "formaction", "xlink:href",
                "rel", "usemap", "longdesc"}, (element.tag, name)
            assert "url(" not in value.lower() and "file:" not in value.lower(), (name, value)
            if name == "src":
                assert element.tag == "img" and element.get(ASSET_ATTRIBUTE) == value
                assert assets.get(value) is not None
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:", "#")), value


# --------------------------------------------------------------------------------------------
# The PDF URL fetcher


class TestRestrictedFetcher:
    @pytest.fixture
    def tree(self, tmp_path: Path, outside: Path) -> Path:
        allowed = tmp_path / "allowed"
        allowed.mkdir()
        _solid_png(allowed / "ok.png", OK_SIZE, OK_COLOUR)
        (allowed / "ok.css").write_text('body::after { content: "ALLOWED-CSS" }', encoding="utf-8")
        (allowed / "escape").symlink_to(outside, target_is_directory=True)
        (allowed / "%2e%2e").symlink_to(outside, target_is_directory=True)
        (allowed / "sub").mkdir()
        return allowed

    def test_refuses_everything_outside(self, tree: Path, outside: Path) -> None:
        from converter.writers.fetcher import MAX_DATA_URL_BYTES, RestrictedFetcher

        fetcher = RestrictedFetcher([tree])
        marker = outside / "marker.png"
        bad = [
            marker.as_uri(), (tree / "escape" / "marker.png").as_uri(),
            f"file://{tree}/sub/../../outside/marker.png",
            f"file://{tree}/%2e%2e/marker.png",        # a symlink literally named "%2e%2e"
            f"file://{tree}/sub/%252e%252e/marker.png",
            f"file://evil.example{marker}", f"file://{outside}",
            "http://127.0.0.1:9/x.png", "https://example.com/x.png", "ftp://example.com/x",
            "data:text/plain," + "A" * (MAX_DATA_URL_BYTES + 1),
        ]
        for url in bad:
            with pytest.raises(ValueError):
                fetcher.fetch(url)
        assert len(fetcher.refused) == len(bad)
        ok = fetcher.fetch((tree / "ok.png").as_uri())
        assert ok.read()[:8] == b"\x89PNG\r\n\x1a\n"
        ok.close()
        small = fetcher.fetch("data:text/plain,hello")
        assert small.read() == b"hello"
        small.close()

    def test_weasyprint_reads_nothing_outside(self, tree: Path, outside: Path,
                                              tmp_path: Path) -> None:
        """Raw references straight to WeasyPrint (no sanitizer): the fetcher alone holds."""
        from weasyprint import HTML

        from converter.writers.fetcher import RestrictedFetcher

        svg_inside = tree / "evil.svg"
        svg_inside.write_text(_svg(f'<image href="{(outside / "marker.png").as_uri()}" '
                                   'width="40" height="30"/>'
                                   f'<image xlink:href="escape/marker.png" width="40" height="30"/>'),
                              encoding="utf-8")
        source = f"""<html><head>
            <link rel="stylesheet" href="{(outside / 'evil.css').as_uri()}">
            <link rel="stylesheet" href="escape/evil.css">
            <link rel="stylesheet" href="ok.css">
            <link rel="attachment" href="{(outside / 'secret.txt').as_uri()}">
            <link rel="attachment" href="escape/secret.txt">
            <style>@import url("{(outside / 'evil.css').as_uri()}");
                   .bg {{ background: url("{(outside / 'marker.png').as_uri()}") }}</style>
            </head><body>
            <p class="bg">text</p>
            <img src="{(outside / 'marker.png').as_uri()}"><img src="escape/marker.png">
            <img src="{(outside / 'marker.svg').as_uri()}"><img src="evil.svg">
            <object data="{(outside / 'marker.svg').as_uri()}"></object>
            <embed src="escape/marker.png">
            <a rel="attachment" href="{(outside / 'secret.txt').as_uri()}">att</a>
            <img src="ok.png">
            </body></html>"""
        fetcher = RestrictedFetcher([tree])
        target = tmp_path / "raw.pdf"
        HTML(string=source, base_url=str(tree) + "/", url_fetcher=fetcher).write_pdf(target)
        text = pdf_text(target)
        assert MARKER not in text
        assert "ALLOWED-CSS" in text  # positive control: allowed CSS is read
        sizes = [image.size for image in _pdf_images(target)]
        assert OK_SIZE in sizes and MARKER_SIZE not in sizes
        assert MARKER.encode() not in target.read_bytes()
        assert b"/EmbeddedFile" not in target.read_bytes()  # rel=attachment refused too
        assert fetcher.refused


# --------------------------------------------------------------------------------------------
# End to end: every kind of reference to the marker, both outputs


def _pdf_images(path: Path) -> list[Image.Image]:
    from pypdf import PdfReader

    images = []
    for page in PdfReader(str(path)).pages:
        for item in page.images:
            images.append(item.image.convert("RGB"))
    return images


def _is_marker_image(image: Image.Image) -> bool:
    if image.size == MARKER_SIZE:
        return True
    r, g, b = ImageStat.Stat(image).mean[:3]
    return abs(r - MARKER_COLOUR[0]) + abs(g - MARKER_COLOUR[1]) + abs(b - MARKER_COLOUR[2]) < 30


def _nested_svg_data_url(outside: Path) -> str:
    inner = _svg(f'<image href="{(outside / "marker.png").as_uri()}" width="40" height="30"/>')
    return "data:image/svg+xml;base64," + base64.b64encode(inner.encode()).decode()


def _hostile_site(site: SiteBuilder, outside: Path) -> Path:
    assets = site.root / "assets"
    _solid_png(assets / "ok.png", OK_SIZE, OK_COLOUR)
    (assets / "linkdir").symlink_to(outside, target_is_directory=True)
    (assets / "marker-link.png").symlink_to(outside / "marker.png")
    (assets / "secret-link.txt").symlink_to(outside / "secret.txt")
    marker_uri = (outside / "marker.png").as_uri()
    nested = _nested_svg_data_url(outside)
    # An SVG inside the site whose own references all point outside.
    (assets / "evil.svg").write_text(_svg(
        f'<style>@import url("{(outside / "evil.css").as_uri()}");'
        f' rect {{ fill: url("{marker_uri}") }}</style>'
        f'<image href="{marker_uri}" width="40" height="30"/>'
        f'<image xlink:href="../../outside/marker.png" width="40" height="30"/>'
        f'<image href="linkdir/marker.png" width="40" height="30"/>'
        f'<image href="{nested}" width="40" height="30"/>'
        f'<feImage href="{marker_uri}"/>'
        f'<use href="{(outside / "marker.svg").as_uri()}#x"/>'
        f'<rect width="10" height="10" style="fill: url(\'{marker_uri}\')"/>'
        '<script>alert(1)</script><rect x="20" width="10" height="10" fill="#336699"/>'),
        encoding="utf-8")
    small_png = io.BytesIO()
    Image.new("RGB", (30, 20), (90, 90, 240)).save(small_png, "PNG")
    data_png = "data:image/png;base64," + base64.b64encode(small_png.getvalue()).decode()
    abs_marker = outside / "marker.png"
    body = f"""
# 위험한 글

허용된 그림 INSIDE-TEXT-OK:

![ok](/assets/ok.png)

![m1](../../outside/marker.png) ![m2](/../outside/marker.png) ![m3]({abs_marker})
![m4]({marker_uri}) ![m5](/assets/linkdir/marker.png) ![m6](/assets/marker-link.png)
![m7](%2e%2e/%2e%2e/outside/marker.png) ![m8](..\\..\\outside\\marker.png)
![m9]({(outside / 'marker.svg').as_uri()}) ![m10](../../outside/secret.txt)

<img src="../../outside/marker.png" alt="h1"> <img src="{marker_uri}" alt="h2">
<img src="/assets/ok.png" srcset="{marker_uri} 2x, ../../outside/marker.png 3x" alt="h3">
<picture><source srcset="{marker_uri}"><source srcset="/assets/linkdir/marker.png">
<img src="/assets/ok.png" alt="h4"></picture>
<input type="image" src="../../outside/marker.png"> <input type="image" src="{marker_uri}">
<video poster="../../outside/marker.png" src="../../outside/secret.txt"></video>
<video poster="{marker_uri}"><source src="{(outside / 'secret.txt').as_uri()}"></video>
<object data="../../outside/marker.svg" type="image/svg+xml"></object>
<object data="{(outside / 'secret.txt').as_uri()}"></object>
<embed src="/assets/linkdir/marker.png"> <embed src="{(outside / 'secret.txt').as_uri()}">
<iframe src="{(outside / 'secret.txt').as_uri()}"></iframe>
<a rel="attachment" href="../../outside/secret.txt">attachment</a>
<a href="{(outside / 'secret.txt').as_uri()}">file link</a>
<link rel="stylesheet" href="{(outside / 'evil.css').as_uri()}">
<link rel="stylesheet" href="../../outside/evil.css">
<style>@import url("{(outside / 'evil.css').as_uri()}");
p {{ background: url("{marker_uri}") }}</style>
<p style="background-image: url('{marker_uri}'); color: #333">styled paragraph</p>
<div style="width: url(../../outside/marker.png); list-style-image: url({marker_uri})">div</div>
<table background="{marker_uri}"><tr><td background="../../outside/marker.png">cell</td></tr></table>
<svg><image href="{marker_uri}"/><image xlink:href="../../outside/marker.png"/></svg>
<img src="{nested}" alt="nested-svg-data-url">
<img src="{data_png}" alt="inline-data-png">

![evil svg](/assets/evil.svg)

{{% include_relative ../../outside/secret.txt %}}
{{% include_relative ../assets/secret-link.txt %}}

문단 끝.
{{: style="background: url({marker_uri})" data-x="1"}}
"""
    return site.post("2024-05-01-hostile.md", body,
                     front_matter=f'title: "적대적 입력"\nheader:\n  teaser: "{marker_uri}"\n'
                                  f'image: ../../outside/marker.png')


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Convert the hostile post once (PDF and EPUB) for the tests below."""
    tmp = tmp_path_factory.mktemp("hostile")
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(MARKER + "\n", encoding="utf-8")
    (outside / "evil.css").write_text(f'body::before {{ content: "{MARKER}"; }}\n',
                                      encoding="utf-8")
    _solid_png(outside / "marker.png", MARKER_SIZE, MARKER_COLOUR)
    (outside / "marker.svg").write_text(_svg(f"<text x='1' y='20'>{MARKER}</text>"),
                                        encoding="utf-8")
    site = SiteBuilder(tmp / "site")
    post = _hostile_site(site, outside)
    options = converter.Options(cache_dir=tmp / "cache", jobs=1)
    result = converter.convert(post, output_dir=tmp / "out", options=options)
    return {"result": result, "outside": outside, "tmp": tmp}


def test_marker_never_reaches_the_pdf(hostile_outputs: dict[str, object]) -> None:
    result = hostile_outputs["result"]
    assert isinstance(result, converter.ConversionResult)
    pdf = result.outputs["pdf"].path
    text = pdf_text(pdf)
    assert "INSIDE-TEXT-OK" in text  # positive control
    assert MARKER not in text
    raw = pdf.read_bytes()
    assert raw.startswith(b"%PDF") and MARKER.encode() not in raw
    assert (hostile_outputs["outside"] / "marker.png").read_bytes() not in raw
    images = _pdf_images(pdf)
    assert any(image.size == OK_SIZE for image in images)  # positive control
    assert not any(_is_marker_image(image) for image in images)
    assert b"/EmbeddedFile" not in raw  # no file attached (<a>/<link rel=attachment>)


def test_marker_never_reaches_the_epub(hostile_outputs: dict[str, object]) -> None:
    result = hostile_outputs["result"]
    epub = result.outputs["epub"].path
    marker_png = (hostile_outputs["outside"] / "marker.png").read_bytes()
    seen_ok = False
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert MARKER.encode() not in data, name
            assert marker_png not in data, name
            assert "outside" not in name and "marker" not in name and "secret" not in name
            if name.endswith((".png", ".jpg", ".gif")):
                image = Image.open(io.BytesIO(data)).convert("RGB")
                assert not _is_marker_image(image), name
                seen_ok = seen_ok or image.size == OK_SIZE
        texts = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                        if n.endswith(".xhtml"))
    assert seen_ok  # positive control
    assert "INSIDE-TEXT-OK" in texts
    for bad in ("<script", "javascript:", "onerror", "onclick", "<iframe", "<object", "<embed",
                "<form", "<link rel=\"stylesheet\" href=\"file", "file://", "srcset",
                'rel="attachment"', "<style"):
        assert bad not in texts, bad
    # The svg's own unsafe parts were removed too (scripts, references outside).
    with zipfile.ZipFile(epub) as archive:
        svgs = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".svg")]
    assert svgs, "the evil.svg inside the site is still used"
    for svg in svgs:
        assert "<script" not in svg and "file:" not in svg and "outside" not in svg
        assert "@import" not in svg


def test_hostile_post_outputs_are_valid_and_warned(hostile_outputs: dict[str, object],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    result = hostile_outputs["result"]
    assert result.pages and result.pages >= 1
    # A JVM tuned for a short run (no optimising compiler, one GC thread) starts twice as fast.
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
    assert epubcheck_problems(result.outputs["epub"].path) == []
    warnings = "\n".join(str(w) for w in result.warnings)
    assert "outside the site root; refused" in warnings
    assert "include_relative" in warnings
    assert "cover image" in warnings  # the teaser outside the root
    # Refused references are named in the warnings.
    assert "../../outside/marker.png" in warnings
    assert "/assets/linkdir/marker.png" in warnings


def test_outputs_stay_inside_output_dir(hostile_outputs: dict[str, object]) -> None:
    tmp = hostile_outputs["tmp"]
    made = {p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file()
            and "cache" not in p.relative_to(tmp).parts and "site" not in p.relative_to(tmp).parts
            and "outside" not in p.relative_to(tmp).parts}
    assert {p.parts[0] for p in made} <= {"out"}
    assert not [p for p in (tmp / "out").iterdir() if p.name.endswith(".part")]
    assert sorted(os.listdir(hostile_outputs["outside"])) == [
        "evil.css", "marker.png", "marker.svg", "secret.txt"]
