"""Mermaid diagrams: drawn as SVG figures, or shown as captioned source with a warning.

Matches the ``<pre class="diagram-mermaid">`` blocks of :mod:`converter.dialect.diagrams`.
With a renderer on the machine (:func:`converter.diagrams.find_renderer`) all diagrams of the
post are drawn in one Chromium run (cached in ``<cache>/diagrams``) and each becomes
``<figure class="figure diagram"><img src="….svg" alt="mermaid diagram"></figure>``, an
image asset like any other (the image stage sanitises the SVG and gives its text the bundled
fonts). A diagram mermaid rejects is a warning and stays source. Without a renderer each
diagram is ``<figure class="diagram-source"><pre><code class="language-mermaid">…</code>
</pre><figcaption>…</figcaption></figure>``, and the post gets one warning saying how to
enable drawing. Runs after the images transform, so it registers its assets itself.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lxml import etree, html

from ..book import ASSET_ATTRIBUTE
from ..diagrams import HOW_TO_ENABLE, DiagramError, find_renderer
from ..dialect.diagrams import MERMAID_CLASS
from . import TransformContext, transform

_CAPTIONS = {"ko": "Mermaid 다이어그램 (원문)", "en": "Mermaid diagram (source)"}
_SVG_NS = "http://www.w3.org/2000/svg"
_NUMBER = re.compile(r"[-\d.]+")
#: What an XML id may be (an NCName, near enough): mermaid builds ids from node names, and a
#: node called ``131,070`` gives ``flowchart-131,070-6``, which EPUBCheck rejects (RSC-005).
_XML_ID = re.compile(r"[^\W\d][\w.\-]*")


def _cache_dir(ctx: TransformContext) -> Path:
    from ..images.cache import default_cache_dir

    base = ctx.options.cache_dir or default_cache_dir()
    return Path(base) / "diagrams"


def tidy_svg(svg: str) -> bytes:
    """A drawn diagram as a standalone SVG file: size from its viewBox, no ARIA attributes
    (not SVG 1.1, which EPUB checkers hold images to), no percentage width, every id a valid
    XML name (references to a renamed id follow it)."""
    root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False,
                                                                   no_network=True))
    box = [float(n) for n in _NUMBER.findall(root.get("viewBox") or "")]
    if len(box) == 4:
        root.set("width", f"{box[2]:.2f}")
        root.set("height", f"{box[3]:.2f}")
    root.attrib.pop("style", None)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in list(element.attrib):
            if name == "role" or name.startswith("aria-"):
                del element.attrib[name]
    _valid_ids(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _valid_ids(root: etree._Element) -> None:
    """Rename the ids that are not XML names, and the ``#id`` / ``url(#id)`` references to
    them in attributes."""
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    taken = {e.get("id") for e in elements if e.get("id")}
    renamed: dict[str, str] = {}
    for element in elements:
        old = element.get("id")
        if old is None or _XML_ID.fullmatch(old):
            continue
        new = re.sub(r"[^\w.\-]", "_", old)
        if not _XML_ID.match(new):
            new = "_" + new
        while new in taken:
            new += "_"
        taken.add(new)
        renamed[old] = new
        element.set("id", new)
    if not renamed:
        return
    for element in elements:
        for name, value in element.attrib.items():
            if "#" not in value:
                continue
            if value.startswith("#") and value[1:] in renamed:
                element.set(name, "#" + renamed[value[1:]])
            elif "url(#" in value:
                element.set(name, re.sub(
                    r"url\(#([^)]*)\)",
                    lambda m: f"url(#{renamed.get(m.group(1), m.group(1))})", value))


def _source_figure(block: html.HtmlElement, lang: str) -> html.HtmlElement:
    figure = html.Element("figure", {"class": "diagram-source"})
    pre = html.Element("pre")
    code = html.Element("code", {"class": "language-mermaid"})
    code.text = block.text_content()
    pre.append(code)
    figure.append(pre)
    caption = html.Element("figcaption")
    caption.text = _CAPTIONS.get(lang.split("-")[0].lower(), _CAPTIONS["en"])
    figure.append(caption)
    figure.tail = block.tail
    return figure


@transform("diagrams", priority=75)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Draw mermaid blocks, or show them as captioned source with a warning."""
    blocks = [pre for pre in root.iter("pre") if MERMAID_CLASS in (pre.get("class") or "")]
    if not blocks:
        return
    renderer = find_renderer()
    drawn: list[str | DiagramError]
    run_failed = False  # one warning for the run, not one more per diagram
    if renderer is None:
        drawn = [DiagramError("no renderer")] * len(blocks)
        ctx.warn(f"{len(blocks)} mermaid diagram(s) shown as source code: to draw them, "
                 f"{HOW_TO_ENABLE}")
    else:
        sources = [block.text_content() for block in blocks]
        try:
            drawn = renderer.render(sources, _cache_dir(ctx) if ctx.options.cache else None)
        except (DiagramError, OSError) as exc:
            ctx.warn(f"{len(blocks)} mermaid diagram(s) shown as source code: drawing failed "
                     f"({exc})")
            drawn = [DiagramError(str(exc))] * len(blocks)
            run_failed = True
    folder = _cache_dir(ctx) / "svg"
    for block, result in zip(blocks, drawn):
        if isinstance(result, str):
            try:
                data = tidy_svg(result)
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{hashlib.sha256(data).hexdigest()[:32]}.svg"
                if not path.is_file():
                    path.write_bytes(data)
            except (etree.XMLSyntaxError, OSError) as exc:
                result = DiagramError(f"unusable SVG ({exc})")
            else:
                asset = ctx.assets.add(path)
                figure = html.Element("figure", {"class": "figure diagram"})
                img = html.Element("img", {"src": asset.id, ASSET_ATTRIBUTE: asset.id,
                                           "alt": "mermaid diagram"})
                figure.append(img)
                figure.tail = block.tail
                _replace(block, figure)
                continue
        if renderer is not None and not run_failed and isinstance(result, DiagramError):
            ctx.warn(f"mermaid diagram not drawn ({str(result).splitlines()[0][:120]}); "
                     "shown as source code")
        _replace(block, _source_figure(block, ctx.lang))


def _replace(block: html.HtmlElement, new: html.HtmlElement) -> None:
    parent = block.getparent()
    # A lone block inside the highlighter's wrapper replaces the wrapper.
    if parent is not None and parent.tag == "div" and "highlight" in (parent.get("class") or "") \
            and len(parent) == 1 and parent.getparent() is not None:
        new.tail = parent.tail
        parent.getparent().replace(parent, new)
        return
    parent.replace(block, new)
