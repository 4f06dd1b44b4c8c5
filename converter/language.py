"""Language of a post: front matter ``lang``, else the site ``locale``, else detected from text."""

from __future__ import annotations

import re

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LETTER = re.compile(r"[^\W\d_]")


def normalize_lang(value: str) -> str:
    """``ko-KR`` / ``ko_KR`` → ``ko-KR``; empty → ``""``."""
    value = value.strip().replace("_", "-")
    if not value:
        return ""
    parts = value.split("-")
    return "-".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


#: A text is Korean when this share of its letters is Hangul (and there are at least
#: :data:`MIN_HANGUL` of them). Low on purpose: the text of a post includes its code blocks,
#: output tables and English terms, and a Korean data-science post can be 85 % Latin letters
#: while every sentence of it is Korean.
HANGUL_SHARE = 0.05
MIN_HANGUL = 20
#: Letters of Latin text that make a post on a Korean (Japanese, Chinese) site clearly not
#: Korean (Japanese, Chinese) when it has next to none of that script.
CLEAR_LATIN_LETTERS = 200
#: Languages written in a script :func:`detect_lang` recognises.
_SCRIPTS = {"ko", "ja", "zh"}


def detect_lang(text: str) -> str:
    """Guess a primary language tag from the letters of ``text`` (ko, ja, zh or en).

    "en" stands for "Latin script, language unknown" (see :func:`choose_lang`).
    """
    letters = len(_LETTER.findall(text))
    if not letters:
        return "en"
    hangul = len(_HANGUL.findall(text))
    if hangul / letters >= 0.2 or (hangul >= MIN_HANGUL and hangul / letters >= HANGUL_SHARE):
        return "ko"
    if len(_KANA.findall(text)) / letters >= 0.1:
        return "ja"
    if len(_HAN.findall(text)) / letters >= 0.3:
        return "zh"
    return "en"


def choose_lang(explicit: str | None, site_locale: str | None, *, text: str = "") -> str:
    """The language of a post.

    ``explicit`` (user option or front matter ``lang``) always wins. The site's ``locale`` is
    used unless the text clearly says otherwise: many Korean blogs keep their theme's default
    ``locale: en-US``, and a Korean book must not be typeset as English; and an English post
    (200 Latin letters, no Hangul to speak of) on a ``locale: ko-KR`` site is English.
    """
    if explicit and normalize_lang(str(explicit)):
        return normalize_lang(str(explicit))
    detected = detect_lang(text) if text else ""
    locale = normalize_lang(str(site_locale or ""))
    if locale and detected == "en" and primary(locale) in _SCRIPTS \
            and len(_LETTER.findall(text)) >= CLEAR_LATIN_LETTERS:
        # A ko/ja/zh site, a post without that script: an English post (say), not Korean.
        return "en"
    if locale and (not detected or primary(locale) == detected or detected == "en"):
        # "en" only says "Latin script": a fr or de locale is more precise.
        return locale
    return detected or locale or "en"


def primary(lang: str) -> str:
    """``ko-KR`` → ``ko``."""
    return lang.split("-")[0].lower()
