"""The one resolver for asset references (images, CSS urls): reference string → local file.

Every reference a post makes — Markdown images, raw HTML ``<img src>`` (also from a local
``<object>``/``<embed>`` of an image), front-matter teasers — goes through
:class:`AssetResolver`; the other ways to name a file (``srcset``, ``<source>``, ``poster``,
CSS ``url()``/``@import``, inline SVG, ``<link>``) never get past the sanitizer, and the PDF
writer's URL fetcher refuses whatever is left. It repairs the damage real blogs carry
(backslashes, ``//assets`` meaning site root, the site's own absolute URL in any case, line
breaks inside URLs — also percent-encoded —, percent-encoding, stray spaces, names whose case or
Unicode normalisation differs from the disk: ``.PNG``/``.png``, NFD Hangul) and refuses anything
that would read outside the allowed roots (the site root,
configured asset roots): ``..`` escapes, absolute paths elsewhere, ``file://`` URLs, symlinks
leading out (unless ``follow_symlinks``). A relative path whose ``..`` segments climb above
the site root is also tried as a browser resolves it, clamped at the root. It knows nothing
about HTML or output formats.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .site import Site, written

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WHITESPACE = re.compile(r"\s+")
# Line breaks and tabs inside a URL, literal or percent-encoded.
_LINE_BREAKS = re.compile(r"[\r\n\t]|%0[aAdD9]")
# Folders themes keep teaser images in (minimal-mistakes and older Michael Rose themes).
_THEME_IMAGE_DIRS = ("images", "assets/images", "assets/img", "img", "assets")


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one reference."""

    reference: str
    path: Path | None = None
    #: http(s) URL for a remote reference (fetched only when the user allows it).
    remote_url: str | None = None
    #: Why the reference gave no file (missing, refused, remote…), for a warning.
    problem: str | None = None


class AssetResolver:
    """Resolve references made by one post against its site."""

    def __init__(self, site: Site, post_path: Path | None) -> None:
        self.site = site
        self.post_dir = post_path.resolve().parent if post_path is not None else site.root
        self.roots = site.allowed_roots()
        #: Candidates made by clamping ``..`` at the site root (browser-style).
        self._clamped: set[Path] = set()
        own = site.url
        self._own_prefixes = tuple(
            p for p in {own, own.replace("https://", "http://"), own.replace("http://", "https://")}
            if p
        )

    def is_allowed(self, path: Path) -> bool:
        """Whether ``path`` may be read (:meth:`~converter.site.Site.may_read`: inside an
        allowed root after following symlinks, or as written with ``follow_symlinks``)."""
        return self.site.may_read(path)

    def resolve(self, reference: str, *, teaser: bool = False) -> Resolution:
        """Find the local file ``reference`` names, repairing common blog damage."""
        # URLs broken across lines: drop line breaks and tabs, literal or percent-encoded.
        ref = _LINE_BREAKS.sub("", (reference or "").strip())
        if not ref:
            return Resolution(reference, problem="empty image reference")
        ref = ref.replace("\\", "/")
        if ref.lower().startswith("data:"):
            return Resolution(reference, problem="inline data: URL")
        ref = self._strip_own_site(ref)
        if ref.startswith("//") and not ref.startswith("///"):
            host = ref[2:].split("/", 1)[0]
            # `//assets/img/x.png` means site root on a Jekyll blog, not a host named "assets".
            if "." not in host or (self.site.root / host).is_dir():
                ref = "/" + ref.lstrip("/")
            else:
                ref = "https:" + ref
        if ref.lower().startswith(("http://", "https://")):
            return Resolution(reference, remote_url=ref, problem="remote image")
        if _SCHEME.match(ref):
            return Resolution(reference, problem=f"refused URL scheme {ref.split(':', 1)[0]!r}")
        candidates: list[Path] = []
        for spelling in self._spellings(ref):
            candidates.extend(c for c in self._candidates(spelling, teaser=teaser)
                              if c not in candidates)
        refused = False
        for candidate in candidates:
            if not self.is_allowed(candidate):
                refused = True
                continue
            if _is_file(candidate):
                return Resolution(reference, path=candidate.resolve())
        # Case and Unicode normalisation differ between the post and the disk (``.PNG`` for
        # ``.png``, NFD Hangul from macOS): match names in the candidate's folder loosely.
        for candidate in candidates:
            if self.is_allowed(candidate):
                found = _loose_match(candidate)
                if found is not None and self.is_allowed(found):
                    return Resolution(reference, path=found.resolve())
        # Said "refused" when the path as written leads out (the browser-style retries aside).
        written_as_is = [c for c in candidates if c not in self._clamped]
        if refused and not any(self.is_allowed(c) for c in written_as_is):
            return Resolution(reference, problem="outside the site root; refused")
        return Resolution(reference, problem="file not found")

    def _strip_own_site(self, ref: str) -> str:
        """``https://me.github.io/x.png`` (any scheme, any case of the host) → ``/x.png``."""
        lowered = ref.lower()
        for prefix in self._own_prefixes:
            if lowered.startswith(prefix.lower() + "/"):
                return ref[len(prefix):]
        return ref

    @staticmethod
    def _spellings(ref: str) -> list[str]:
        """The path part of ``ref`` as written and decoded, with and without stray spaces."""
        path = urlsplit(ref).path if ("?" in ref or "#" in ref) else ref
        spellings = [unquote(path), path]
        # Spaces left where a URL was broken across indented lines.
        spellings += [_WHITESPACE.sub("", s) for s in spellings]
        return list(dict.fromkeys(s for s in spellings if s))

    def _candidates(self, ref: str, *, teaser: bool) -> list[Path]:
        root = self.site.root
        baseurl = self.site.baseurl
        out: list[Path] = []
        if ref.startswith("/"):
            rel = ref
            if baseurl and (rel == baseurl or rel.startswith(baseurl + "/")):
                out.append(_url_path(root, rel[len(baseurl):]))
            out.append(_url_path(root, rel))
        else:
            out.append(written(self.post_dir / ref))
            # Jekyll serves posts at permalinks, so authors often mean site-root-relative.
            out.append(written(root / ref))
            if teaser:
                out.extend(written(root / d / ref) for d in _THEME_IMAGE_DIRS)
            # As a browser resolves it: ``..`` above the site root stays at the root
            # (``../assets/images/../../../assets/x.png`` is ``/assets/x.png``), from the
            # post's folder and from the root.
            if ".." in ref.split("/"):
                clamped = [_url_path(root, "/" + ref)]
                if root in self.post_dir.parents:
                    base = self.post_dir.relative_to(root).as_posix()
                    clamped.insert(0, _url_path(root, f"/{base}/{ref}"))
                self._clamped.update(c for c in clamped if c not in out)
                out.extend(clamped)
        return list(dict.fromkeys(out))


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False also for names the system refuses (too long, bad bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _url_path(root: Path, path: str) -> Path:
    """The file under ``root`` a site URL path names, resolved as a browser does: ``.`` and
    ``..`` segments collapse and ``..`` at the top stays there, so it never leaves ``root``."""
    return root.joinpath(*posixpath.normpath("/" + path).lstrip("/").split("/"))


def _loose_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _loose_match(candidate: Path) -> Path | None:
    """A file in ``candidate``'s folder whose name equals it ignoring case and normalisation."""
    folder = candidate.parent
    try:
        if not folder.is_dir():
            return None
        key = _loose_key(candidate.name)
        for entry in folder.iterdir():
            if _loose_key(entry.name) == key and entry.is_file():
                return entry
    except OSError:
        return None
    return None
