"""converter.writers.patches.ziamath_speed: formulas drawn with the patches are the same SVG,
byte for byte, as without them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from converter.writers.patches import ziamath_speed

#: Nested styles (fractions, scripts, \mathbf, colour), mark anchors (accents), big operators,
#: a matrix (ziamath's own namedtuple in mtable) and Hangul text.
FORMULAS = [
    (r"\frac{a^2_{i}}{\sqrt{b + \hat{x}}}", False),
    (r"\sum_{k=1}^{n} \vec{v}_k \cdot \tilde{w}_k = \mathbf{1}", True),
    (r"\begin{pmatrix} \alpha & \bar{\beta} \\ \dot{\gamma} & \ddot{\delta} \end{pmatrix}", True),
    (r"\color{red}{\int_0^\infty} e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}", True),
    (r"\text{평균 } \overline{X}_n \to \mu", False),
]

_DRAW = """
import json, sys
from converter.writers import math_svg
from converter.writers.patches import ziamath_speed
if sys.argv[1] == "off":
    ziamath_speed.install = lambda: False
print(json.dumps([math_svg._layout(tex, display=display)[1]
                  for tex, display in json.loads(sys.argv[2])]))
"""


def _draw(mode: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _DRAW, mode, json.dumps(FORMULAS)],
                          capture_output=True, text=True, check=True)
    result: list[str] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(not ziamath_speed.supported(), reason="not the ziamath/ziafont checked")
def test_patched_drawing_is_byte_identical() -> None:
    plain, patched = _draw("off"), _draw("on")
    assert len(patched) == len(FORMULAS) and all("<path" in svg for svg in patched)
    assert patched == plain


@pytest.mark.skipif(not ziamath_speed.supported(), reason="not the ziamath/ziafont checked")
def test_replacements_answer_like_the_originals() -> None:
    import dataclasses

    from ziafont import gpos
    from ziamath import styles

    assert ziamath_speed.install()
    style = styles.MathStyle(mathvariant=styles.MathVariant(style="sans", bold=True),
                             displaystyle=False, mathcolor="red", scriptlevel=2)
    assert styles.asdict(style) == dataclasses.asdict(style)
    assert styles.asdict.hanji_patched  # type: ignore[attr-defined]
    Anchor = gpos.namedtuple("Anchor", ["x", "y"])
    assert Anchor is gpos.namedtuple("Anchor", ["x", "y"])  # made once
    assert Anchor(1, 2)._asdict() == {"x": 1, "y": 2} and Anchor.__module__ == "ziafont.gpos"
