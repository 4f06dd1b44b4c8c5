"""Jekyll's Liquid tags and theme includes, rendered as the Markdown/HTML a book can hold.

Registered on the environment :mod:`.liquid` builds:

* ``{% include name key=value … %}`` with Jekyll's parameter syntax (quoted strings, or bare
  variable names looked up in the context). Theme includes become HTML-contract markup:
  ``figure`` → ``<figure>`` with image and caption; ``gallery`` (front-matter list, ``id=``) →
  ``<figure class="half|third">`` (the figures transform makes it a figure group); ``video`` and
  YouTube players (``youtubeplayer.html`` …) and Chirpy's ``embed/video.html src=…`` /
  ``embed/youtube.html id=…`` → ``<p class="video-link">`` (never an iframe);
  ``toc`` → nothing (the book's TOC replaces in-page ones); ``base_path`` → assigned (old
  minimal-mistakes). Others are dropped with a warning naming the line (no theme templates).
* ``{% include_relative file %}``: the file's text, when it lies inside the site.
* ``{% post_url 2019-01-01-slug %}``, ``{% link path %}``: the target's permalink (see
  :mod:`.permalinks`); a post not found gives a warning and an empty URL.
* ``{% gist user/id %}`` and ``{% youtube id %}`` (jekyll-gist, jekyll-youtube): links.

This module knows nothing about output formats.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from liquid import Node, Tag
from liquid.builtin.expressions import FilteredExpression, tokenize
from liquid.stream import TokenStream
from liquid.token import TOKEN_EXPRESSION

from ..site import may_read, written
from . import permalinks
from .liquid_filters import CONTEXT_KEY, markdownify, relative_url

if TYPE_CHECKING:
    from liquid import RenderContext, Token
    from liquid.stream import TokenStream as Stream

    from . import DialectContext

# Jekyll's include parameters: key=value with a double- or single-quoted string or a bare name.
_PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([\w.\[\]-]+))""")
# An include file name that is itself a Liquid output ({{ var }}).
_VARIABLE_NAME = re.compile(r"^\{\{\s*(.+?)\s*\}\}$")
# Include names that are YouTube players in one theme or another.
_YOUTUBE_INCLUDE = re.compile(r"youtube", re.IGNORECASE)
_PARAGRAPH_TAGS = re.compile(r"</?p>")  # what markdownify wraps captions in
_VIDEO_URLS = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
    "google-drive": "https://drive.google.com/file/d/{id}/view",
    "bilibili": "https://www.bilibili.com/video/{id}",
}
#: Largest file ``{% include_relative %}`` inserts.
MAX_INCLUDE_BYTES = 1024 * 1024
#: Includes that draw page navigation the book replaces (dropped silently).
NAVIGATION_INCLUDES = {"toc", "toc.html", "toc.md", "sidebar", "sidebar.html"}


def line_of(token: Token | None) -> int | None:
    """1-based line of ``token`` in the text it came from."""
    if token is None or token.start_index < 0:
        return None
    return token.source.count("\n", 0, token.start_index) + 1


def dialect_context(context: RenderContext) -> DialectContext | None:
    """The DialectContext of the post being rendered (a private render global)."""
    from . import DialectContext

    ctx = context.resolve(CONTEXT_KEY)
    return ctx if isinstance(ctx, DialectContext) else None


def warn(context: RenderContext, token: Token | None, message: str) -> None:
    """A warning about the post, at the tag's line."""
    ctx = dialect_context(context)
    if ctx is not None:
        ctx.warn(message, line=line_of(token))


def evaluate(context: RenderContext, source: str, token: Token) -> Any:
    """Evaluate a Liquid expression (a variable path, maybe with filters) in ``context``."""
    stream = TokenStream(tokenize(source, parent_token=token))
    return FilteredExpression.parse(context.env, stream).evaluate(context)


def _markup(stream: Stream) -> tuple[Token, str]:
    """The tag token and its raw markup, leaving the stream on the tag's last token."""
    token = stream.current
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return token, stream.current.value
    return token, ""


def _block(markup: str) -> str:
    """Raw HTML as its own Markdown block."""
    return f"\n\n{markup}\n\n"


def _caption(context: RenderContext, text: str) -> str:
    return _PARAGRAPH_TAGS.sub("", str(markdownify(text, context=context))).strip()


def _attr(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _image_src(context: RenderContext, path: object) -> str:
    return relative_url(str(path or ""), context=context)


class _MarkupNode(Node):
    """A tag node that keeps its raw markup and renders through :meth:`output`."""

    __slots__ = ("markup",)

    def __init__(self, token: Token, markup: str) -> None:
        super().__init__(token)
        self.markup = markup
        self.blank = False

    def __str__(self) -> str:
        return f"{{% {self.token.value} {self.markup} %}}"

    def output(self, context: RenderContext) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        return buffer.write(self.output(context))

    async def render_to_output_async(self, context: RenderContext, buffer: TextIO) -> int:
        return self.render_to_output(context, buffer)


class _MarkupTag(Tag):
    """A non-block tag whose whole markup is handed to its node."""

    block = False
    node_class: type[_MarkupNode] = _MarkupNode

    def parse(self, stream: Stream) -> Node:
        token, markup = _markup(stream)
        return self.node_class(token, markup)


class IncludeNode(_MarkupNode):
    """``{% include name params %}`` rendered natively (theme templates are not run)."""

    def params(self, context: RenderContext) -> dict[str, Any]:
        values: dict[str, Any] = {}
        rest = self.markup.strip().split(None, 1)
        for match in _PARAM.finditer(rest[1] if len(rest) > 1 else ""):
            key, double, single, bare = match.groups()
            if double is not None or single is not None:
                values[key] = re.sub(r"\\(.)", r"\1", double if double is not None else single)
            else:
                values[key] = evaluate(context, bare, self.token)
        return values

    def name(self, context: RenderContext) -> str:
        first = self.markup.strip().split(None, 1)[0] if self.markup.strip() else ""
        variable = _VARIABLE_NAME.match(first)
        if variable:
            first = str(evaluate(context, variable.group(1), self.token))
        return first

    def output(self, context: RenderContext) -> str:
        name = self.name(context)
        params = self.params(context)
        stem = name.rsplit(".", 1)[0] if name.endswith((".html", ".md", ".liquid")) else name
        if name in NAVIGATION_INCLUDES or stem in NAVIGATION_INCLUDES:
            return ""
        if stem == "figure":
            return self.figure(context, params)
        if stem == "gallery":
            return self.gallery(context, params)
        if stem.startswith("embed/"):  # Chirpy: embed/video.html src=…, embed/<provider>.html id=…
            return self.embed(context, stem.removeprefix("embed/"), params)
        if stem == "video" or _YOUTUBE_INCLUDE.search(stem):
            provider = str(params.get("provider") or ("youtube" if stem != "video" else ""))
            return video_link(context, self.token, str(params.get("id") or ""), provider,
                              params.get("title"))
        if stem == "base_path":
            site = context.resolve("site")
            site = site if isinstance(site, dict) else {}
            base = str(site.get("url") or "").rstrip("/") + str(site.get("baseurl") or "")
            context.assign("base_path", base)
            return ""
        warn(context, self.token, f"unsupported Liquid include {name or '(none)'!r} dropped")
        return ""

    def embed(self, context: RenderContext, kind: str, params: dict[str, Any]) -> str:
        """Chirpy's ``embed/*.html``: a file (``video``/``audio``, ``src=``) or a hosted player."""
        if kind not in {"video", "audio"}:
            return video_link(context, self.token, str(params.get("id") or ""), kind,
                              params.get("title"))
        src = str(params.get("src") or "").strip()
        if not src:
            warn(context, self.token, f"embed/{kind} include without src dropped")
            return ""
        if src.startswith("/") and not src.startswith("//"):
            site = context.resolve("site")
            site = site if isinstance(site, dict) else {}
            src = str(site.get("url") or "").rstrip("/") + str(site.get("baseurl") or "") + src
        label = str(params.get("title") or src.rsplit("/", 1)[-1])
        return _block(f'<p class="video-link"><a href="{_attr(src)}">▶ {html.escape(label)}</a></p>')

    def figure(self, context: RenderContext, params: dict[str, Any]) -> str:
        """minimal-mistakes ``figure``: image, alt, caption, class."""
        classes = str(params.get("class") or "").strip()
        out = f'<figure class="{_attr(classes)}">' if classes else "<figure>"
        out += (f'<img src="{_attr(_image_src(context, params.get("image_path")))}"'
                f' alt="{_attr(params.get("alt") or "")}">')
        if params.get("caption"):
            out += f"<figcaption>{_caption(context, str(params['caption']))}</figcaption>"
        return _block(out + "</figure>")

    def gallery(self, context: RenderContext, params: dict[str, Any]) -> str:
        """minimal-mistakes ``gallery``: the front-matter list ``page[id]`` as a figure group."""
        page = context.resolve("page")
        page = page if isinstance(page, dict) else {}
        key = str(params.get("id") or "gallery")
        items = page.get(key)
        if not isinstance(items, list) or not items:
            warn(context, self.token, f"gallery {key!r}: no such list in the front matter")
            return ""
        layout = str(params.get("layout") or ("half" if len(items) == 2
                                              else "third" if len(items) >= 3 else ""))
        classes = f"{layout} {params.get('class') or ''}".strip()
        out = f'<figure class="{_attr(classes)}">' if classes else "<figure>"
        for item in items:
            if not isinstance(item, dict):
                continue
            out += (f'<img src="{_attr(_image_src(context, item.get("image_path") or item.get("url")))}"'
                    f' alt="{_attr(item.get("alt") or item.get("title") or "")}">')
        if params.get("caption"):
            out += f"<figcaption>{_caption(context, str(params['caption']))}</figcaption>"
        return _block(out + "</figure>")


class IncludeTag(_MarkupTag):
    name = "include"
    node_class = IncludeNode


def video_link(context: RenderContext, token: Token, ident: str, provider: str,
               title: object = None) -> str:
    """A ``video-link`` paragraph for a hosted video (a book cannot play it)."""
    template = _VIDEO_URLS.get(provider.lower() or "youtube")
    if not ident or template is None:
        warn(context, token, f"video include without a usable id/provider ({provider!r}) dropped")
        return ""
    url = template.format(id=ident)
    label = str(title) if title else url
    return _block(f'<p class="video-link"><a href="{_attr(url)}">▶ {html.escape(label)}</a></p>')


class IncludeRelativeNode(_MarkupNode):
    """``{% include_relative file %}``: the file's text if it lies inside the site."""

    def output(self, context: RenderContext) -> str:
        ctx = dialect_context(context)
        name = self.markup.strip().split(None, 1)[0] if self.markup.strip() else ""
        if ctx is None or ctx.post_path is None or not name:
            warn(context, self.token, "include_relative without a file dropped")
            return ""
        # Jekyll's safe mode: `..` collapsed first, then inside the site (see site.may_read).
        target = written(ctx.post_path.resolve().parent / name)
        roots = ctx.allowed_roots or ((ctx.site_root or ctx.post_path.parent).resolve(),)
        refused = not may_read(target, roots, follow_symlinks=ctx.options.follow_symlinks)
        if refused or not target.is_file():
            why = "outside the site; refused" if refused else "not found inside the site"
            warn(context, self.token, f"include_relative {name!r}: {why}")
            return ""
        if target.stat().st_size > MAX_INCLUDE_BYTES:
            warn(context, self.token, f"include_relative {name!r}: file too large; dropped")
            return ""
        return target.read_text(encoding="utf-8", errors="replace")


class IncludeRelativeTag(_MarkupTag):
    name = "include_relative"
    node_class = IncludeRelativeNode


@lru_cache(maxsize=256)
def _front_matter(path: Path) -> dict[str, Any]:
    from ..post import load_post  # the loader stage; only front matter is used

    try:
        return dict(load_post(path).front_matter)
    except Exception:  # noqa: BLE001 - a broken linked post must not break this one
        return {}


def _site_dict(context: RenderContext) -> dict[str, Any]:
    site = context.resolve("site")
    return site if isinstance(site, dict) else {}


def _markup_name(node: _MarkupNode, context: RenderContext) -> str:
    """The tag's argument: its markup, or the value of the variable it names."""
    name = node.markup.strip()
    variable = _VARIABLE_NAME.match(name)
    if variable:
        name = str(evaluate(context, variable.group(1), node.token))
    return name


def _post_permalink(context: RenderContext, token: Any, root: Path | None, name: str,
                    missing: str) -> str | None:
    """The permalink of the post ``name`` of the site at ``root``; ``None`` after the
    ``missing`` warning when there is no such post."""
    path = permalinks.find_post(root, name)
    if path is None:
        warn(context, token, missing)
        return None
    return permalinks.permalink(front_matter=_front_matter(path), source=path,
                                site=_site_dict(context), site_root=root)


class PostUrlNode(_MarkupNode):
    """``{% post_url 2019-01-01-slug %}`` → the post's permalink (baseurl-relative)."""

    def output(self, context: RenderContext) -> str:
        ctx = dialect_context(context)
        name = _markup_name(self, context)
        url = _post_permalink(context, self.token, ctx.site_root if ctx else None, name,
                              f"post_url: no post named {name!r}")
        return "" if url is None else relative_url(url, context=context)


class PostUrlTag(_MarkupTag):
    name = "post_url"
    node_class = PostUrlNode


class LinkNode(_MarkupNode):
    """``{% link path %}`` → the permalink of a post, or the page's URL."""

    def output(self, context: RenderContext) -> str:
        ctx = dialect_context(context)
        name = _markup_name(self, context).strip().lstrip("/")
        root = ctx.site_root if ctx else None
        if "_posts/" in name or name.startswith("_posts"):
            found = _post_permalink(context, self.token, root, name, f"link: no post {name!r}")
            if found is None:
                return ""
            url = found
        else:
            if root is not None and not (root / name).exists():
                warn(context, self.token, f"link: no file {name!r} in the site")
            stem, dot, ext = name.rpartition(".")
            url = "/" + (stem + ".html" if dot and ext.lower() in {"md", "markdown"} else name)
        return relative_url(url, context=context)


class LinkTag(_MarkupTag):
    name = "link"
    node_class = LinkNode


class GistNode(_MarkupNode):
    """``{% gist user/id [file] %}`` → a link to the gist."""

    def output(self, context: RenderContext) -> str:
        parts = self.markup.split()
        if not parts:
            warn(context, self.token, "gist without an id dropped")
            return ""
        url = f"https://gist.github.com/{parts[0]}"
        label = f"gist {parts[0]}" + (f" ({parts[1]})" if len(parts) > 1 else "")
        return _block(f'<p class="gist-link"><a href="{_attr(url)}">{html.escape(label)}</a></p>')


class GistTag(_MarkupTag):
    name = "gist"
    node_class = GistNode


class YoutubeNode(_MarkupNode):
    """``{% youtube id %}`` (jekyll-youtube) → a video link."""

    def output(self, context: RenderContext) -> str:
        ident = self.markup.split()[0].strip("\"'") if self.markup.split() else ""
        return video_link(context, self.token, ident, "youtube")


class YoutubeTag(_MarkupTag):
    name = "youtube"
    node_class = YoutubeNode


TAGS: tuple[type[Tag], ...] = (IncludeTag, IncludeRelativeTag, PostUrlTag, LinkTag, GistTag,
                               YoutubeTag)
