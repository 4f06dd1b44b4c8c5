"""Property: seeded mutations of real-looking posts (truncations, flipped bytes, duplicated
and inserted Liquid/HTML/Markdown fragments, the pathological ones among them) either build
a chapter within seconds or fail with a :class:`~converter.errors.HanjiError`: never another
exception, never a hang. A few go on to a full EPUB.

Ten thousand run in ``bench/bench_hostile.py``; here a few dozen, derandomized.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from _mutations import hostile_post, make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import converter
from converter.assemble import build_chapter
from converter.book import AssetStore
from converter.errors import HanjiError
from converter.post import load_post
from converter.site import site_for

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def posts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("mutations") / "site")


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_mutated_posts_build_or_fail_cleanly(posts: Path, seed: int) -> None:
    path = posts / f"2021-01-01-m{seed}.md"
    path.write_bytes(hostile_post(seed))
    options = converter.Options(formats=("epub",), jobs=1)
    started = time.perf_counter()
    try:
        post = load_post(path)
        chapter = build_chapter(post, site_for(path), options, AssetStore(), chapter_id="c")
        assert chapter.body is not None
    except HanjiError:
        pass
    finally:
        path.unlink()
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("seed", [3, 17, 29])
def test_mutated_posts_make_valid_epubs(posts: Path, tmp_path: Path, seed: int) -> None:
    path = posts / f"2021-01-01-e{seed}.md"
    path.write_bytes(hostile_post(seed))
    options = converter.Options(formats=("epub",), jobs=1, cache_dir=tmp_path / "cache")
    try:
        result = converter.convert(path, output_dir=tmp_path / "out", options=options)
    except HanjiError:
        return
    finally:
        path.unlink()
    with zipfile.ZipFile(result.paths[0]) as book:
        assert book.namelist()[0] == "mimetype" and book.testzip() is None
