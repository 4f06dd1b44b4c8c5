"""The library API (converter/__init__.py, api.py): exports, results, errors, threads."""

from __future__ import annotations

import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SiteBuilder, pdf_text

import converter
from converter.writers import WriteResult


def test_public_names_and_typing_marker() -> None:
    for name in ("convert", "build_book", "run_batch", "Post", "Book", "BookConfig", "BookResult",
                 "ConversionResult", "Options", "HanjiError", "ConfigError", "InputError",
                 "AssetError", "ThemeError", "OutputError", "BuildWarning"):
        assert name in converter.__all__ and hasattr(converter, name), name
    assert (Path(converter.__file__).parent / "py.typed").is_file()
    for error in (converter.ConfigError, converter.InputError, converter.AssetError,
                  converter.ThemeError, converter.OutputError):
        assert issubclass(error, converter.HanjiError)


def test_convert_result_object(site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2021-05-05-result.md", "본문. ![없는 그림](missing.png)",
                     front_matter='title: "결과"')
    result = converter.convert(post, output_dir=tmp_path / "out", formats=["pdf"],
                               options=converter.Options(cache_dir=tmp_path / "cache"))
    assert isinstance(result, converter.ConversionResult)
    assert result.paths == [tmp_path / "out" / "2021-05-05-result.pdf"]
    assert isinstance(result.outputs["pdf"], WriteResult) and result.pages >= 1
    (warning,) = result.warnings
    assert isinstance(warning, converter.BuildWarning)
    assert warning.path == post and "missing.png" in str(warning)


def test_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(converter.InputError) as info:
        converter.convert(tmp_path / "absent.md", output_dir=tmp_path)
    assert info.value.path == tmp_path / "absent.md"
    with pytest.raises(converter.ConfigError):
        converter.Options(page_size="huge")
    with pytest.raises(converter.ConfigError, match="title"):
        converter.build_book([tmp_path], output_dir=tmp_path)


def test_build_book_from_paths_with_filters(tmp_path: Path) -> None:
    site = SiteBuilder(tmp_path / "site")
    site.post("2021-01-01-a.md", "가", front_matter='title: "가"\ntags: [keep]')
    site.post("2021-01-02-b.md", "나", front_matter='title: "나"')
    site.post("2021-01-03-c.md", "다", front_matter='title: "다"\ntags: [keep]')
    result = converter.build_book([site.root], title="Keep", tags=["keep"], formats=["epub"],
                                  output_dir=tmp_path / "out",
                                  options=converter.Options(cache_dir=tmp_path / "cache"))
    assert isinstance(result, converter.BookResult)
    assert result.titles == ["가", "다"] and result.chapters == 2 and result.pages is None
    assert result.paths == [tmp_path / "out" / "keep.epub"]
    config = converter.BookConfig(title="Again", sources=(site.root,), sort="date",
                                  output="again")
    again = converter.build_book(config, output_dir=tmp_path / "out", formats=["epub"],
                                 options=converter.Options(cache_dir=tmp_path / "cache"))
    assert again.titles == ["가", "나", "다"]


def test_two_threads_convert_different_posts_at_once(tmp_path: Path) -> None:
    """No global state: two conversions in parallel threads give the right, distinct files,
    each with its own warnings."""
    site = SiteBuilder(tmp_path / "site")
    site.image("assets/images/one.png", (400, 300), color=(200, 40, 40))
    posts = {
        "alpha": site.post("2022-01-01-alpha.md",
                           "알파 글입니다. " * 200 + "\n\n![알파 글의 그림](/assets/images/one.png)",
                           front_matter='title: "알파 제목"'),
        "beta": site.post("2022-01-02-beta.md",
                          "베타 글입니다. " * 150 + "\n\n![없음](/assets/images/none.png)",
                          front_matter='title: "베타 제목"'),
    }
    barrier = threading.Barrier(2)
    options = converter.Options(cache_dir=tmp_path / "cache", jobs=1)

    def work(name: str) -> converter.ConversionResult:
        barrier.wait()  # start together
        return converter.convert(posts[name], output_dir=tmp_path / "out", options=options)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(posts, pool.map(work, posts)))
    for name, other in (("alpha", "beta"), ("beta", "alpha")):
        result = results[name]
        assert {p.name for p in result.paths} == {f"{posts[name].stem}.pdf",
                                                  f"{posts[name].stem}.epub"}
        text = pdf_text(result.outputs["pdf"].path).replace("\u2060", "")
        own = {"alpha": "알파", "beta": "베타"}
        assert f"{own[name]} 제목" in text and f"{own[other]} 제목" not in text
        with zipfile.ZipFile(result.outputs["epub"].path) as archive:
            body = "".join(archive.read(n).decode() for n in archive.namelist()
                           if n.endswith(".xhtml"))
        assert f"{own[name]} 글입니다" in body and f"{own[other]} 글입니다" not in body
    assert [w.path for w in results["alpha"].warnings] == []
    assert [w.path for w in results["beta"].warnings] == [posts["beta"]]


def test_discover_posts_from_a_relative_path_with_dot_dot(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blog = tmp_path / "blog"
    (blog / "_posts").mkdir(parents=True)
    (blog / "_posts" / "2024-01-01-a.md").write_text("# a\n", encoding="utf-8")
    (blog / ".github" / "_posts").mkdir(parents=True)
    (blog / ".github" / "_posts" / "2024-01-02-hidden.md").write_text("# h\n", encoding="utf-8")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    found = converter.discover_posts(["../blog"])
    assert [p.name for p in found] == ["2024-01-01-a.md"]
