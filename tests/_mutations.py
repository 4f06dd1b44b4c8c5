"""Real-looking Korean Jekyll posts of our own, and seeded mutations of them.

Used by ``tests/test_mutations.py`` (a few dozen, with hypothesis) and by
``bench/bench_hostile.py`` (ten thousand). A mutation is what broken and hostile posts do:
truncation, flipped bytes, duplicated and inserted fragments of Liquid, HTML and Markdown,
including the pathological ones (loops of millions, deep nesting, huge tables).
"""

from __future__ import annotations

import random
from pathlib import Path

BASE_POSTS: tuple[str, ...] = (
    """---
title: "R로 배우는 회귀분석 [1편]"
categories: [works, R]
tags: [R, 통계]
header:
  teaser: /assets/img/teaser.png
toc: true
---

{% include toc %}

## 들어가며

회귀분석은 **변수 사이의 관계**를 보는 방법입니다.[^1] 아래 그림을 보세요.

![산점도](/assets/img/scatter.png){: .align-center width="60%"}

{% include figure image_path="/assets/img/line.png" alt="회귀선" caption="그림 1. *회귀선*" %}

| 변수 | 계수 | p-값 |
|------|-----:|:----:|
| x1   | 0.52 | 0.01 |
| x2   | -1.3 | 0.20 |

```r
fit <- lm(y ~ x1 + x2, data = df)
summary(fit)
```

$$\\hat{\\beta} = (X^TX)^{-1}X^Ty$$

[^1]: 인과관계는 아닙니다.
""",
    """---
layout: post
title: 블루투스 메시 개념 정리
date: 2021-03-06 10:00:00 +0900
---

<div class="notice--info" markdown="1">
**참고:** 이 글은 nRF5 SDK 기준입니다.
</div>

1. 노드(Node)
   - 릴레이
   - 프록시
2. 엘리먼트
   > 인용 안의 *강조* 와 `코드`
   > > 두 번 인용

<center><img src="../assets/images/mesh.png" width="400"></center>

{% highlight c linenos %}
int main(void) { return 0; }
{% endhighlight %}

{% for item in page.tags %}- {{ item | upcase }}
{% endfor %}
링크: [이전 글]({% post_url 2020-04-24-serial-uart %}), {{ site.url }}{{ page.url }}
""",
    """---
title: 여름 인턴 후기
author: 단비
image: /assets/photo.jpg
---

안녕하세요. 오늘은 *인턴 생활* 이야기를 하려고 합니다.

<figure class="half">
  <img src="/assets/a.jpg"><img src="/assets/b.jpg">
  <figcaption>사무실 풍경</figcaption>
</figure>

Term
: 정의 목록의 설명

{% raw %}{{ 이것은 리퀴드가 아님 }}{% endraw %}

<table><tr><td>칸 1</td><td>칸 2</td></tr></table>

{% capture note %}캡처된 **글**{% endcapture %}{{ note | markdownify }}
""",
)

FRAGMENTS: tuple[str, ...] = (
    "{% for i in (1..100000000) %}{{ i }}{% endfor %}",
    "{% for i in (1..1000) %}{% for j in (1..1000) %}x{% endfor %}{% endfor %}",
    "{% assign s = 'ab' %}" + "{% assign s = s | append: s %}" * 40,
    "{% if", "{{", "{% endfor %}", "{% include ../../../etc/passwd %}",
    "{% include_relative ../../../../etc/passwd %}", "{% raw %}", "{{ page.title | markdownify }}",
    ">" * 500 + " 인용", "".join("  " * i + "- 목록\n" for i in range(120)),
    "<div>" * 300 + "깊다" + "</div>" * 300, "*" * 3000 + "x", "[" * 2000,
    "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 3000,
    " ".join(f"[^{i}]" for i in range(800)) + "\n\n" + "\n".join(f"[^{i}]: 주" for i in range(800)),
    "![x](../assets/images/../../../assets/img/scatter.png)", "![x](/../../etc/passwd)",
    "![x](file:///etc/passwd)", "<img src=\"javascript:alert(1)\">", "<script>alert(1)</script>",
    "<svg><script>alert(1)</script></svg>", "<style>body{}</style>", "$$\\frac{1}{", "$x^2$",
    "```\n" * 3, "~~~python\n", "<!--", "]]>", "&#0;", "\ufeff", "\x00", "\u202e", "\r\n",
    "---\ntitle: [\n---\n", "{: .class}", "{::options parse_block_html=\"true\" /}",
    "<details><summary>더보기</summary>\n\n내용\n</details>", "\\", "\t\t\t코드",
)


def mutate(text: str, rng: random.Random, *, steps: int | None = None) -> bytes:
    """``text`` changed ``steps`` times (default 1–4) by seeded random mutations."""
    data = text.encode("utf-8")
    for _ in range(steps if steps is not None else rng.randint(1, 4)):
        kind = rng.randrange(6)
        where = rng.randint(0, len(data))
        if kind == 0 and data:  # cut short
            data = data[:where]
        elif kind == 1 and data:  # flip bytes
            buffer = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                buffer[rng.randrange(len(buffer))] ^= 1 << rng.randrange(8)
            data = bytes(buffer)
        elif kind == 2 and data:  # duplicate a piece
            start = rng.randint(0, len(data))
            piece = data[start:start + rng.randint(1, 400)]
            data = data[:where] + piece * rng.randint(1, 5) + data[where:]
        else:  # insert a fragment
            fragment = rng.choice(FRAGMENTS).encode("utf-8")
            data = data[:where] + b"\n" + fragment + b"\n" + data[where:]
    return data


def hostile_post(seed: int) -> bytes:
    """The mutated post number ``seed`` (the same bytes for the same seed)."""
    rng = random.Random(seed)
    return mutate(rng.choice(BASE_POSTS), rng)


def make_site(root: Path) -> Path:
    """A Jekyll site for the mutated posts: ``_config.yml``, the images they name, and the
    post ``{% post_url %}`` links to. Returns its ``_posts`` folder."""
    from PIL import Image, ImageDraw

    posts = root / "_posts"
    posts.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text('title: "시험 블로그"\nurl: "https://t.example"\n'
                                      'locale: ko-KR\n', encoding="utf-8")
    for index, name in enumerate(("assets/img/teaser.png", "assets/img/scatter.png",
                                  "assets/img/line.png", "assets/images/mesh.png",
                                  "assets/photo.jpg", "assets/a.jpg", "assets/b.jpg")):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", (320 + 10 * index, 200), (30 * index, 120, 200 - 20 * index))
        ImageDraw.Draw(image).line([(0, 0), (320, 200)], fill=(255, 255, 255), width=5)
        image.save(path)
    (posts / "2020-04-24-serial-uart.md").write_text("---\ntitle: UART\n---\n\n본문\n",
                                                    encoding="utf-8")
    return posts
