"""Language (converter/language.py): front matter ``lang``, else ``_config.yml`` ``locale``
unless the text is clearly another language, else detected; carried into the PDF
(``<html lang>`` → the catalogue's /Lang) and the EPUB (OPF dc:language, xml:lang)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import SiteBuilder

import converter
from converter.language import choose_lang, detect_lang, normalize_lang

KOREAN = "한국어로 쓴 글입니다. 어절 단위로 줄을 바꿉니다. " * 5
ENGLISH = "This post is written in English and has no Korean in it at all. " * 5
# A Korean data-science post: Korean sentences, but mostly code and numbers by letter count.
KOREAN_WITH_CODE = "데이터를 불러와서 살펴보겠습니다. 결과는 아래와 같습니다. " * 3 + \
    "df = pd.read_csv('train.csv'); df.describe(); model.fit(X_train, y_train) " * 20


@pytest.mark.parametrize(("explicit", "locale", "text", "expected"), [
    ("en", "ko-KR", KOREAN, "en"),  # front matter (or --lang) always wins
    ("ko_KR", None, ENGLISH, "ko-KR"),
    (None, "ko_KR", KOREAN, "ko-KR"),  # the locale, normalised
    (None, "en-US", KOREAN, "ko"),  # minimal-mistakes' default locale on a Korean blog
    (None, "en", KOREAN_WITH_CODE, "ko"),  # code does not make a Korean post English
    (None, "ko-KR", ENGLISH, "en"),  # an English post on a Korean site
    (None, "fr", "Bonjour tout le monde, ceci est un billet. " * 10, "fr"),  # Latin: trust it
    (None, "", KOREAN, "ko"),
    (None, None, "", "en"),
    (None, "ja", "日本語の文章です。ひらがなとカタカナ。" * 5, "ja"),
], ids=["explicit", "explicit-normalised", "locale", "en-us-korean", "korean-with-code",
        "english-on-korean-site", "latin-locale", "detected", "empty", "japanese"])
def test_choose_lang(explicit: str | None, locale: str | None, text: str, expected: str) -> None:
    assert choose_lang(explicit, locale, text=text) == expected


def test_detect_and_normalize() -> None:
    assert detect_lang(KOREAN) == "ko"
    assert detect_lang(ENGLISH) == "en"
    assert detect_lang("中文的文章内容在这里" * 5) == "zh"
    assert normalize_lang("KO_kr") == "ko-KR"


def _outputs(tmp_path: Path, config_locale: str, body: str, front: str = 'title: "글"') -> Path:
    site = SiteBuilder(tmp_path / "site")
    config = site.root / "_config.yml"
    config.write_text(re.sub(r'locale: ".*"', f'locale: "{config_locale}"',
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    post = site.post("2024-06-01-lang.md", body, front_matter=front)
    converter.convert(post, output_dir=tmp_path / "out")
    return tmp_path / "out" / post.stem


def _pdf_lang(stem: Path) -> str:
    return str(pypdf.PdfReader(str(stem.with_suffix(".pdf"))).trailer["/Root"].get("/Lang"))


def _epub_langs(stem: Path) -> tuple[str, set[str]]:
    with zipfile.ZipFile(stem.with_suffix(".epub")) as epub:
        opf = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".opf"))
        language = re.search(r"<dc:language>(.*?)</dc:language>", opf).group(1)
        xml_langs = {m for n in epub.namelist() if n.endswith(".xhtml") and "nav" not in n
                     for m in re.findall(r'<html[^>]*xml:lang="([^"]+)"', epub.read(n).decode())}
    return language, xml_langs


def test_korean_post_on_an_en_us_blog(tmp_path: Path) -> None:
    stem = _outputs(tmp_path, "en-US", KOREAN)
    assert _pdf_lang(stem) == "ko"
    assert _epub_langs(stem) == ("ko", {"ko"})


def test_front_matter_lang_wins_everywhere(tmp_path: Path) -> None:
    stem = _outputs(tmp_path, "ko-KR", KOREAN, front='title: "Post"\nlang: en')
    assert _pdf_lang(stem) == "en"
    language, xml_langs = _epub_langs(stem)
    assert language == "en" and xml_langs == {"en"}


def test_site_locale_used_for_korean_text(tmp_path: Path) -> None:
    stem = _outputs(tmp_path, "ko_KR", KOREAN)
    assert _pdf_lang(stem) == "ko-KR"
    assert _epub_langs(stem) == ("ko-KR", {"ko-KR"})
