"""Books from many posts (converter/series/): book.yml schema, selection, links, the book."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import SiteBuilder, epub_texts, epubcheck_problems, pdf_text
from lxml import etree

from converter.diagnostics import Diagnostics
from converter.errors import ConfigError
from converter.options import Options
from converter.series import (
    BookConfig,
    assemble_book,
    build_book,
    select_posts,
    slugify,
)

XHTML = "{http://www.w3.org/1999/xhtml}"
LONG = "\n\n".join(f"세 번째 글의 {i}번째 문단입니다. 한국어 문장이 이어지며 쪽을 넘깁니다. " * 4
                   for i in range(45))


def series_site(root: Path) -> SiteBuilder:
    """Four posts, three of them in category ``study``; two share an image; they link to each
    other in the styles real blogs use."""
    site = SiteBuilder(root)
    site.image("assets/images/shared.png", (640, 400), color=(40, 120, 200))
    site.image("assets/images/own.png", (500, 300), color=(200, 60, 40))
    site.post("2018-12-01-outside.md", """
        책에 들어가지 않는 글입니다.
        """, front_matter='title: "바깥 글"\ncategories: [etc]\ntags: [misc]')
    site.post("2019-01-01-intro.md", """
        소개 글입니다. ![공유 그림](/assets/images/shared.png)

        - [둘째 글]({% post_url 2019-02-01-second %})로 이어집니다.
        - [셋째 글의 결과](https://test.example/works/2019/03/01/third.html#결과-보기)를 보세요.
        - [바깥 글](/etc/2018/12/01/outside.html)은 이 책에 없습니다.
        - [다른 사이트](https://example.com/page)
        """, front_matter='title: "첫째 글: 소개"\ncategories: [study]\ntags: [R, 통계]')
    site.post("2019-02-01-second.md", """
        둘째 글입니다. ![공유 그림](/assets/images/shared.png)

        ![다른 그림](/assets/images/own.png)

        [처음으로](http://www.test.example/study/2019/01/01/intro/) 돌아갑니다.
        """, front_matter='title: "둘째 글"\ncategories: [study]\ntags: [R]')
    site.post("2019-03-01-third.md", "[소개](/study/2019/01/01/intro.html)를 먼저 읽으세요.\n\n"
              f"## 결과 보기\n\n{LONG}\n",
              front_matter='title: "셋째 글"\ncategories: works\ntags: [python]')
    return site


@pytest.fixture
def series(tmp_path: Path) -> SiteBuilder:
    return series_site(tmp_path / "site")


def write_yml(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def titles(posts: list) -> list[str]:
    return [p.title for p in posts]


# ------------------------------------------------------------------------- selection


def test_explicit_posts_keep_list_order_then_filtered_sources(series: SiteBuilder) -> None:
    yml = write_yml(series.root.parent / "book.yml", """
        title: 시험 책
        posts:
          - site/_posts/2019-03-01-third.md
          - site/_posts/2019-01-01-intro.md
        sources: [site]
        categories: [study]
        """)
    config, _ = BookConfig.load(yml)
    assert config.posts[0] == series.root.parent / "site/_posts/2019-03-01-third.md"
    posts = select_posts(config, Diagnostics())
    # Listed posts in list order (the listed "works" post is not filtered), then the rest of
    # the filtered sources by date, each post once.
    assert titles(posts) == ["셋째 글", "첫째 글: 소개", "둘째 글"]


def test_sort_date_orders_everything_by_date(series: SiteBuilder) -> None:
    config, _ = BookConfig.from_mapping({
        "title": "t", "sort": "date",
        "posts": [str(series.root / "_posts/2019-03-01-third.md"),
                  str(series.root / "_posts/2018-12-01-outside.md")],
        "sources": [str(series.root)], "tags": ["R"]})
    assert titles(select_posts(config, Diagnostics())) == [
        "바깥 글", "첫째 글: 소개", "둘째 글", "셋째 글"]


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["바깥 글", "첫째 글: 소개", "둘째 글", "셋째 글"]),
    ({"categories": ["STUDY"]}, ["첫째 글: 소개", "둘째 글"]),
    ({"tags": ["python", "misc"]}, ["바깥 글", "셋째 글"]),
    ({"tag": "통계"}, ["첫째 글: 소개"]),
    ({"date_from": "2019-01-15", "date_to": dt.date(2019, 3, 1)}, ["둘째 글", "셋째 글"]),
    ({"glob": "*-s*"}, ["둘째 글"]),
    ({"glob": "_posts/2019-0[13]-*"}, ["첫째 글: 소개", "셋째 글"]),
])
def test_filters(series: SiteBuilder, filters: dict, expected: list[str]) -> None:
    config, _ = BookConfig.from_mapping({"title": "t", "sources": [str(series.root)], **filters})
    assert titles(select_posts(config, Diagnostics())) == expected


def test_folder_in_posts_is_filtered_and_unloadable_posts_are_skipped(series: SiteBuilder) -> None:
    broken = series.post("2019-04-01-broken.md", "본문", front_matter="title: [unclosed")
    config, _ = BookConfig.from_mapping({"title": "t", "posts": [str(series.root / "_posts")],
                                         "date_from": "2019-01-01"})
    diagnostics = Diagnostics()
    skipped: list[Path] = []
    assert titles(select_posts(config, diagnostics, skipped=skipped)) == [
        "첫째 글: 소개", "둘째 글", "셋째 글"]
    assert [w.path for w in diagnostics.warnings] == [broken]
    assert skipped == [broken]


def test_book_counts_a_post_that_cannot_be_loaded_as_skipped(series: SiteBuilder,
                                                               tmp_path: Path) -> None:
    broken = series.post("2019-04-01-broken.md", "본문", front_matter="title: [unclosed")
    result = build_book([series.root], title="책", output_dir=tmp_path / "out",
                        options=Options(formats=("epub",), jobs=1,
                                        cache_dir=tmp_path / "cache"))
    assert result.skipped == [broken]
    assert result.outputs["epub"].path.is_file()


def test_sources_default_to_the_folder_of_book_yml(series: SiteBuilder) -> None:
    yml = write_yml(series.root / "book.yml", "title: 책\ncategories: [works]\n")
    config, _ = BookConfig.load(yml)
    assert config.sources == (series.root,)
    assert titles(select_posts(config, Diagnostics())) == ["셋째 글"]


def test_options_at_top_level_and_nested(series: SiteBuilder) -> None:
    yml = write_yml(series.root / "book.yml", """
        title: 책
        page-size: A4
        options:
          formats: [epub]
          theme: sans
        """)
    _, options = BookConfig.load(yml)
    assert (options.page_size, options.formats, options.theme) == ("A4", ("epub",), "sans")


def test_slug_keeps_hangul() -> None:
    assert slugify("데이터 분석 이야기!") == "데이터-분석-이야기"
    assert slugify("  ") == "book"


# ------------------------------------------------------------------------- schema errors


@pytest.mark.parametrize(("body", "needle"), [
    ("title: t\ntitel: x\n", "unknown key 'titel'; did you mean 'title'?"),
    ("title: t\noptions:\n  theme: [a, b]\n", "key 'options.theme': expected text"),
    ("title: t\noptions:\n  fromats: [pdf]\n", "unknown key 'options.fromats'"),
    ("title: t\noptions:\n  formats: [pdf, docx]\n",
     "key 'options.formats[1]': 'docx' is not one of"),
    ("title: t\noptions: [theme]\n", "key 'options': expected a mapping"),
    ("title: t\nposts: [site/_posts/2019-01-01-intro.md, 3]\n", "key 'posts[1]': expected a path"),
    ("title: t\nposts:\n  - site/_posts/2019-01-01-intro.md\n  - site/_posts/nope.md\n",
     "key 'posts[1]': no such file or folder"),
    ("title: t\nposts: site/_posts/2019-01-01-intro.md\ntags: {a: 1}\n",
     "key 'tags': expected a list"),
    ("title: t\ndate_from: yesterday\n", "key 'date_from': expected a date"),
    ("title: t\ndate_from: 2020-01-01\ndate_to: 2019-01-01\n", "is after 'date_to'"),
    ("title: t\nsort: random\n", "key 'sort': 'random' is not one of"),
    ("title: t\ntheme: no-such-theme\n", "key 'theme'"),
    ("title: t\nlanguage: 한국어\n", "key 'lang'"),
    ("title: t\ncover: missing.jpg\n", "key 'cover': no such file"),
    ("subtitle: s\n", "key 'title' is required"),
    ("- just\n- a list\n", "expected a mapping"),
    ("title: [unclosed\n", "invalid YAML"),
])
def test_schema_errors_name_the_key_and_the_file(series: SiteBuilder, body: str,
                                                 needle: str) -> None:
    yml = write_yml(series.root.parent / "book.yml", body)
    with pytest.raises(ConfigError) as info:
        BookConfig.load(yml)
    message = str(info.value)
    assert needle in message
    assert message.startswith(f"{yml}")
    assert "\n" not in message


def test_yaml_error_has_a_line(series: SiteBuilder) -> None:
    yml = write_yml(series.root / "book.yml", "title: t\nposts: [a\nsort: date\n")
    with pytest.raises(ConfigError) as info:
        BookConfig.load(yml)
    assert info.value.line is not None and str(info.value).startswith(f"{yml}:")


def test_api_filters_are_validated_too(series: SiteBuilder) -> None:
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        build_book([series.root], title="t", colour="red")
    with pytest.raises(ConfigError, match="key 'date_to'"):
        build_book([series.root], title="t", date_to="soon")
    with pytest.raises(ConfigError, match="no posts selected"):
        build_book([series.root], title="t", tags=["nothing-has-this"], output_dir="unused")


# ------------------------------------------------------------------------- links


def _linked_book(site: SiteBuilder, **filters: object):
    config, options = BookConfig.from_mapping({"title": "t", "sources": [str(site.root)],
                                               **filters})
    diagnostics = Diagnostics()
    posts = select_posts(config, diagnostics)
    book, _ = assemble_book(config, options, posts, diagnostics)
    return book


def _hrefs(chapter) -> dict[str, str]:
    return {" ".join(a.text_content().split()): a.get("href") for a in chapter.body.iter("a")}


def test_links_between_included_posts_become_internal(series: SiteBuilder) -> None:
    book = _linked_book(series, date_from="2019-01-01")
    intro, second, third = book.chapters
    links = _hrefs(intro)
    assert links["둘째 글"] == f"#{second.id}-title"  # {% post_url %}
    # The own site's absolute URL with a fragment naming a Hangul heading: that heading.
    heading = next(h for h in third.headings if h.title == "결과 보기")
    assert links["셋째 글의 결과"] == f"#{heading.id}"
    assert links["바깥 글"] == "https://test.example/etc/2018/12/01/outside.html"
    assert links["다른 사이트"] == "https://example.com/page"
    # http + www. + the "pretty" style of the permalink; and a site-relative permalink.
    assert _hrefs(second)["처음으로"] == f"#{intro.id}-title"
    assert _hrefs(third)["소개"] == f"#{intro.id}-title"


def test_links_in_custom_permalink_style_with_encoded_categories(tmp_path: Path) -> None:
    site = SiteBuilder(tmp_path / "blog")
    config = site.root / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8") + "permalink: /:categories/:title/\n",
                      encoding="utf-8")
    site.post("2020-01-01-sdk-intro.md", "## 2.5 Generic Access Profile (GAP)\n\n본문",
              front_matter='title: "SDK"\ncategories: [nRF Connect SDK]')
    site.post("2020-02-01-next.md", """
        [앞 글](https://test.example/nrf%20connect%20sdk/sdk-intro/#25-generic-access-profile-gap)
        [앞 글 전체](https://test.example/nRF%20Connect%20SDK/sdk-intro)
        [옛 주소](https://test.example/old_category/sdk-intro/)
        [다른 페이지](https://test.example/guide/sdk-intro-2.html)
        """, front_matter='title: "다음"\ncategories: [nRF Connect SDK]')
    first, second = _linked_book(site).chapters
    links = _hrefs(second)
    heading = first.headings[0]
    assert links["앞 글"] == f"#{heading.id}"
    assert links["앞 글 전체"] == f"#{first.id}-title"
    # A renamed category: the slug still names exactly one post of the book.
    assert links["옛 주소"] == f"#{first.id}-title"
    assert links["다른 페이지"] == "https://test.example/guide/sdk-intro-2.html"


def test_site_relative_links_without_a_site_url(tmp_path: Path) -> None:
    """A _config.yml without `url`: links between posts still become internal; the other
    site-relative links are unwrapped (no dead "/..." link in the book)."""
    site = SiteBuilder(tmp_path / "blog")
    (site.root / "_config.yml").write_text('title: "블로그"\nlocale: "ko-KR"\n', encoding="utf-8")
    site.post("2021-03-01-first.md", "## 시작\n\n본문", front_matter='title: "첫 글"')
    site.post("2021-03-02-second.md", """
        [첫 글로](/2021/03/01/first.html) 그리고 [시작 부분](/2021/03/01/first.html#시작)
        [소개 페이지](/about/) 끝.
        """, front_matter='title: "둘째 글"')
    first, second = _linked_book(site).chapters
    links = _hrefs(second)
    assert links["첫 글로"] == f"#{first.id}-title"
    assert links["시작 부분"] == f"#{first.headings[0].id}"
    assert "소개 페이지" not in links  # unwrapped: its text stays
    assert "소개 페이지" in second.body.text_content()
    assert not [a for c in (first, second) for a in c.body.iter("a")
                if any(k.startswith("data-hanji") for k in a.attrib)]
    # Alone, a post keeps none of those links, and loses no text.
    from converter import api

    result = api.convert(site.root / "_posts" / "2021-03-02-second.md",
                         output_dir=tmp_path / "out", formats=["epub"])
    xhtml = "".join(epub_texts(result.outputs["epub"].path).values())
    assert "첫 글로" in xhtml and "소개 페이지" in xhtml
    assert 'href="/' not in xhtml and "data-hanji" not in xhtml


# ------------------------------------------------------------------------- the book


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """book.yml → PDF and EPUB, built once for the tests below."""
    root = tmp_path_factory.mktemp("series")
    series_site(root / "site")
    yml = write_yml(root / "book.yml", """
        title: 시험 책
        subtitle: 여러 글을 한 권으로
        author: 시험자
        output: test-book
        posts:
          - site/_posts/2019-03-01-third.md
        sources: [site]
        categories: [study]
        options:
          formats: [pdf, epub]
        """)
    result = build_book(yml, output_dir=root / "out",
                        options=Options(cache_dir=root / "cache"))
    return result


def test_book_outputs_and_result(built) -> None:
    assert [p.name for p in built.paths] == ["test-book.pdf", "test-book.epub"]
    assert built.titles == ["셋째 글", "첫째 글: 소개", "둘째 글"]
    assert built.chapters == 3 and built.pages and built.pages > 4
    assert [p.name for p in built.posts] == ["2019-03-01-third.md", "2019-01-01-intro.md",
                                             "2019-02-01-second.md"]
    assert built.skipped == [] and built.warnings == []


def test_pdf_outline_toc_and_running_heads(built) -> None:
    import pypdf

    pdf = built.outputs["pdf"].path
    reader = pypdf.PdfReader(pdf)
    top = [item.title.replace("\u2060", "") for item in reader.outline
           if not isinstance(item, list)]
    assert [t for t in top if t in built.titles] == built.titles  # one bookmark per chapter
    text = pdf_text(pdf).replace("\u2060", "")
    pages = text.split("\f")
    toc = next(p for p in pages if "차례" in p)
    for title in built.titles:  # the TOC lists each chapter with its page number
        assert re.search(re.escape(title) + r"[ .]*\d+", toc), title
    # "셋째 글" spans pages: its title runs at the head of the pages after its first.
    body_pages = [p for p in pages if "번째 문단입니다" in p]
    assert len(body_pages) >= 3
    assert all("셋째 글" in p for p in body_pages[1:])


def test_internal_links_resolve_in_both_formats(built) -> None:
    import pypdf

    reader = pypdf.PdfReader(built.outputs["pdf"].path)
    internal, uris = 0, []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
            elif annot.get("/Dest") is not None or (action is not None and "/D" in action):
                internal += 1
    # The TOC (3) and the four links between included posts; the others stay on the web.
    assert internal >= 7
    assert sorted(uris) == ["https://example.com/page",
                            "https://test.example/etc/2018/12/01/outside.html"]

    with zipfile.ZipFile(built.outputs["epub"].path) as archive:
        docs = {n: etree.fromstring(archive.read(n)) for n in archive.namelist()
                if n.endswith(".xhtml")}
    ids = {n: {e.get("id") for e in d.iter() if e.get("id")} for n, d in docs.items()}
    cross = 0
    for name, doc in docs.items():
        for link in doc.iter(f"{XHTML}a"):
            href = link.get("href") or ""
            if re.match(r"^[a-z]+:", href):
                continue
            target, _, fragment = href.partition("#")
            resolved = str(Path(name).parent / target) if target else name
            assert resolved in docs, href
            assert not fragment or fragment in ids[resolved], href
            cross += target.startswith("ch")
    assert cross >= 4


def test_epub_nav_has_one_entry_per_chapter(built) -> None:
    with zipfile.ZipFile(built.outputs["epub"].path) as archive:
        nav_name = next(n for n in archive.namelist() if n.endswith("nav.xhtml"))
        nav = etree.fromstring(archive.read(nav_name))
    toc = next(n for n in nav.iter(f"{XHTML}nav")
               if n.get("{http://www.idpf.org/2007/ops}type") == "toc")
    entries = ["".join(li.find(f"{XHTML}a").itertext()) for li in toc.find(f"{XHTML}ol")]
    assert entries == built.titles


def test_shared_image_is_stored_once(built) -> None:
    import pypdf

    with zipfile.ZipFile(built.outputs["epub"].path) as archive:
        images = [n for n in archive.namelist() if "/images/" in n
                  and not n.endswith("/images/cover.png")]  # the generated cover picture
    assert len(images) == len(set(images)) == 2  # shared.png once, own.png once

    reader = pypdf.PdfReader(built.outputs["pdf"].path)
    objects = set()
    for page in reader.pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                objects.add(ref.idnum)
    assert len(objects) == 2


def test_book_epub_passes_epubcheck(built) -> None:
    assert epubcheck_problems(built.outputs["epub"].path) == []
