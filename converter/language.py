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


def detect_lang(text: str) -> str:
    """Guess a primary language tag from the letters of ``text`` (ko, ja, zh or en)."""
    letters = len(_LETTER.findall(text))
    if not letters:
        return "en"
    hangul = len(_HANGUL.findall(text))
    if hangul / letters >= 0.2:
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
    ``locale: en-US``, and a Korean book must not be typeset as English.
    """
    if explicit and normalize_lang(str(explicit)):
        return normalize_lang(str(explicit))
    detected = detect_lang(text) if text else ""
    locale = normalize_lang(str(site_locale or ""))
    if locale and (not detected or primary(locale) == detected or detected == "en"):
        return locale
    return detected or locale or "en"


def primary(lang: str) -> str:
    """``ko-KR`` → ``ko``."""
    return lang.split("-")[0].lower()
