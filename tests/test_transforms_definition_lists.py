from __future__ import annotations

from lxml import html

from converter.transforms.definition_lists import run


def test_orphan_dd_becomes_paragraph_and_real_lists_stay() -> None:
    root = html.fromstring("<div><h3>t</h3><dl><dd>일반적으로 <b>x</b></dd></dl>"
                           "<dl><dt>용어</dt><dd>뜻</dd></dl></div>")
    run(root, None)  # type: ignore[arg-type]
    out = html.tostring(root, encoding="unicode")
    assert "<p>: 일반적으로 <b>x</b></p>" in out
    assert "<dl><dt>용어</dt><dd>뜻</dd></dl>" in out
    assert out.count("<dl>") == 1
