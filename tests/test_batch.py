"""Batch conversion (converter/batch.py): parallel, isolated failures, unique output names."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SiteBuilder

from converter.batch import output_names, run_batch
from converter.options import Options


def small_site(root: Path) -> SiteBuilder:
    site = SiteBuilder(root)
    site.image("assets/images/a.png", (300, 200))
    site.post("2020-01-01-good-one.md", "첫 글입니다. ![첫 글의 그림](/assets/images/a.png)",
              front_matter='title: "좋은 글 하나"')
    site.post("2020-01-02-broken.md", "본문", front_matter="title: [unclosed")
    site.post("2020-01-03-good-two.md", "둘째 글입니다. ![없는 그림](/assets/images/none.png)",
              front_matter='title: "좋은 글 둘"')
    return site


def test_one_broken_post_does_not_stop_the_others(tmp_path: Path,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    site = small_site(tmp_path / "site")
    posts = sorted((site.root / "_posts").iterdir())
    seen: list[str] = []
    summary = run_batch(posts, output_dir=tmp_path / "out",
                        options=Options(jobs=2, formats=("epub",), cache_dir=tmp_path / "cache"),
                        on_done=lambda outcome: seen.append(outcome.source.name))
    assert (summary.converted, summary.failed) == (2, 1)
    assert sorted(seen) == sorted(p.name for p in posts)
    assert [o.source for o in summary.outcomes] == posts  # given order, whatever finished first
    (failure,) = summary.failures
    assert failure.source.name == "2020-01-02-broken.md"
    assert "\n" not in failure.error and "2020-01-02-broken.md" in failure.error
    assert "front matter" in failure.error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "2020-01-01-good-one.epub", "2020-01-03-good-two.epub"]
    # Warnings are collected per post: only the post with the missing image has one.
    warnings = {o.source.name: [str(w) for w in o.warnings] for o in summary.outcomes}
    assert warnings["2020-01-01-good-one.md"] == []
    assert any("none.png" in w for w in warnings["2020-01-03-good-two.md"])
    assert summary.warnings == len(warnings["2020-01-03-good-two.md"])
    # Library code does not print (the worker processes neither).
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_single_post_runs_in_process(tmp_path: Path) -> None:
    site = small_site(tmp_path / "site")
    post = site.root / "_posts" / "2020-01-01-good-one.md"
    summary = run_batch([post], output_dir=tmp_path / "out",
                        options=Options(formats=("epub",), cache_dir=tmp_path / "cache"))
    assert summary.converted == 1 and summary.outcomes[0].name == "2020-01-01-good-one"
    assert summary.outcomes[0].result.paths == [tmp_path / "out" / "2020-01-01-good-one.epub"]


def test_missing_post_is_one_failure(tmp_path: Path) -> None:
    summary = run_batch([tmp_path / "nope.md"], output_dir=tmp_path / "out", options=Options())
    assert summary.failed == 1 and "no such file" in summary.failures[0].error


def test_output_names_are_unique(tmp_path: Path) -> None:
    a = tmp_path / "blog/_posts/opinions/2017-06-23-where.md"
    b = tmp_path / "blog/_posts/web-development/opinions/2017-06-23-where.md"
    c = tmp_path / "blog/_posts/2018-01-01-other.md"
    d = tmp_path / "blog/_posts/2017-06-23-WHERE.markdown"
    names = output_names([a, b, c, d])
    assert names[a] == "2017-06-23-where"
    assert names[b] == "2017-06-23-where-web-development-opinions"
    assert names[c] == "2018-01-01-other"
    assert names[d] == "2017-06-23-WHERE-2"
    assert len({n.casefold() for n in names.values()}) == 4


def test_same_stem_posts_do_not_overwrite_each_other(tmp_path: Path) -> None:
    site = SiteBuilder(tmp_path / "site")
    first = site.post("a/2020-01-01-same.md", "가", front_matter='title: "가"')
    second = site.post("b/2020-01-01-same.md", "나", front_matter='title: "나"')
    summary = run_batch([first, second], output_dir=tmp_path / "out",
                        options=Options(jobs=2, formats=("epub",), cache_dir=tmp_path / "cache"))
    assert summary.failed == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "2020-01-01-same-b.epub", "2020-01-01-same.epub"]


def crash_on_marked_posts(source: Path, output: Path, options: Options, name: str):
    """Stand-in for convert_one: kills its process for posts whose name says so."""
    import os

    from converter.batch import PostOutcome

    if "crash" in source.name:
        os._exit(9)
    return PostOutcome(source, name=name)


def test_a_post_that_kills_its_worker_fails_alone(tmp_path: Path) -> None:
    from converter import batch

    posts = [tmp_path / f"{i:02d}-{'crash' if i == 3 else 'fine'}.md" for i in range(8)]
    names = output_names(posts)
    started: list[Path] = []
    outcomes = batch._in_processes(posts, batch.BatchPlan(
        tmp_path, Options(), names, 2, started.append, None, work=crash_on_marked_posts))
    by_source = {o.source: o for o in outcomes}
    assert sorted(by_source) == posts  # every post has exactly one outcome
    assert [o.source.name for o in outcomes if not o.ok] == ["03-crash.md"]
    assert "process died" in by_source[posts[3]].error
