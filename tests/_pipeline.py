"""Run one Markdown body through normalize → render_body → apply_transforms, in a tiny site.

Used by the dialect and transform tests: they assert on the HTML tree a post becomes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from conftest import SiteBuilder
from lxml import html

from converter.assemble import image_descriptions, page_variables
from converter.assets import AssetResolver
from converter.book import AssetStore
from converter.dialect import DialectContext, normalize
from converter.kramdown_config import kramdown_options
from converter.options import Options
from converter.post import load_post
from converter.render import render_body, tree_to_string
from converter.site import Site
from converter.transforms import TransformContext, apply_transforms

# A 1×1 PNG: the image transform only needs a file to exist.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082"
)


@dataclass
class Converted:
    """What a post became: the Markdown handed to Python-Markdown, the tree, the warnings."""

    markdown: str
    root: html.HtmlElement
    warnings: list[str]
    flags: dict[str, bool] = field(default_factory=dict)

    @property
    def html(self) -> str:
        return tree_to_string(self.root)

    def find(self, xpath: str) -> list[html.HtmlElement]:
        return self.root.xpath(xpath)


def make_site(root: Path, *, config: dict[str, Any] | None = None,
              images: tuple[str, ...] = (), posts: dict[str, str] | None = None) -> Path:
    """A site folder with ``_config.yml``, image files and extra posts (:class:`SiteBuilder`)."""
    site = SiteBuilder(root, {"title": "블로그", "url": "https://blog.example", "baseurl": "",
                              **(config or {})})
    for image in images:
        site.file(image.lstrip("/"), PNG)
    for name, text in (posts or {}).items():
        site.file(f"_posts/{name}", text)
    return root


def convert(tmp_path: Path, body: str, *, front_matter: str = 'title: "글"',
            config: dict[str, Any] | None = None, images: tuple[str, ...] = (),
            posts: dict[str, str] | None = None, name: str = "2020-01-02-post.md",
            single_dollar_math: bool | None = None) -> Converted:
    """Convert ``body`` (dedented) as the post ``_posts/name`` of a site in ``tmp_path``."""
    root = make_site(tmp_path / "site", config=config, images=images, posts=posts)
    post_path = root / "_posts" / name
    post_path.parent.mkdir(parents=True, exist_ok=True)
    text = textwrap.dedent(body).lstrip("\n")
    post_path.write_text(f"---\n{front_matter}\n---\n{text}", encoding="utf-8")
    post = load_post(post_path)
    site = Site(root=root.resolve(), config=yaml.safe_load((root / "_config.yml").read_text("utf-8")))
    diagnostics = post.warnings
    ctx = DialectContext(site=site.config, page=page_variables(post, site), post_path=post_path,
                         body_line=post.body_line, diagnostics=diagnostics, site_root=site.root,
                         single_dollar_math=single_dollar_math)
    markdown_text = normalize(post.body, ctx)
    tree = render_body(markdown_text)
    tctx = TransformContext(resolver=AssetResolver(site, post_path), assets=AssetStore(),
                            diagnostics=diagnostics, options=Options(), post_path=post_path,
                            kramdown=kramdown_options(site.config),
                            image_descriptions=image_descriptions(post, Options()))
    apply_transforms(tree, tctx)
    return Converted(markdown_text, tree, [str(w) for w in diagnostics.warnings], tctx.flags)


def dialect(text: str, **context: Any) -> str:
    """Only the dialect stage, with a bare context (no site on disk)."""
    ctx = DialectContext(site=context.pop("site", {}), page=context.pop("page", {}), **context)
    return normalize(textwrap.dedent(text).lstrip("\n"), ctx)
