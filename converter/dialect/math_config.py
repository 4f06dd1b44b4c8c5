"""How the site's own MathJax or KaTeX finds math: read from the site, not guessed.

A Jekyll site turns on math in its templates: a MathJax 2 ``MathJax.Hub.Config({tex2jax: …})``,
a MathJax 3 ``MathJax = {tex: …}``, a KaTeX ``renderMathInElement(…, {delimiters: […]})`` in
``_includes/``, ``_layouts/`` or a JS file it ships (``assets/js/``), or a theme that brings
its own (Chirpy, with ``math: true`` in the front matter). :func:`site_math` reads them into a
:class:`MathConfig`: the inline and display delimiter pairs, ``processEscapes`` and equation
numbering (MathJax 3 ``tags``, MathJax 2 ``equationNumbers.autoNumber``), falling back to the
engine's documented defaults for what the configuration leaves out.

The reading is textual, as a person would read it: JavaScript string escapes are undone
(``'\\\\('`` is ``\\(``), a configuration whose keys sit outside the object handed to MathJax (a
syntax error the browser would refuse, so MathJax keeps its defaults) counts as absent, and a
Liquid ``{% if X == true %}`` around a setting is decided by the site's ``_config.yml`` ``X``.
A site that only loads a MathJax script (brstar96's vendored MathJax 3 behind kramdown's
``math_engine: mathjax``) gets that version's defaults (no ``$…$``). ``None`` means the site
shows no math engine at all: callers keep their own rule.
This module knows nothing of Markdown or HTML trees.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

Pair = tuple[str, str]


@dataclass(frozen=True)
class MathConfig:
    """Where the site's math engine looks for math, and how it numbers equations."""

    #: ``mathjax2``, ``mathjax3`` or ``katex``.
    engine: str
    inline: tuple[Pair, ...]
    display: tuple[Pair, ...]
    #: ``\\$`` is a literal dollar (and never opens math).
    process_escapes: bool
    #: ``none`` (only ``\\tag``), ``ams`` (numbered environments and ``\\tag``) or ``all``.
    tags: str = "none"
    #: A front-matter key that must be true for the page to load the engine (Chirpy: ``math``).
    page_switch: str | None = None
    #: Where it was read (a file relative to the site root, or a theme name).
    source: str = ""

    @property
    def single_dollar(self) -> bool:
        """Whether ``$…$`` is inline math."""
        return ("$", "$") in self.inline

    def kind_of(self, pair: Pair) -> str | None:
        """``inline``, ``display`` or None: how the engine renders text between ``pair``."""
        if pair in self.display:
            return "display"
        if pair in self.inline:
            return "inline"
        return None


_MATHJAX2 = MathConfig("mathjax2", inline=(("\\(", "\\)"),),
                       display=(("$$", "$$"), ("\\[", "\\]")), process_escapes=False)
_MATHJAX3 = MathConfig("mathjax3", inline=(("\\(", "\\)"),),
                       display=(("$$", "$$"), ("\\[", "\\]")), process_escapes=True)
_KATEX = MathConfig("katex", inline=(("\\(", "\\)"),),
                    display=(("$$", "$$"), ("\\[", "\\]")), process_escapes=False)

#: Themes that bring their own configuration (not in the site's repository).
#: Chirpy: assets/js/data/mathjax.js of jekyll-theme-chirpy, loaded when the page sets math.
THEME_PRESETS: dict[str, MathConfig] = {
    "jekyll-theme-chirpy": replace(
        _MATHJAX3, inline=(("$", "$"), ("\\(", "\\)")), tags="ams", page_switch="math",
        source="jekyll-theme-chirpy"),
}

# Files a site's math configuration lives in.
_GLOBS = ("_includes/**/*", "_layouts/**/*", "assets/js/**/*.js", "js/**/*.js")
_MAX_BYTES = 200_000
# Markers of each engine's configuration.
_MATHJAX2_CONFIG = re.compile(r"MathJax\.Hub\.Config\s*\(")
_MATHJAX3_CONFIG = re.compile(r"(?:window\.)?MathJax\s*=\s*\{")
_KATEX_CONFIG = re.compile(r"renderMathInElement\s*\(")
_V2_OBJECT = re.compile(r"var\s+(?P<name>\w+)\s*=\s*\{")
# ['$', '$'] pairs inside an inlineMath/displayMath list.
_PAIR = re.compile(r"\[\s*(?P<q1>['\"])(?P<left>(?:\\.|(?!(?P=q1)).)*)(?P=q1)\s*,\s*"
                   r"(?P<q2>['\"])(?P<right>(?:\\.|(?!(?P=q2)).)*)(?P=q2)\s*\]")
# KaTeX {left: "$$", right: "$$", display: true}.
_KATEX_DELIMITER = re.compile(
    r"\{\s*left\s*:\s*(?P<q1>['\"])(?P<left>(?:\\.|(?!(?P=q1)).)*)(?P=q1)\s*,\s*"
    r"right\s*:\s*(?P<q2>['\"])(?P<right>(?:\\.|(?!(?P=q2)).)*)(?P=q2)\s*,\s*"
    r"display\s*:\s*(?P<display>true|false)\s*\}")
# <script src="…MathJax…js…"> (any version).
_MATHJAX_SCRIPT = re.compile(r"<script[^>]*\bsrc=[^>]*mathjax[^>]*>", re.IGNORECASE)
_VERSION3_MARKS = ("/es5/", "mathjax@3", "mathjax@4", "mathjax/3", "tex-chtml", "tex-svg",
                   "tex-mml-")
_LIQUID_IF = re.compile(r"\{%-?\s*if\s+(?P<var>[\w.]+)\s*==\s*true\s*-?%\}(?P<body>.*?)"
                        r"\{%-?\s*endif\s*-?%\}", re.DOTALL)
_JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\'\"])//[^\n]*", re.DOTALL)


def _js_string(text: str) -> str:
    r"""A JavaScript string literal's value: ``\\`` is ``\``, ``\(`` is ``(``."""
    return re.sub(r"\\(.)", lambda m: m.group(1), text)


def _list_after(key: str, text: str) -> str | None:
    """The ``[...]`` value following ``key:`` in ``text`` (bracket-balanced), or None."""
    match = re.search(rf"\b{key}\s*:\s*\[", text)
    if match is None:
        return None
    depth, start = 0, match.end() - 1
    for index in range(start, len(text)):
        if text[index] == "[":
            depth += 1
        elif text[index] == "]":
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    return None


def _object_at(text: str, start: int) -> str:
    """The brace-balanced object starting at ``text[start] == '{'``."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    return text[start:]


def _pairs(listing: str | None) -> tuple[Pair, ...] | None:
    if listing is None:
        return None
    return tuple((_js_string(m.group("left")), _js_string(m.group("right")))
                 for m in _PAIR.finditer(listing))


def _setting(text: str, key: str) -> str | None:
    match = re.search(rf"\b{key}\s*:\s*['\"]?(?P<value>[\w]+)", text)
    return match.group("value") if match else None


def _decide_liquid(text: str, site: Mapping[str, Any]) -> str:
    """Keep the body of ``{% if X == true %}`` only when the site sets ``X`` (as ``_X``/``X``)."""

    def decide(match: re.Match[str]) -> str:
        name = match.group("var").split(".")[-1].lstrip("_")
        return match.group("body") if site.get(name) is True else ""

    return _LIQUID_IF.sub(decide, text)


def _mathjax(text: str, base: MathConfig, config_object: str) -> MathConfig:
    inline = _pairs(_list_after("inlineMath", config_object))
    display = _pairs(_list_after("displayMath", config_object))
    escapes = _setting(config_object, "processEscapes")
    tags = _setting(config_object, "tags")
    auto = _setting(config_object, "autoNumber")
    numbering = tags or {"all": "all", "AMS": "ams"}.get(auto or "", "none")
    return replace(base, inline=inline if inline is not None else base.inline,
                   display=display if display is not None else base.display,
                   process_escapes=(escapes == "true") if escapes else base.process_escapes,
                   tags=numbering.lower() if numbering in {"ams", "all", "none"} else "none")


def read_config(text: str, site: Mapping[str, Any], source: str = "") -> MathConfig | None:
    """The math configuration written in one template or script, or None if it has none."""
    text = _JS_COMMENT.sub("", _decide_liquid(text, site))
    if (match := _KATEX_CONFIG.search(text)) is not None:
        delimiters = list(_KATEX_DELIMITER.finditer(text, match.end()))
        if not delimiters:
            return replace(_KATEX, source=source)
        inline = tuple((_js_string(d.group("left")), _js_string(d.group("right")))
                       for d in delimiters if d.group("display") == "false")
        display = tuple((_js_string(d.group("left")), _js_string(d.group("right")))
                        for d in delimiters if d.group("display") == "true")
        return replace(_KATEX, inline=inline, display=display, source=source)
    if (match := _MATHJAX2_CONFIG.search(text)) is not None:
        rest = text[match.end():].lstrip()
        if rest.startswith("{"):
            config_object = _object_at(rest, 0)
        else:
            # MathJax.Hub.Config(_config): the variable built just before, with what is added to it.
            variable = _V2_OBJECT.search(text)
            config_object = text[variable.start():match.start()] if variable else ""
        if "inlineMath" not in config_object and "inlineMath" in rest:
            # The keys are outside the object MathJax is given: the script does not run.
            return replace(_MATHJAX2, source=source)
        return replace(_mathjax(text, _MATHJAX2, config_object), source=source)
    if (match := _MATHJAX3_CONFIG.search(text)) is not None:
        config_object = _object_at(text, match.end() - 1)
        return replace(_mathjax(text, _MATHJAX3, config_object), source=source)
    return None


@functools.lru_cache(maxsize=16)
def _site_files(root: Path) -> tuple[tuple[str, str], ...]:
    """(relative path, text) of the site's files that mention a math engine."""
    found: list[tuple[str, str]] = []
    for pattern in _GLOBS:
        for path in sorted(root.glob(pattern)):
            try:
                if not path.is_file() or path.stat().st_size > _MAX_BYTES:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if "MathJax" in text or "renderMathInElement" in text:
                found.append((path.relative_to(root).as_posix(), text))
    return tuple(found)


def site_math(root: Path | None, site: Mapping[str, Any]) -> MathConfig | None:
    """The site's math configuration, or None when it shows none (see the module docstring)."""
    for relative, text in _site_files(root) if root is not None else ():
        config = read_config(text, site, relative)
        if config is not None:
            return config
    theme = str(site.get("theme") or site.get("remote_theme") or "").split("@")[0]
    for name, preset in THEME_PRESETS.items():
        if theme.endswith(name):
            return preset
    # A MathJax script loaded without any configuration: the engine's defaults.
    for relative, text in _site_files(root) if root is not None else ():
        if (loader := _MATHJAX_SCRIPT.search(text)) is not None:
            version3 = any(mark in loader.group() for mark in _VERSION3_MARKS)
            return replace(_MATHJAX3 if version3 else _MATHJAX2, source=relative)
    return None
