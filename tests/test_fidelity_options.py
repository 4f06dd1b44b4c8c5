"""Site settings Jekyll and kramdown honour that hanji follows: front-matter ``defaults``,
``auto_ids``/``auto_id_prefix``/``toc_levels``, ``parse_block_html``; and bare URLs ending
where GFM's extended autolinks end them."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from _pipeline import convert, make_site

from converter.assemble import build_chapter
from converter.book import AssetStore
from converter.dialect.permalinks import permalink
from converter.front_matter_defaults import defaults_for, with_defaults
from converter.markdown_kramdown import gfm_autolink_end
from converter.options import Options
from converter.post import load_post
from converter.render import markdown_to_html
from converter.site import load_site

DEFAULTS = [
    {"scope": {"path": ""}, "values": {"layout": "post", "math": False, "toc": False}},
    {"scope": {"path": "", "type": "posts"}, "values": {"permalink": "/글/:title/",
                                                       "header": {"caption": "기본"}}},
    {"scope": {"path": "_posts/notes"}, "values": {"permalink": "/notes:path/", "math": True}},
    {"scope": {"path": "_posts/*/deep"}, "values": {"toc": True}},
    {"scope": {"path": "", "type": "pages"}, "values": {"layout": "page"}},
]


def test_defaults_by_path_and_type_more_specific_wins(tmp_path: Path) -> None:
    root = tmp_path
    config = {"defaults": DEFAULTS}
    top = root / "_posts" / "2024-01-01-a.md"
    note = root / "_posts" / "notes" / "2024-01-02-b.md"
    deep = root / "_posts" / "x" / "deep" / "2024-01-03-c.md"
    assert defaults_for(top, root, config) == {"layout": "post", "math": False, "toc": False,
                                               "permalink": "/글/:title/",
                                               "header": {"caption": "기본"}}
    assert defaults_for(note, root, config)["permalink"] == "/notes:path/"
    assert defaults_for(note, root, config)["math"] is True
    assert defaults_for(deep, root, config)["toc"] is True
    # The post's own front matter wins; mappings merge.
    merged = with_defaults({"math": False, "header": {"image": "x.png"}}, note, root, config)
    assert merged["math"] is False and merged["header"] == {"caption": "기본", "image": "x.png"}
    assert defaults_for(top, root, {}) == {}


def test_permalink_from_defaults_and_jekyll_placeholders(tmp_path: Path) -> None:
    site = {"permalink": "/:year/:title/", "defaults": DEFAULTS}
    note = tmp_path / "_posts" / "notes" / "2024-01-02-my note.md"
    assert permalink(front_matter={}, source=note, site=site,
                     site_root=tmp_path) == "/notes/notes/2024-01-02-my%20note/"
    top = tmp_path / "_posts" / "2024-01-01-Top-4%-x.md"
    assert permalink(front_matter={}, source=top, site=site, site_root=tmp_path) == \
        "/%EA%B8%80/Top-4-x/"
    assert permalink(front_matter={"permalink": "/own/"}, source=top, site=site,
                     site_root=tmp_path) == "/own/"


def test_front_matter_defaults_reach_the_chapter(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", config={"defaults": [
        {"scope": {"path": "_posts"}, "values": {"toc": True}}]})
    path = root / "_posts" / "2024-01-01-a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\ntitle: 글\n---\n## 절\n\n본문\n", encoding="utf-8")
    chapter = build_chapter(load_post(path), load_site(root), Options(), AssetStore(),
                            chapter_id="c")
    assert chapter.toc is True


def _chapter(tmp_path: Path, kramdown: dict, body: str):
    root = make_site(tmp_path / "site", config={"kramdown": kramdown})
    path = root / "_posts" / "2024-01-01-a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\ntitle: 글\n---\n" + body, encoding="utf-8")
    return build_chapter(load_post(path), load_site(root), Options(), AssetStore(),
                         chapter_id="c")


BODY = ("## 첫째 절\n\n[첫째로](#첫째-절) [접두로](#sec-첫째-절) [직접](#own)\n\n"
        "## 둘째 {#own}\n\n### 셋째\n\n#### 넷째\n\n## 목차 밖\n{: .no_toc}\n")


def test_auto_ids_false_leaves_headings_without_ids(tmp_path: Path) -> None:
    out = convert(tmp_path, BODY, config={"kramdown": {"auto_ids": False}})
    headings = out.find("//h2|//h3|//h4")
    assert [h.get("id") for h in headings] == [None, "own", None, None, None]
    # A link to an automatic id leads nowhere, as on the blog; the author's id still works.
    assert [a.get("href") for a in out.find("//a")] == ["#own"]


def test_auto_id_prefix(tmp_path: Path) -> None:
    out = convert(tmp_path, BODY, config={"kramdown": {"auto_id_prefix": "sec-"}})
    assert [h.get("id") for h in out.find("//h2|//h3|//h4")] == [
        "sec-첫째-절", "own", "sec-셋째", "sec-넷째", "sec-목차-밖"]
    assert [unquote(a.get("href")) for a in out.find("//a")] == ["#sec-첫째-절", "#own"]


def test_default_ids_unchanged(tmp_path: Path) -> None:
    out = convert(tmp_path, BODY)
    assert out.find("//h2")[0].get("id") == "첫째-절"


def test_toc_levels_and_no_toc_choose_the_book_toc(tmp_path: Path) -> None:
    chapter = _chapter(tmp_path, {"toc_levels": "2..3"}, BODY)
    assert [h.title for h in chapter.headings] == ["첫째 절", "둘째", "셋째"]
    assert chapter.body.xpath("//*[@data-toc]") == []
    every = _chapter(tmp_path / "b", {}, BODY)
    assert [h.title for h in every.headings] == ["첫째 절", "둘째", "셋째", "넷째"]


BLOCKS = ("<div>\n이 상자 안의 **굵게**.\n\n- 하나\n- 둘\n</div>\n\n"
          "<p>\n문단 속 `<b>태그</b>` 와\n*기울임*.\n</p>\n\n"
          "<table>\n<tr><td>표는 *그대로*</td></tr>\n</table>\n")


def test_parse_block_html_renders_markdown_in_blocks(tmp_path: Path) -> None:
    out = convert(tmp_path, BLOCKS, config={"kramdown": {"parse_block_html": True}})
    assert out.find("//div/p/strong")[0].text == "굵게"
    assert [li.text for li in out.find("//div/ul/li")] == ["하나", "둘"]
    paragraph = [p for p in out.find("//p") if p.find("code") is not None][0]
    assert paragraph.find("code").text == "<b>태그</b>" and paragraph.find("em").text == "기울임"
    assert out.find("//td")[0].text == "표는 *그대로*"  # a table is raw in kramdown


def test_without_parse_block_html_blocks_stay_raw(tmp_path: Path) -> None:
    out = convert(tmp_path, BLOCKS)
    assert out.find("//strong") == [] and "**굵게**" in out.root.text_content()


@pytest.mark.parametrize(("url", "end"), [
    ("https://a.kr/x.", "https://a.kr/x"),
    ("https://a.kr/x?y=1&amp;", "https://a.kr/x?y=1"),
    ("https://a.kr/x)", "https://a.kr/x"),
    ("https://a.kr/f_(x)", "https://a.kr/f_(x)"),
    ("https://a.kr/x'", "https://a.kr/x"),
])
def test_gfm_trailing_punctuation(url: str, end: str) -> None:
    assert gfm_autolink_end(url) == end


def test_bare_url_ends_at_quote_and_hangul() -> None:
    out = markdown_to_html('주소 "https://a.kr/posts/x/"이다. 또 https://a.kr/b한글 과 '
                           '(https://a.kr/c) 끝.')
    assert 'href="https://a.kr/posts/x/"' in out and "&quot;이" not in out
    assert 'href="https://a.kr/b"' in out and 'href="https://a.kr/c"' in out


def test_quotes_around_a_bare_url_curl_as_kramdown(tmp_path: Path) -> None:
    out = convert(tmp_path, '주소는 "https://a.kr/posts/x/"이다.\n')
    assert out.root.text_content().strip() == "주소는 “https://a.kr/posts/x/”이다."
