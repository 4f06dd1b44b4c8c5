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


def choose_lang(*candidates: str | None, text: str = "") -> str:
    """The first non-empty candidate (normalised), else the language detected in ``text``."""
    for value in candidates:
        if value and normalize_lang(str(value)):
            return normalize_lang(str(value))
    return detect_lang(text)


def primary(lang: str) -> str:
    """``ko-KR`` → ``ko``."""
    return lang.split("-")[0].lower()
