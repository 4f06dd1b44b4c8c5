"""DAISY Ace (the reference EPUB accessibility checker) on a book with every construct the
accessibility work touches: no critical or serious violation.

Ace is the npm package ``@daisy/ace`` driven by Debian's chromium; ``.ci/run`` installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SiteBuilder

import converter

ACE = os.environ.get("HANJI_ACE") or shutil.which("ace-puppeteer")
CHROMIUM = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")

pytestmark = pytest.mark.skipif(ACE is None or CHROMIUM is None,
                                reason="DAISY Ace (npm @daisy/ace) or chromium not installed")

BODY = """
## 첫 소제목

본문 문단입니다.[^1] [링크](https://example.com)도 있습니다.

![png](/assets/a.png)

<figure class="half"><img src="/assets/a.png"><img src="/assets/b.png"><figcaption>두 장의 사진</figcaption></figure>

좋아요 <img class="emoji" src="/assets/smile.png" alt=":smile:">

| 이름 | 값 |
|------|----|
| 가   | 1  |

**참고:** 알림 상자입니다.
{: .notice--warning}

```python
# 한글 주석
print("hello")  # comment
```

$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$

[^1]: 각주입니다.
"""


def ace_violations(epub: Path, out: Path) -> dict[str, list[str]]:
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=CHROMIUM or "")
    subprocess.run([ACE, "-f", "-s", "-o", str(out), str(epub)], env=env, check=True,
                   capture_output=True, timeout=300)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            test = assertion["earl:test"]
            found.setdefault(test["earl:impact"], []).append(
                f"{document['earl:testSubject']['url']}: {test['dct:title']}")
    return found


def test_ace_finds_no_critical_or_serious_violation(site: SiteBuilder, tmp_path: Path) -> None:
    site.image("assets/a.png", (400, 300))
    site.image("assets/b.png", (400, 300), color=(40, 120, 200))
    site.image("assets/smile.png", (20, 20))
    site.post("2024-01-01-one.md", BODY, front_matter='title: "하나"')
    site.post("2024-01-02-two.md", "둘째 글입니다.\n", front_matter='title: "둘"')
    book = converter.build_book([site.root / "_posts"], title="접근성 시험",
                                output_dir=tmp_path / "out",
                                options=converter.Options(jobs=1, cache_dir=tmp_path / "cache"))
    found = ace_violations(book.outputs["epub"].path, tmp_path / "ace")
    assert found.get("critical", []) == [] and found.get("serious", []) == [], found
