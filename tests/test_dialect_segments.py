"""What the dialect stage treats as code (kramdown's rules) and leaves alone."""

from __future__ import annotations

from converter.dialect.segments import (
    code_spans,
    fence_matches,
    inline_code_spans,
    map_outside_code,
)


def _code(text: str) -> list[str]:
    return [text[start:end] for start, end in code_spans(text)]


def test_fences_as_kramdown_opens_and_closes_them() -> None:
    assert _code("a\n```python\nx\n```\nb") == ["```python\nx\n```\n"]
    assert _code("```한글 설명이 붙은 줄\n글\n```\n") == []  # one info word at most
    assert _code("```js\n열린 채로 끝\n") == []  # never closed: prose
    assert _code("~~~\nt\n~~~~\nafter") == ["~~~\nt\n~~~~\n"]  # a longer closer closes
    assert _code("````\n```\ninner\n```\n````\n") == ["````\n```\ninner\n```\n````\n"]
    assert _code("```js``` x\n```\ny\n```\n") == ["```\ny\n```\n"]  # backticks in the info


def test_fence_after_a_list_marker_and_indented_fences() -> None:
    matches = fence_matches("  - ```r\n    x\n    ```\n")
    assert len(matches) == 1 and matches[0].group("indent") == "  - "
    assert _code("- a\n\n    ```py\n    x\n    ```\n") == ["    ```py\n    x\n    ```\n"]


def test_indented_code_but_not_list_continuations() -> None:
    text = "para\n\n    code line\n\n- item\n\n    continuation\n\nend\n"
    assert _code(text) == ["    code line\n\n"]


def test_inline_code_spans() -> None:
    text = "a `{{ x }}` b ``c ` d`` e `open\n\nnever closed`"
    assert [text[s:e] for s, e in inline_code_spans(text)] == ["`{{ x }}`", "``c ` d``"]


def test_map_outside_code() -> None:
    text = "x `x` x\n```\nx\n```\n"
    assert map_outside_code(text, str.upper) == "X `X` X\n```\nx\n```\n"
    assert map_outside_code(text, str.upper, inline=True) == "X `x` X\n```\nx\n```\n"
