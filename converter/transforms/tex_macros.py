"""KaTeX's built-in macros, expanded to TeX every converter knows (a pure ``str -> str``).

Blogs on KaTeX write ``\\R``, ``\\infin``, ``\\newline``, ``\\set{…}``: macros KaTeX defines
(its documented "Supported Functions" beyond LaTeX, ``src/macros.js``), which neither
latex2mathml nor ziamath know, so they used to show as TeX. :func:`expand` rewrites them into
plain LaTeX (``\\mathbb{R}``, ``\\infty``, ``\\\\``, ``\\{…\\}``). A command is matched whole
(``\\R`` never inside ``\\Rightarrow``); one-argument macros take a braced argument.
This module knows nothing about HTML.
"""

from __future__ import annotations

import re

from ..tex_scan import unescaped

#: Argument-less macros (KaTeX macros.js): name → LaTeX.
SIMPLE: dict[str, str] = {
    # Blackboard-bold number sets.
    "R": "\\mathbb{R}", "Reals": "\\mathbb{R}", "reals": "\\mathbb{R}",
    "N": "\\mathbb{N}", "natnums": "\\mathbb{N}", "Z": "\\mathbb{Z}",
    "Complex": "\\mathbb{C}", "cnums": "\\mathbb{C}",
    # HTML-entity style names.
    "alef": "\\aleph", "alefsym": "\\aleph", "bull": "\\bullet", "clubs": "\\clubsuit",
    "Dagger": "\\ddagger", "diamonds": "\\diamondsuit", "empty": "\\emptyset",
    "exist": "\\exists", "harr": "\\leftrightarrow", "hArr": "\\Leftrightarrow",
    "Harr": "\\Leftrightarrow", "hearts": "\\heartsuit", "image": "\\Im", "infin": "\\infty",
    "isin": "\\in", "lang": "\\langle", "larr": "\\leftarrow", "lArr": "\\Leftarrow",
    "Larr": "\\Leftarrow", "lrarr": "\\leftrightarrow", "lrArr": "\\Leftrightarrow",
    "Lrarr": "\\Leftrightarrow", "plusmn": "\\pm", "rang": "\\rangle", "rarr": "\\rightarrow",
    "rArr": "\\Rightarrow", "Rarr": "\\Rightarrow", "real": "\\Re", "sdot": "\\cdot",
    "sect": "\\S", "spades": "\\spadesuit", "sub": "\\subset", "sube": "\\subseteq",
    "supe": "\\supseteq", "thetasym": "\\vartheta", "uarr": "\\uparrow", "uArr": "\\Uparrow",
    "Uarr": "\\Uparrow", "darr": "\\downarrow", "dArr": "\\Downarrow", "Darr": "\\Downarrow",
    "weierp": "\\wp",
    # Upper-case Greek letters that look Latin.
    "Alpha": "\\mathrm{A}", "Beta": "\\mathrm{B}", "Epsilon": "\\mathrm{E}",
    "Zeta": "\\mathrm{Z}", "Eta": "\\mathrm{H}", "Iota": "\\mathrm{I}", "Kappa": "\\mathrm{K}",
    "Mu": "\\mathrm{M}", "Nu": "\\mathrm{N}", "Omicron": "\\mathrm{O}", "Rho": "\\mathrm{P}",
    "Tau": "\\mathrm{T}", "Chi": "\\mathrm{X}", "omicron": "o",
    # Line break and operators.
    "newline": "\\\\", "argmin": "\\operatorname{arg\\,min}",
    "argmax": "\\operatorname{arg\\,max}",
}
#: One-argument macros (KaTeX's braket macros): name → template with ``#1``.
WITH_ARGUMENT: dict[str, str] = {
    "set": "\\{#1\\}", "Set": "\\left\\{#1\\right\\}",
    "bra": "\\langle #1\\vert", "Bra": "\\left\\langle #1\\right\\vert",
    "ket": "\\vert #1\\rangle", "Ket": "\\left\\vert #1\\right\\rangle",
    "braket": "\\langle #1\\rangle", "Braket": "\\left\\langle #1\\right\\rangle",
}

_SIMPLE = re.compile(r"\\(" + "|".join(sorted(SIMPLE, key=len, reverse=True)) + r")(?![A-Za-z])")
_WITH_ARGUMENT = re.compile(
    r"\\(" + "|".join(sorted(WITH_ARGUMENT, key=len, reverse=True)) + r")(?![A-Za-z])\s*\{")


def _argument(tex: str, start: int) -> int:
    """Index just after the group whose ``{`` is at ``start - 1`` (or -1 if unbalanced)."""
    depth = 1
    for index, char in unescaped(tex, start):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return -1


def expand(tex: str) -> str:
    """``tex`` with KaTeX's built-in macros replaced by plain LaTeX."""
    if "\\" not in tex:
        return tex
    out: list[str] = []
    position = 0
    for match in _WITH_ARGUMENT.finditer(tex):
        if match.start() < position:
            continue
        end = _argument(tex, match.end())
        if end < 0:
            break
        argument = expand(tex[match.end():end - 1])
        out.append(tex[position:match.start()])
        out.append(WITH_ARGUMENT[match.group(1)].replace("#1", argument))
        position = end
    out.append(tex[position:])
    return _SIMPLE.sub(lambda m: SIMPLE[m.group(1)], "".join(out))
