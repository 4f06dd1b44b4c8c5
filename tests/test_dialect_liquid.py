"""Liquid as Jekyll runs it: site/page variables, raw, highlight, includes, captures, links,
filters, warnings with lines, and what happens to {{ }} inside code."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pipeline import convert, dialect

from converter.dialect import liquid as liquid_module


def test_site_url_and_baseurl_in_image_paths_resolve(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        <img src="{{ site.url }}{{ site.baseurl }}/assets/images/a.png" alt="첫 사진">

        ![둘째 사진]({{ site.url }}/images/b.png)
        """, config={"url": "https://me.github.io", "baseurl": ""},
        images=("assets/images/a.png", "images/b.png"))
    assert len(out.find("//img[@data-hanji-asset]")) == 2
    assert out.warnings == []


def test_page_and_site_variables(tmp_path: Path) -> None:
    out = convert(tmp_path, "제목은 {{ page.title }}, 블로그는 {{ site.title }}, 없는 값은 [{{ page.nothing }}].",
                  front_matter='title: "첫 글"')
    assert "제목은 첫 글, 블로그는 블로그, 없는 값은 []." in out.root.text_content()
    assert out.warnings == []


def test_raw_keeps_liquid_literally_in_prose_and_in_code(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        Prose {% raw %}{{ page.title }} and {% if x %}{% endraw %} done.

        ```html
        {%raw%}{{ site.url }} {: .notice}{%endraw%}
        ```
        """)
    text = out.root.text_content()
    assert "Prose {{ page.title }} and {% if x %} done." in text
    code = out.find("//pre/code")[0].text_content()
    assert code.strip() == "{{ site.url }} {: .notice}"


def test_highlight_becomes_a_fenced_code_block(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        Before.

        {% highlight python linenos %}
        def f():
            return "{{ message }}"
        {% endhighlight %}

        After.
        """)
    code = out.find("//div[@class='highlight']/pre/code")
    assert code and code[0].get("class") == "language-python"
    assert 'return "{{ message }}"' in code[0].text_content()
    assert "highlight" not in out.find("//p")[-1].text_content()


def test_include_figure(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        {% include figure image_path="/assets/images/a.png" alt="산 사진" caption="**굵은** 설명" %}
        """, images=("assets/images/a.png",))
    figure = out.find("//figure")[0]
    assert "figure" in figure.get("class")
    assert figure.find("img").get("alt") == "산 사진"
    caption = figure.find("figcaption")
    assert caption.find("strong").text == "굵은" and caption.text_content() == "굵은 설명"


def test_include_gallery_from_front_matter(tmp_path: Path) -> None:
    front = """title: 갤러리
photos:
  - image_path: /assets/a.png
    alt: 가
  - image_path: /assets/b.png
    alt: 나
  - url: /assets/c.png
    image_path: /assets/c.png
    alt: 다"""
    out = convert(tmp_path, '{% include gallery id="photos" caption="세 장" %}\n',
                  front_matter=front, images=("assets/a.png", "assets/b.png", "assets/c.png"))
    group = out.find("//figure")[0]
    assert group.get("class") == "figure-group cols-3"
    assert len(group.findall(".//img")) == 3
    assert group.find("figcaption").text_content() == "세 장"


@pytest.mark.parametrize("tag, url", [
    ('{% include video id="XsxDH4HcOWA" provider="youtube" %}', "https://www.youtube.com/watch?v=XsxDH4HcOWA"),
    ('{% include video id="212731897" provider="vimeo" %}', "https://vimeo.com/212731897"),
    ('{% include youtubeplayer.html id="oVUHrs83S34" %}', "https://www.youtube.com/watch?v=oVUHrs83S34"),
])
def test_video_includes_become_links_not_iframes(tmp_path: Path, tag: str, url: str) -> None:
    out = convert(tmp_path, f"영상:\n\n{tag}\n")
    link = out.find("//p[@class='video-link']/a")
    assert link and link[0].get("href") == url
    assert link[0].text_content().startswith("▶ ")
    assert not out.find("//iframe")


def test_capture_markdownify_remove_figure_pattern(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        {% capture fig_img %}
        ![ble-link]({{ '/assets/images/ble.png' | relative_url }})
        {% endcapture %}

        <figure style="width: 70%">
          {{ fig_img | markdownify | remove: "<p>" | remove: "</p>" }}
          <figcaption>출처: 어딘가</figcaption>
        </figure>
        """, images=("assets/images/ble.png",))
    figure = out.find("//figure")[0]
    assert figure.find("img").get("alt") == "ble-link"
    assert figure.find("img").get("data-hanji-asset")
    assert figure.find("figcaption").text == "출처: 어딘가"
    assert "<p>" not in out.html.split("<figure")[1].split("</figure>")[0]
    assert out.warnings == []


def test_relative_url_uses_baseurl(tmp_path: Path) -> None:
    out = dialect("![a]({{ '/assets/a.png' | relative_url }}) {{ 'x/y' | absolute_url }}",
                  site={"url": "https://h.io", "baseurl": "/blog"})
    assert "![a](/blog/assets/a.png) https://h.io/blog/x/y" in out


def test_post_url_and_link_give_permalinks(tmp_path: Path) -> None:
    other = "---\ntitle: 다른 글\ncategories: [Dev Notes]\n---\n본문\n"
    out = convert(tmp_path, """
        [앞 글]({% post_url 2019-03-04-other %}) 과 [링크]({% link _posts/2019-03-04-other.md %}).
        [소개]({% link about.md %}) [없음]({% post_url 2001-01-01-nope %})
        """, config={"permalink": "/:categories/:title/"},
        posts={"2019-03-04-other.md": other})
    hrefs = [a.get("href") for a in out.find("//a")]
    assert hrefs[:2] == ["https://blog.example/dev%20notes/other/"] * 2
    assert hrefs[2] == "https://blog.example/about.html"
    assert "없음" in out.root.text_content()
    assert any("post_url: no post named '2001-01-01-nope'" in w for w in out.warnings)


def test_post_url_default_date_permalink() -> None:
    from converter.dialect.permalinks import permalink

    url = permalink(front_matter={"categories": "Life"}, source=Path("_posts/2019-3-4-hello.md"),
                    site={}, site_root=None)
    assert url == "/life/2019/03/04/hello.html"
    assert permalink(front_matter={"permalink": "/about/"}, source=None, site={}, site_root=None) == "/about/"


def test_filters_jekyll_and_standard() -> None:
    out = dialect("""
        {{ "A & B" | escape }} {{ page.missing | default: "기본" }} {{ "Hello World!" | slugify }}
        {{ page.date | date: "%Y.%m.%d" }} {{ "x" | upcase | append: "y" }} {{ "a b c" | number_of_words }}
        """, page={"date": __import__("datetime").date(2020, 5, 6)})
    assert "A &amp; B 기본 hello-world" in out
    assert "2020.05.06 Xy 3" in out


def test_unknown_filter_passes_value_through_with_a_warning() -> None:
    from converter.diagnostics import Diagnostics

    diagnostics = Diagnostics()
    out = dialect("값: {{ 'abc' | frobnicate }}", diagnostics=diagnostics)
    assert "값: abc" in out
    assert any("unknown Liquid filter 'frobnicate'" in w.message for w in diagnostics.warnings)


def test_unknown_tags_and_includes_warn_with_line_and_vanish(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        첫 줄

        {% seo %}
        {% include author-card.html name="me" %}
        {% endfoo %}
        {% include toc.html %}
        끝
        """)
    text = out.root.text_content()
    assert "{%" not in text and "첫 줄" in text and "끝" in text
    # The body starts on line 4 of the file (3 lines of front matter).
    assert any(w.endswith(":6: unknown Liquid tag {% seo %} dropped") for w in out.warnings)
    assert any(":7: unsupported Liquid include 'author-card.html' dropped" in w for w in out.warnings)
    assert any(":8: Liquid {% endfoo %} without its opening tag dropped" in w for w in out.warnings)
    assert not any("toc" in w for w in out.warnings)


def test_syntax_error_is_local_and_unclosed_output_is_kept_as_text(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        화면에 {{ {{  }} }}로 연결, 주소는 {{ site.url }}.

        열린 괄호 {{ 는 그대로.
        """)
    text = out.root.text_content()
    assert "주소는 https://blog.example." in text
    assert "열린 괄호 {{ 는 그대로." in text
    assert any("Liquid:" in w for w in out.warnings)


def test_render_failure_falls_back_to_stripped_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from converter.diagnostics import Diagnostics

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(liquid_module.environment(), "from_string", broken)
    diagnostics = Diagnostics()
    out = dialect("{% raw %}{{ raw }}{% endraw %} {{ site.url }} {% foo %}{{ x | y }} 남음",
                  site={"url": "https://h.io"}, diagnostics=diagnostics)
    assert out == "{{ raw }} https://h.io  남음"
    assert any("Liquid failed (boom); Liquid stripped" in w.message for w in diagnostics.warnings)


def test_code_keeps_unresolved_mustaches_and_resolves_site_variables(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        Prose {{ message }} blanks, `{{ message }}` stays, `{{ site.url }}` resolves.

        ```html
        <p>{{ message }}</p> <img src="{{ site.url }}/x.png"> {% if a %}b{% endif %}
        <p>{{ "{{ message" }} }}</p>
        ```
        """)
    prose = out.find("//p")[0].text_content()
    assert prose == "Prose  blanks, {{ message }} stays, https://blog.example resolves."
    code = out.find("//pre/code")[0].text_content()
    assert '<p>{{ message }}</p> <img src="https://blog.example/x.png"> {% if a %}b{% endif %}' in code
    assert "<p>{{ message }}</p>\n" in code


def test_vue_mustache_escape_in_prose(tmp_path: Path) -> None:
    out = convert(tmp_path, 'Vue 문법 {{ "{{ message" }} }} 를 쓴다.')
    assert out.root.text_content().strip() == "Vue 문법 {{ message }} 를 쓴다."


def test_indented_code_is_code_for_liquid() -> None:
    out = dialect("para\n\n    {{ message }} {% tag %}\n\nafter {{ site.title }}", site={"title": "T"})
    assert "    {{ message }} {% tag %}\n" in out and "after T" in out


def test_base_path_include_sets_variable() -> None:
    out = dialect('{% include base_path %}<img src="{{ base_path }}/images/a.png">',
                  site={"url": "https://h.io", "baseurl": "/b"})
    assert out == '<img src="https://h.io/b/images/a.png">'


def test_gist_tag_becomes_a_link() -> None:
    out = dialect("{% gist user/abc123 %}")
    assert '<a href="https://gist.github.com/user/abc123">' in out


def test_include_relative_stays_inside_the_site(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("비밀", encoding="utf-8")
    out = convert(tmp_path, "{% include_relative part.md %}\n\n{% include_relative ../../secret.md %}\n",
                  posts={"part.md": "**조각** 글"})
    assert out.find("//strong")[0].text == "조각"
    assert "비밀" not in out.root.text_content()
    assert any("outside the site; refused" in w for w in out.warnings)
