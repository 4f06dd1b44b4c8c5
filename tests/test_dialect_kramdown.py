"""kramdown constructs through the whole front half: attribute lists and the theme classes
they carry, ALDs, {:toc}, fences as kramdown reads them, extensions, tables, footnotes,
abbreviations, definition lists, markdown="1", Markdown inside span HTML, GFM extras."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pipeline import convert, dialect


@pytest.mark.parametrize("variant", ["", "--info", "--warning", "--danger", "--success", "--primary"])
def test_minimal_mistakes_notices(tmp_path: Path, variant: str) -> None:
    out = convert(tmp_path, f"앞 문단.\n\n**Notice:** 알림 내용.\n{{: .notice{variant}}}\n\n뒤 문단.\n")
    box = out.find("//div[contains(@class, 'notice')]")
    assert len(box) == 1
    expected = "notice" + (f" notice{variant}" if variant else "")
    assert box[0].get("class") == expected
    assert box[0][0].tag == "p" and box[0][0].get("class") is None
    assert box[0].text_content() == "Notice: 알림 내용."
    assert "{:" not in out.root.text_content() and out.warnings == []


def test_notice_on_a_div_is_the_box_itself(tmp_path: Path) -> None:
    out = convert(tmp_path, '<div class="notice--warning" markdown="1">\n**조심**\n</div>\n')
    box = out.find("//div[contains(@class, 'notice')]")
    assert [b.get("class") for b in box] == ["notice notice--warning"]
    assert box[0].find(".//strong").text == "조심"


def test_ial_after_blank_line_applies_to_next_block_and_heading_ial(tmp_path: Path) -> None:
    out = convert(tmp_path, "## 제목\n{: #custom-id .big}\n\n첫째.\n\n{: .notice--info}\n둘째.\n")
    heading = out.find("//h2")[0]
    assert heading.get("id") == "custom-id" and heading.get("class") == "big"
    assert out.find("//div[@class='notice notice--info']/p")[0].text == "둘째."
    assert out.find("//p")[0].text == "첫째." and out.find("//p")[0].get("class") is None


def test_ial_after_list_table_and_code(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        * 하나
        * 둘
        {: .checklist}

        |a|b|
        |-|-|
        |c|d|
        {: .wide}

        ```python
        x = 1
        ```
        {: .long}
        """)
    assert out.find("//ul")[0].get("class") == "checklist"
    assert not out.find("//li[@class]")
    assert out.find("//table")[0].get("class") == "wide"
    assert "long" in out.find("//div[pre]")[0].get("class")
    assert "{:" not in out.root.text_content()


def test_image_size_and_alignment_ials(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        ![a](/assets/a.png){: width="30" height="400"}

        ![b](/assets/b.png){:height="90%" width="90%"}

        ![c](/assets/c.png)
        {: .align-center}
        """, images=("assets/a.png", "assets/b.png", "assets/c.png"))
    images = out.find("//img")
    styles = [img.get("style").replace(" ", "") for img in images[:2]]
    assert styles[0].startswith("width:30px") and styles[1].startswith("width:90%")
    assert all(img.get("height") is None for img in images)
    figure_c = images[2].getparent()
    assert figure_c.tag == "figure" and "align-center" in figure_c.get("class").split()


def test_hydejack_figcaption_paragraph_joins_the_figure(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        ![Full-width image](/assets/img/a.jpg)

        ▲ 출처 : <a href="https://arxiv.org/pdf/1803.07422.pdf">논문</a>
        {:.figcaption}

        - 목록 안

            ![Full-width image](/assets/img/a.jpg)

            ▲ 두 번째 설명
            {:.figcaption} <br>

        본문.
        """, images=("assets/img/a.jpg",))
    figures = out.find("//figure")
    assert len(figures) == 2
    assert figures[0].find("figcaption").text_content() == "▲ 출처 : 논문"
    assert figures[1].find("figcaption").text_content().strip() == "▲ 두 번째 설명"
    assert "{:" not in out.root.text_content()


def test_ald_definitions_and_references(tmp_path: Path) -> None:
    out = convert(tmp_path, "{:box: .notice--success #saved}\n\n저장됨.\n{: box}\n")
    box = out.find("//div[@class='notice notice--success']")
    assert box and box[0][0].get("id") == "saved"
    assert "{:" not in out.root.text_content()


def test_toc_list_is_removed(tmp_path: Path) -> None:
    out = convert(tmp_path, "* TOC\n{:toc}\n\n## 하나\n\n본문\n\n1. this list will be replaced\n{:toc .large-only}\n")
    assert not out.find("//ul") and not out.find("//ol")
    assert out.find("//h2")[0].text == "하나"


def test_leftover_ial_is_dropped_with_a_warning(tmp_path: Path) -> None:
    out = convert(tmp_path, "> 인용문 {: .nothing }끝\n")
    assert "{:" not in out.root.text_content()
    assert any("has no element to apply to" in w for w in out.warnings)


def test_kramdown_extensions(tmp_path: Path) -> None:
    out = convert(tmp_path, "보임\n\n{::comment}\n숨김\n{:/comment}\n\n{::nomarkdown}<b>raw</b>{:/nomarkdown}\n{::options parse_block_html=\"true\" /}\n")
    text = out.root.text_content()
    assert "숨김" not in text and "{::" not in text
    assert out.find("//b")[0].text == "raw"


# --- fences -------------------------------------------------------------------------------


def test_prose_line_starting_with_backticks_and_hangul_is_not_a_fence(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        ```한글 설명이 붙은 줄
        이 문단의 **강조** {{ page.title }}

        ```python
        x = "{{ message }}"
        ```
        """, front_matter="title: 제목")
    code = out.find("//code[@class='language-python']")
    assert len(code) == 1 and 'x = "{{ message }}"' in code[0].text_content()
    assert "제목" in out.root.text_content()


def test_fence_info_words_as_kramdown_reads_them(tmp_path: Path) -> None:
    out = convert(tmp_path, "```{r}\nx <- 1\n```\n\n``` JavaScript\nlet a;\n````\n\n~~~cpp?linenos\nint a;\n~~~\n")
    classes = [c.get("class") for c in out.find("//pre/code")]
    assert classes == ["language-r", "language-javascript", "language-cpp"]


def test_fences_inside_list_items_and_interrupting_paragraphs(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        1. 설치한다.

            ```bash
            pip install x
            ```

        2. 다음
        문단 바로 뒤
        ```js
        let a = 1;
        ```
        이어지는 문단
        """)
    assert out.find("//ol/li//code[@class='language-bash']")
    assert out.find("//code[@class='language-js']")
    assert "```" not in out.root.text_content()
    assert "이어지는 문단" in out.find("//p")[-1].text_content()


def test_unclosed_fence_is_prose(tmp_path: Path) -> None:
    out = convert(tmp_path, "```js\n열린 채로 끝나는 {{ page.title }}\n", front_matter="title: 제목")
    assert not out.find("//pre")
    assert "열린 채로 끝나는 제목" in out.root.text_content()


# --- other kramdown / GFM constructs ------------------------------------------------------------


def test_table_with_separator_on_third_line_of_images_becomes_a_grid(tmp_path: Path) -> None:
    out = convert(tmp_path, "| | |\n|![a](/a.png)|![b](/b.png)|\n|:---:|:---:|\n", images=("a.png", "b.png"))
    assert out.find("//figure[contains(@class, 'image-grid')]")
    assert not out.find("//table")


def test_table_without_separator(tmp_path: Path) -> None:
    out = convert(tmp_path, "앞\n|가|나|\n|다|라|\n")
    cells = [td.text for td in out.find("//table//td")]
    assert cells == ["가", "나", "다", "라"]
    assert "|---" not in out.root.text_content()


def test_footnotes_follow_the_contract(tmp_path: Path) -> None:
    out = convert(tmp_path, "본문[^1]과 또[^note].\n\n[^1]: 첫 주석.\n[^note]: 둘째 주석.\n")
    refs = out.find("//sup[@class='footnote-ref']/a")
    assert [a.text for a in refs] == ["1", "2"]
    assert refs[0].get("href") == "#fn-1" and refs[0].get("class") is None
    notes = out.find("//div[@class='footnotes']/ol/li")
    assert [li.get("id") for li in notes] == ["fn-1", "fn-note"]
    assert notes[0].text_content().strip() == "첫 주석."
    assert not out.find("//div[@class='footnotes']/hr") and "↩" not in out.root.text_content()


def test_abbreviations_definition_lists_and_markdown_in_html(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        HTML 문서.

        *[HTML]: Hyper Text Markup Language

        용어
        : 정의

        <div markdown="1">
        **안의 굵게**
        </div>
        """)
    assert out.find("//abbr")[0].get("title") == "Hyper Text Markup Language"
    assert out.find("//dl/dt")[0].text == "용어" and out.find("//dl/dd")[0].text == "정의"
    assert out.find("//div/p/strong")[0].text == "안의 굵게"


def test_markdown_inside_span_level_html_is_parsed(tmp_path: Path) -> None:
    out = convert(tmp_path, '<span style="color:#a01001">**굵게** 와 *기울임*</span> 끝\n')
    assert out.find("//span/strong")[0].text == "굵게"
    assert out.find("//span/em")[0].text == "기울임"


def test_gfm_task_lists_strikethrough_autolinks(tmp_path: Path) -> None:
    out = convert(tmp_path, "- [x] 완료\n- [ ] 할 일\n\n~~취소~~ https://example.com 참고\n")
    items = [li.text_content().strip() for li in out.find("//li")]
    assert items == ["☑ 완료", "☐ 할 일"]
    assert out.find("//del")[0].text == "취소"
    assert out.find("//a")[0].get("href") == "https://example.com"


def test_unknown_angle_bracket_words_stay_visible(tmp_path: Path) -> None:
    out = convert(tmp_path, "토큰 <eos> 과 <sos>, 태그 <b>굵게</b>, 코드 `<unk>`.\n")
    text = out.root.text_content()
    assert "토큰 <eos> 과 <sos>, 태그 굵게, 코드 <unk>." == text.strip()
    assert out.find("//b")[0].text == "굵게"


def test_dialect_rules_leave_code_alone() -> None:
    code = "```\n{: .notice}\n$$x_1$$\n| a |\n<eos>\n```\n"
    assert dialect(code) == code


# --- list indentation (kramdown's content column → Python-Markdown's four spaces) ------------


def test_two_space_nested_lists_and_three_space_continuations(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        - 바깥
          - 안쪽 하나
          - 안쪽 둘
        - 바깥 둘

        1. 첫째

           이어지는 문단

        2. 둘째
        """)
    assert [li.text for li in out.find("//ul/li/ul/li")] == ["안쪽 하나", "안쪽 둘"]
    assert len(out.find("/div/ul/li")) == 2
    first = out.find("//ol/li")[0]
    assert [p.text for p in first.findall("p")] == ["첫째", "이어지는 문단"]
    assert len(out.find("//ol")) == 1


def test_fence_as_first_block_of_a_list_item(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        - 데이터

          - ```r
            x <- sample(1:10)
            ```

          - 저장
        """)
    code = out.find("//ul/li/ul/li[1]//code[@class='language-r']")
    assert code and code[0].text_content().strip() == "x <- sample(1:10)"
    assert out.find("//ul/li/ul/li[2]/p")[0].text == "저장"


def test_fence_indented_one_space_outside_lists(tmp_path: Path) -> None:
    out = convert(tmp_path, "문단\n\n ```R\n전) ggplot(data)\n\n후) ggplot()\n ```\n\n끝\n")
    code = out.find("//code[@class='language-r']")
    assert code and "전) ggplot(data)\n\n후) ggplot()" in code[0].text_content()
    assert "```" not in out.root.text_content()


def test_horizontal_rules_are_not_list_items(tmp_path: Path) -> None:
    out = convert(tmp_path, "위\n\n* * *\n\n- 항목\n")
    assert out.find("//hr") and [li.text for li in out.find("//li")] == ["항목"]


def test_notice_on_a_list_item_goes_inside_it(tmp_path: Path) -> None:
    out = convert(tmp_path, "- 보통 항목\n- 알림 항목\n  {: .notice--info}\n")
    items = out.find("//ul/li")
    assert len(items) == 2 and items[1].get("class") is None
    assert items[1][0].tag == "div" and items[1][0].get("class") == "notice notice--info"
    assert items[1].text_content() == "알림 항목"


def test_figcaption_after_a_paragraph_of_images(tmp_path: Path) -> None:
    out = convert(tmp_path, "![a](/a.png)\n![b](/b.png)\n\n▲ 두 그림\n{:.figcaption}\n",
                  images=("a.png", "b.png"))
    group = out.find("//figure")[0]
    assert group.get("class") == "figure-group cols-1"
    assert len(group.findall(".//img")) == 2 and group.find("figcaption").text == "▲ 두 그림"


def test_raw_html_notices_of_older_themes(tmp_path: Path) -> None:
    out = convert(tmp_path, '<p class="notice-success">성공</p>\n\n<p class="notice">주의</p>\n')
    assert [d.get("class") for d in out.find("//div[@class]")] == ["notice notice--success", "notice"]
