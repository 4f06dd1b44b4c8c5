"""The one stylesheet builder of the writers: ``@font-face`` rules, the theme's CSS for the
format, the writer's own rules, then the user's extra CSS (``--css``), in that order.

Both writers build their stylesheet here, so that an unreadable extra CSS file is the same
one-line :class:`~converter.errors.ConfigError` whatever the format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..errors import ConfigError
from ..fonts import BundledFont, FontFamily, font_face_css


def build_stylesheet(families: Iterable[FontFamily], url_for: Callable[[BundledFont], str],
                     theme_css: str, extra_css: Sequence[Path | str], *,
                     rules: Sequence[str] = ()) -> str:
    """The stylesheet: the families' ``@font-face`` rules (``url_for`` gives each file's URL),
    ``theme_css``, ``rules`` and the text of each ``extra_css`` file."""
    parts = [font_face_css(families, url_for), theme_css, *rules]
    parts.extend(read_extra_css(extra_css))
    return "\n".join(parts)


def read_extra_css(paths: Sequence[Path | str]) -> list[str]:
    """The text of each extra CSS file; :class:`ConfigError` naming the file if one cannot be
    read."""
    texts = []
    for extra in paths:
        try:
            texts.append(Path(extra).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ConfigError(f"cannot read extra CSS: {reason}", path=extra) from None
    return texts
