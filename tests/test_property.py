"""Property: any post — random Markdown, raw HTML, Liquid, front matter, bytes — either converts
to a well-formed EPUB or fails with :class:`converter.HanjiError`. Never another exception,
never a hang.

The EPUB is checked cheaply per example (a zip whose first entry is ``mimetype``, every XHTML
document well-formed XML, every manifest item present); EPUBCheck itself runs in the other
suites, where the inputs are fixed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import SiteBuilder
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

import converter

pytestmark = pytest.mark.filterwarnings("ignore")

# ---- building blocks ------------------------------------------------------------------------

_WORDS = st.sampled_from([
    "한글", "문단입니다", "사진", "Korean", "text", "*", "**", "_", "`", "[", "]", "(", ")", "<", ">",
    "&", "&amp;", "&#x09;", "{", "}", "{{", "}}", "{%", "%}", "$", "$$", "|", "\\", "#", "!", "~~",
    "^", ":", "---", "\u200b", "\u2060", "\ufeff", "\x1b[31m", "\x07", "\t", "ﾟ", "🙂", "é",
    "\u1100\u1161", "javascript:alert(1)", "../../etc/passwd", "file:///etc/passwd", "%2e%2e/",
])
_TEXT = st.lists(_WORDS | st.text(max_size=12), max_size=12).map(" ".join)
_SRC = st.sampled_from([
    "/assets/ok.png", "assets/ok.png", "../assets/ok.png", "/assets/OK.PNG", "/assets/missing.png",
    "../../outside.png", "/etc/passwd", "file:///etc/passwd", "https://example.com/x.png",
    "//cdn.example.com/x.png", "data:image/png;base64,iVBORw0KGgo=", "data:text/html,x",
    "javascript:alert(1)", "", " ", "/assets/ok.png\n", "%2e%2e/%2e%2e/x.png", "/assets/bad.svg",
    "/assets/ok.png?x=1#y", "C:\\Windows\\x.png", "/assets/한글 이름.png",
])
_TAG = st.sampled_from([
    "div", "span", "p", "img", "a", "script", "style", "iframe", "object", "embed", "svg", "math",
    "table", "tr", "td", "ul", "li", "center", "font", "figure", "figcaption", "video", "input",
    "form", "br", "hr", "b", "i", "pre", "code", "blockquote", "details", "summary", "eos", "x-y",
])
_ATTR = st.tuples(
    st.sampled_from(["src", "href", "style", "onclick", "onerror", "class", "id", "width", "height",
                     "srcset", "data", "poster", "title", "align", "markdown", "lang", "colspan",
                     "xlink:href", "data-tex"]),
    _SRC | _TEXT | st.sampled_from(["background:url(/etc/x)", "color:red", "50%", "0", "-1",
                                    "999999999", "1", "notice--info", "align-center"]),
)


@st.composite
def _html(draw: st.DrawFn) -> str:
    tag = draw(_TAG)
    attrs = "".join(f' {k}="{v}"' for k, v in draw(st.lists(_ATTR, max_size=3)))
    inner = draw(_TEXT)
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}>" * 2]))
    return f"<{tag}{attrs}>{inner}{close}"


_BLOCK = st.one_of(
    _TEXT,
    _html(),
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), _TEXT),
    st.builds(lambda alt, src: f"![{alt}]({src})", _TEXT, _SRC),
    st.builds(lambda t, src: f"[{t}]({src})", _TEXT, _SRC),
    st.builds(lambda lang, code: f"```{lang}\n{code}\n```", st.sampled_from(["", "python", "없음"]),
              _TEXT),
    st.builds(lambda a, b: f"| {a} | {b} |\n|---|:-:|\n| ![x](/assets/ok.png) | {b} |", _TEXT,
              _TEXT),
    st.builds(lambda items: "\n".join(f"{'  ' * i}- {t}" for i, t in enumerate(items)),
              st.lists(_TEXT, max_size=5)),
    st.builds(lambda n, t: "> " * n + t, st.integers(1, 30), _TEXT),
    st.builds(lambda t: f"$${t}$$", _TEXT),
    st.builds(lambda t: f"$x^2 + {t}$", _TEXT),
    st.builds(lambda t: f"텍스트[^1]\n\n[^1]: {t}", _TEXT),
    st.builds(lambda t: f"{t}\n{{: .notice--info style=\"x\" }}", _TEXT),
    st.sampled_from([
        "{% include figure image_path=\"/assets/ok.png\" alt=\"a\" caption=\"c\" %}",
        "{% include_relative ../../../etc/passwd %}", "{% raw %}{{ x }}{% endraw %}",
        "{% highlight python %}\nx = 1\n{% endhighlight %}", "{% if x %}", "{% endfor %}",
        "{{ page.title | upcase }}", "{{ site.url }}{{ '/x' | relative_url }}",
        "{% include video id=\"abc\" provider=\"youtube\" %}", "{% post_url 2019-01-01-x %}",
        "<center>![a](/assets/ok.png)</center>",
        '<figure class="half">![a](/assets/ok.png)![b](/assets/ok.png)</figure>', "***", "<!-- comment -->", "<![CDATA[x]]>",
        "<div>" * 150 + "deep" + "</div>" * 150, "*" * 200,
    ]),
)

_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=True), _TEXT, st.dates(), st.datetimes())
_VALUE = st.recursive(_SCALAR, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(["teaser", "image", "name", "x"]), inner,
                                        max_size=3), max_leaves=6)
_FRONT = st.dictionaries(
    st.sampled_from(["title", "date", "tags", "categories", "category", "author", "lang",
                     "locale", "header", "image", "teaser", "toc", "use_math", "excerpt",
                     "description", "layout", "permalink", "gallery"]),
    _VALUE, max_size=6)


@st.composite
def _post_bytes(draw: st.DrawFn) -> bytes:
    front = draw(_FRONT)
    try:
        header = yaml.safe_dump(front, allow_unicode=True) if front else ""
    except yaml.YAMLError:
        header = ""
    header = draw(st.sampled_from([header, header, draw(_TEXT) + "\n"]))
    body = "\n\n".join(draw(st.lists(_BLOCK, min_size=1, max_size=8)))
    if draw(st.integers(0, 9)) == 7:
        body = "x" * 8200 + "\x00" + body  # a NUL too late for the binary check
    text = (f"---\n{header}---\n\n{body}\n" if draw(st.booleans()) or header else body)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp949", "utf-16",
                                     "latin-1"]))
    data = text.encode(encoding, errors="replace" if encoding != "utf-16" else "surrogatepass")
    if draw(st.integers(0, 19)) == 7:
        data = draw(st.binary(min_size=1, max_size=200))  # garbage now and then
    return data


# ---- the property -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    """One small site shared by every example (posts are rewritten in place)."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="hanji-property-") as name:
        site = SiteBuilder(Path(name) / "site", {"title": "시험", "url": "https://test.example"})
        root = site.root
        (root / "_posts").mkdir()
        site.file("assets/bad.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script>'
                                    '<image href="file:///etc/passwd"/></svg>')
        Image.new("RGB", (40, 30), (10, 120, 200)).save(root / "assets" / "ok.png")
        Image.new("RGB", (30, 20), (200, 120, 10)).save(root / "assets" / "한글 이름.png")
        yield root


def _check_epub(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert names[0] == "mimetype"
        assert archive.read("mimetype") == b"application/epub+zip"
        opf_name = next(n for n in names if n.endswith(".opf"))
        opf = etree.fromstring(archive.read(opf_name))
        base = os.path.dirname(opf_name)
        for item in opf.iter("{http://www.idpf.org/2007/opf}item"):
            assert os.path.normpath(os.path.join(base, item.get("href"))) in names
        for name in names:
            if name.endswith((".xhtml", ".opf", ".ncx", ".svg")):
                etree.fromstring(archive.read(name))  # well-formed XML, or this raises


# HANJI_PROPERTY_EXAMPLES=2000 for a long bug hunt; 40 keeps the suite fast.
@settings(max_examples=int(os.environ.get("HANJI_PROPERTY_EXAMPLES", "40")),
          deadline=dt.timedelta(seconds=20),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(data=_post_bytes(), name=st.sampled_from(["2024-01-01-post.md", "글.md", "x.markdown"]))
def test_any_post_converts_or_raises_hanji_error(workspace: Path, data: bytes, name: str) -> None:
    post = workspace / "_posts" / name
    post.write_bytes(data)
    out = workspace.parent / "out"
    options = converter.Options(formats=("epub",), cache_dir=workspace.parent / "cache", jobs=1,
                                timeout=20)
    try:
        result = converter.convert(post, output_dir=out, options=options)
    except converter.HanjiError as exc:
        assert str(exc) and "\n" not in str(exc)
        event(f"refused: {type(exc).__name__}: {exc.message[:40]}")
        return
    finally:
        post.unlink()
    event("converted")
    epub = result.outputs["epub"].path
    assert epub.parent == out
    _check_epub(epub)
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
