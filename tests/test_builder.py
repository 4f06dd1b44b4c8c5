"""The long-lived Builder: documents of a site, chapters kept, only what changed rebuilt,
problems named by file and line while the previous good chapter stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteBuilder

from converter import Builder, Options
from converter.errors import InputError


def _site(site: SiteBuilder) -> tuple[Path, Path]:
    site.image("assets/img/photo.png", (320, 200))
    first = site.post("2020-01-01-first.md", "첫 글의 본문입니다.\n\n![사진](/assets/img/photo.png)\n",
                      front_matter='title: "첫 글"')
    second = site.post("2020-02-01-second.md", "둘째 글은 [첫 글](/2020/01/01/first.html)을 "
                       "가리킵니다.\n\n{% include_relative note.txt %}\n\n"
                       "{% include figure image_path=\"/assets/img/photo.png\" %}\n",
                       front_matter='title: "둘째 글"')
    (site.root / "_posts" / "note.txt").write_text("포함된 알림\n", encoding="utf-8")
    (site.root / "_includes").mkdir()
    (site.root / "_includes" / "figure").write_text("<figure></figure>\n", encoding="utf-8")
    (site.root / "book.yml").write_text("title: 시험 책\nsources: [.]\n", encoding="utf-8")
    return first, second


def test_documents_chapters_and_dependencies(site: SiteBuilder, tmp_path: Path) -> None:
    first, second = _site(site)
    builder = Builder(site.root, options=Options(cache_dir=tmp_path / "cache"),
                      output_dir=tmp_path / "out")
    assert sorted(builder.documents) == ["book/시험-책", "post/2020-01-01-first",
                                         "post/2020-02-01-second"]
    book = builder.documents["book/시험-책"]
    assert [p.name for p in book.sources] == [first.name, second.name]
    states = builder.chapters(book.key)
    assert [s.chapter.id for s in states] == ["ch001", "ch002"]
    # The link to the first post became a link inside the book.
    hrefs = [a.get("href") for a in states[1].chapter.body.iter("a")]
    assert "#ch001-title" in hrefs
    assert (site.root / "assets/img/photo.png").resolve() in states[0].depends_on
    assert states[1].includes == {"figure"}
    assert (site.root / "_posts" / "note.txt").resolve() in states[1].depends_on
    assert "포함된 알림" in states[1].chapter.body.text_content()

    # An included file or a site include: only the chapter that uses it.
    changes = builder.changed([site.root / "_posts" / "note.txt"])
    assert changes.chapters == {(book.key, 1)}
    changes = builder.changed([site.root / "_includes" / "figure"])
    assert changes.chapters == {(book.key, 1)}
    # _config.yml: every chapter built so far.
    changes = builder.changed([site.root / "_config.yml"])
    assert changes.chapters == {(book.key, 0), (book.key, 1)}

    # Rebuilding one chapter leaves the other's object alone.
    kept = states[0]
    second.write_text(second.read_text(encoding="utf-8").replace("가리킵니다", "고쳤습니다"),
                      encoding="utf-8")
    assert builder.changed([second]).chapters == {(book.key, 1)}
    rebuilt = builder.rebuild(book.key, 1)
    assert rebuilt is not None and rebuilt.version > max(s.version for s in states)
    assert "고쳤습니다" in rebuilt.chapter.body.text_content()
    assert builder.chapter(book.key, 0) is kept
    assert "#ch001-title" in [a.get("href") for a in rebuilt.chapter.body.iter("a")]


def test_problems_keep_the_last_good_chapter(site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2020-01-01-only.md", "좋은 본문.\n", front_matter='title: "글"')
    builder = Builder(post, output_dir=tmp_path / "out")
    key = "post/2020-01-01-only"
    good = builder.chapter(key, 0)
    assert good is not None and builder.problems(key) == []

    post.write_text("---\ntitle: [broken\n---\n\n본문\n", encoding="utf-8")
    assert builder.rebuild(key, 0) is good
    [problem] = builder.problems(key)
    assert problem.path == post and problem.line is not None and "YAML" in problem.message

    post.write_text("---\ntitle: 글\n---\n\n첫 줄\n\n{% if %}깨진 리퀴드\n", encoding="utf-8")
    assert builder.rebuild(key, 0) is good
    [problem] = builder.problems(key)
    assert problem.path == post and problem.line == 7 and "Liquid" in problem.message

    post.write_text("---\ntitle: 글\n---\n\n고친 본문\n", encoding="utf-8")
    fixed = builder.rebuild(key, 0)
    assert fixed is not None and "고친 본문" in fixed.chapter.body.text_content()
    assert builder.problems(key) == []


def test_bad_config_is_a_problem_until_fixed(site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2020-01-01-only.md", "{{ site.title }} 본문.\n", front_matter='title: "글"')
    builder = Builder(site.root, output_dir=tmp_path / "out")
    key = "post/2020-01-01-only"
    assert "테스트 블로그" in builder.chapter(key, 0).chapter.body.text_content()
    config = site.root / "_config.yml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "broken: [\n", encoding="utf-8")
    assert builder.changed([config]).chapters == set()
    [problem] = builder.problems()
    assert problem.path == config and problem.line is not None
    assert "테스트 블로그" in builder.chapter(key, 0).chapter.body.text_content()
    config.write_text(good.replace("테스트 블로그", "고친 블로그"), encoding="utf-8")
    changes = builder.changed([config])
    assert changes.chapters == {(key, 0)} and builder.problems() == []
    assert "고친 블로그" in builder.rebuild(key, 0).chapter.body.text_content()
    del post


def test_write_pdf_of_a_post(site: SiteBuilder, tmp_path: Path) -> None:
    import pypdf

    post = site.post("2020-01-01-pdf.md", "피디에프 본문 문장.\n", front_matter='title: "피디에프"')
    builder = Builder(post, options=Options(cache_dir=tmp_path / "cache"),
                      output_dir=tmp_path / "out")
    path = builder.write_pdf("post/2020-01-01-pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
    assert "피디에프" in text.replace("\u2060", "")


def test_missing_target_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        Builder(tmp_path / "nope", output_dir=tmp_path / "out")


def test_bad_book_yml_keeps_the_book(site: SiteBuilder, tmp_path: Path) -> None:
    _site(site)
    builder = Builder(site.root, output_dir=tmp_path / "out")
    book_file = site.root / "book.yml"
    good = book_file.read_text(encoding="utf-8")
    book_file.write_text("title: [시험\n", encoding="utf-8")
    assert builder.changed([book_file]).index
    assert "book/시험-책" in builder.documents
    [problem] = builder.problems()
    assert problem.path == book_file and problem.line is not None
    book_file.write_text(good.replace("시험 책", "고친 책"), encoding="utf-8")
    builder.changed([book_file])
    assert "book/고친-책" in builder.documents and "book/시험-책" not in builder.documents
    assert builder.problems() == []
