"""The measuring scripts: scripts/count_linebreaks.py (PDF, pdftotext) finds the breaks inside
Korean words that hanji's joiners prevent, and scripts/epub_linebreaks.py (EPUB, headless
Chromium) finds the ones keep-all prevents. Each is run on a small post, with and without the
mechanism it checks, so a counter that counts nothing cannot pass."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, SiteBuilder

import converter

TEXT = ("지난 칠월 일일과 이일 양일간 코엑스 그랜드볼룸 일대에서 열린 인공지능 컨퍼런스에 "
        "다녀왔습니다. 올해는 작년보다 더 많은 최적화 세션들이 준비되어 현실적인 조언들을 많이 "
        "구할 수 있었습니다. 경제 전문가들은 인공지능 기술이 글로벌 GDP 기준 16조 달러의 "
        "경제적 가치를 창출하고 2022년 5800만여 개의 일자리를 만들어낼 것으로 예상하고 있습니다. ")


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def post(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = SiteBuilder(tmp_path_factory.mktemp("scripts") / "site")
    return site.post("2024-08-01-count.md", f"## 들어가며\n\n{TEXT * 4}\n\n{TEXT * 3}\n")


def test_count_linebreaks_pdf(post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    count = _load("count_linebreaks")
    assert count.main([str(post), "--pdf-dir", str(tmp_path), "-j", "1"]) == 0
    out = capsys.readouterr().out
    assert "0 inside a word" in out
    checked = int(out.split(" Hangul line ends checked")[0].split()[-1])
    assert checked >= 20
    # The control: the same post without joiners breaks inside words, and the script says so.
    assert count.main([str(post), "--no-joiners", "-j", "1"]) == 1
    out = capsys.readouterr().out
    inside = int(out.rsplit(" inside a word,", 1)[0].split()[-1])
    assert inside >= 5


def test_count_linebreaks_says_when_shared_is_missing(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    count = _load("count_linebreaks")
    monkeypatch.setattr(count, "SHARED", tmp_path / "no-shared")
    assert count.main([]) == 2
    assert "not found" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists() and not shutil.which("chromium"),
                    reason="needs headless Chromium")
def test_epub_linebreaks(post: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    epub = converter.convert(post, output_dir=tmp_path, formats=["epub"]).outputs["epub"].path
    check = _load("epub_linebreaks")
    assert check.main([str(epub), "--width", "360"]) == 0
    out = capsys.readouterr().out
    assert "0 inside a word" in out
    checked = int(out.split(" Hangul line ends checked")[0].split()[-1])
    assert checked >= 20
    assert check.main([str(epub), "--width", "360", "--no-keep-all"]) == 1
