"""Alt text: file names are not descriptions; captions and the author's descriptions are."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pipeline import convert

from converter.options import Options
from converter.series import BookConfig
from converter.transforms.alt_text import is_meaningless


@pytest.mark.parametrize("alt, src", [
    ("png", "a.png"), ("image", ""), ("IMG_2019.jpg", ""), ("IMG_1234", ""),
    ("스크린샷 2018-10-18 오후 3.25.25.png", ""), ("캡처", ""), ("그림1", ""), ("", ""),
    ("7fb4eda6aa89713e268cf3d8fafcd283", "/a/7fb4eda6aa89713e268cf3d8fafcd283.png"),
    ("case_details", "/assets/case_details.png"), ("image-20210304123456789", ""),
])
def test_file_names_and_types_are_not_descriptions(alt: str, src: str) -> None:
    assert is_meaningless(alt, src)


@pytest.mark.parametrize("alt", ["마이컬슨-몰리 간섭계", "GitHub Logo", "2019 NVIDIA 행사장", "오류메시지"])
def test_real_descriptions_are_kept(alt: str) -> None:
    assert not is_meaningless(alt, "/assets/x.png")


def test_caption_then_empty_flagged_and_counted(tmp_path: Path) -> None:
    result = convert(tmp_path, """
        ![png](/assets/a.png)

        ![IMG_2019.jpg](/assets/b.png)

        <figure><img src="/assets/c.png" alt="png"><figcaption>행사장 입구의 <em>안내판</em></figcaption></figure>

        ![서울 야경](/assets/d.png)
        """, images=("assets/a.png", "assets/b.png", "assets/c.png", "assets/d.png"))
    alts = [img.get("alt") for img in result.root.iter("img")]
    assert alts == ["", "", "행사장 입구의 안내판", "서울 야경"]
    flagged = [img.get("data-undescribed") for img in result.root.iter("img")]
    assert flagged == ["", "", None, None]
    assert any("2 images without a description" in w for w in result.warnings)


def test_decorative_images_are_presentation(tmp_path: Path) -> None:
    result = convert(tmp_path, """
        좋아요 <img class="emoji" src="/assets/smile.png" alt=":smile:"> 그리고
        <img src="/assets/spacer.gif" width="1" height="1"> 끝
        """, images=("assets/smile.png", "assets/spacer.gif"))
    images = list(result.root.iter("img"))
    assert [(i.get("alt"), i.get("role")) for i in images] == [("", "presentation")] * 2
    assert not any("without a description" in w for w in result.warnings)


def test_front_matter_descriptions_by_path_and_file_name(tmp_path: Path) -> None:
    result = convert(tmp_path, """
        ![png](/assets/a.png)

        ![png](../assets/b.png)
        """, images=("assets/a.png", "assets/b.png"),
        front_matter='title: "글"\nimage_descriptions:\n  /assets/a.png: 첫 사진\n  b.png: 둘째 사진')
    assert [img.get("alt") for img in result.root.iter("img")] == ["첫 사진", "둘째 사진"]
    assert not any("without a description" in w for w in result.warnings)


def test_book_yml_takes_image_descriptions(tmp_path: Path) -> None:
    (tmp_path / "book.yml").write_text(
        "title: 책\nimage_descriptions:\n  assets/a.png: 첫 사진\n", encoding="utf-8")
    _config, options = BookConfig.load(tmp_path / "book.yml")
    assert options.image_descriptions == {"assets/a.png": "첫 사진"}
    with pytest.raises(Exception, match="image_descriptions"):
        Options.from_mapping({"image_descriptions": ["a.png"]})
