"""Mermaid diagrams drawn as SVG by mermaid's own JavaScript in the system's headless Chromium.

No Node process and no Puppeteer: a page holding ``mermaid.min.js`` (the npm package
``mermaid``) renders every diagram of a post with ``mermaid.render`` and Chromium's
``--dump-dom`` hands the SVGs back. The renderer is found, not configured:

* ``mermaid.min.js``: ``$HANJI_MERMAID_JS``, else ``node_modules/mermaid/dist/`` in the current
  folder, beside the package, or in npm's global root (``npm root -g``);
* Chromium: ``$HANJI_CHROMIUM`` or ``$PUPPETEER_EXECUTABLE_PATH``, else ``chromium``,
  ``chromium-browser``, ``google-chrome`` on ``PATH``;
* ``HANJI_MERMAID=off`` turns drawing off.

It never reaches the network: the page allows scripts, styles and fonts from local files only
(a Content-Security-Policy), and Chromium runs with background networking off and every host
name unresolvable. Each run is bounded (:data:`TIMEOUT` plus :data:`PER_DIAGRAM` seconds per
diagram; Chromium's process group is killed past it). A batch worker's address-space cap
(``--max-memory``, :func:`converter.lifetime.limit_memory`) is lifted for Chromium, which
reserves far more address space than it uses and cannot start under it. Drawn diagrams are cached on disk by
their source and the mermaid version, so a rebuild starts no browser. Labels are SVG text
(``htmlLabels: false``): the image stage drops ``<foreignObject>``. The bundled Gothic is the
diagram font, so mermaid measures the text the book will show.
This module knows nothing about HTML trees or output formats.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import html

from .lifetime import killed_with_us

log = logging.getLogger("converter")

#: Seconds a Chromium run may take, plus this much per diagram.
TIMEOUT = 40.0
PER_DIAGRAM = 5.0
#: How to enable drawing (for warnings).
HOW_TO_ENABLE = ("install the npm package 'mermaid' (npm install mermaid, or set "
                 "HANJI_MERMAID_JS to its dist/mermaid.min.js) and Chromium")
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src file: \
'unsafe-inline'; style-src 'unsafe-inline'; font-src file:; img-src data:">
<style>@font-face {{ font-family: "hanji-sans"; src: url("{font}"); }}
body {{ font-family: "hanji-sans"; }}</style>
<script src="{script}"></script></head>
<body><pre id="out">pending</pre>
<script>
const sources = {sources};
mermaid.initialize({{startOnLoad: false, securityLevel: "strict", htmlLabels: false,
  flowchart: {{htmlLabels: false}}, fontFamily: "hanji-sans", theme: "neutral"}});
(async () => {{
  const results = [];
  for (let i = 0; i < sources.length; i++) {{
    try {{
      const drawn = await mermaid.render("hanji-diagram-" + i, sources[i]);
      results.push({{svg: drawn.svg}});
    }} catch (error) {{
      results.push({{error: String((error && error.message) || error).slice(0, 300)}});
    }}
  }}
  document.getElementById("out").textContent = JSON.stringify(results);
}})();
</script></body></html>
"""


class DiagramError(RuntimeError):
    """A diagram could not be drawn (its message says why)."""


@dataclass(frozen=True)
class MermaidRenderer:
    """Where mermaid's script and a Chromium live."""

    script: Path
    chromium: str

    @functools.cached_property
    def version(self) -> str:
        package = self.script.parent.parent / "package.json"
        try:
            return str(json.loads(package.read_text(encoding="utf-8")).get("version", "?"))
        except (OSError, ValueError):
            return "?"

    def key(self, source: str) -> str:
        return hashlib.sha256(f"{self.version}|{source}".encode()).hexdigest()[:40]

    def render(self, sources: list[str], cache: Path | None = None) -> list[str | DiagramError]:
        """SVG text (or the error) for each source, through the cache in ``cache``."""
        results: list[str | DiagramError | None] = [None] * len(sources)
        missing: list[int] = []
        for index, source in enumerate(sources):
            path = cache / f"{self.key(source)}.svg" if cache is not None else None
            if path is not None and path.is_file():
                try:
                    results[index] = path.read_text(encoding="utf-8")
                    continue
                except OSError:
                    pass
            missing.append(index)
        if missing:
            drawn = self._run([sources[i] for i in missing])
            for index, result in zip(missing, drawn):
                results[index] = result
                if cache is not None and isinstance(result, str):
                    from .images.cache import write_atomic

                    try:
                        cache.mkdir(parents=True, exist_ok=True)
                        write_atomic(cache / f"{self.key(sources[index])}.svg",
                                     result.encode("utf-8"))
                    except OSError as exc:
                        log.debug("diagram cache not written: %s", exc)
        return [r if r is not None else DiagramError("not drawn") for r in results]

    def _run(self, sources: list[str]) -> list[str | DiagramError]:
        from .fonts import load_manifest

        font = load_manifest()["hanji-sans"].face(400).path.resolve().as_uri()
        with tempfile.TemporaryDirectory(prefix="hanji-mermaid-") as folder:
            page = Path(folder) / "page.html"
            page.write_text(_PAGE.format(font=font, script=self.script.resolve().as_uri(),
                                         sources=json.dumps(sources).replace("</", "<\\/")),
                            encoding="utf-8")
            budget = int((TIMEOUT + PER_DIAGRAM * len(sources)) * 1000)
            command = [self.chromium, "--headless", "--no-sandbox", "--disable-gpu",
                       "--disable-background-networking", "--disable-extensions",
                       "--no-first-run", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
                       f"--user-data-dir={folder}/profile", "--allow-file-access-from-files",
                       f"--virtual-time-budget={budget}", "--dump-dom", page.as_uri()]
            dom = _bounded(command, timeout=TIMEOUT + PER_DIAGRAM * len(sources))
        out = html.fromstring(dom).get_element_by_id("out", None) if dom.strip() else None
        text = out.text_content() if out is not None else ""
        try:
            found = json.loads(text)
        except ValueError:
            raise DiagramError(f"Chromium gave no result ({text[:80]!r})") from None
        return [item["svg"] if "svg" in item else DiagramError(item.get("error", "?"))
                for item in found]


def _bounded(command: list[str], *, timeout: float) -> str:
    """Run ``command`` in its own process group; kill the whole group past ``timeout`` (and
    the program itself if this process is killed meanwhile: no Chromium outlives hanji)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, start_new_session=True,
                               preexec_fn=_child_setup())
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise DiagramError(f"Chromium took more than {timeout:.0f} s") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return out.decode("utf-8", errors="replace")


def _child_setup() -> Callable[[], None]:
    """The ``preexec_fn`` of Chromium: killed with this thread (:func:`killed_with_us`), and
    without the worker's soft address-space cap (Chromium's V8 and partition allocators
    reserve tens of GB of address space: under a 4 GB ``RLIMIT_AS`` it dies printing nothing)."""
    arm = killed_with_us()
    try:
        import resource
    except ImportError:  # not on this platform
        resource = None  # type: ignore[assignment]

    def setup() -> None:
        if arm is not None:
            arm()
        if resource is not None:
            try:
                hard = resource.getrlimit(resource.RLIMIT_AS)[1]
                resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            except (ValueError, OSError):
                pass

    return setup


def _global_npm_root() -> Path | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        done = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=20,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None


def _find_script() -> Path | None:
    explicit = os.environ.get("HANJI_MERMAID_JS")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    relative = Path("node_modules") / "mermaid" / "dist" / "mermaid.min.js"
    for base in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (base / relative).is_file():
            return base / relative
    root = _global_npm_root()
    if root is not None and (root / "mermaid" / "dist" / "mermaid.min.js").is_file():
        return root / "mermaid" / "dist" / "mermaid.min.js"
    return None


def _find_chromium() -> str | None:
    for variable in ("HANJI_CHROMIUM", "PUPPETEER_EXECUTABLE_PATH"):
        value = os.environ.get(variable)
        if value and shutil.which(value):
            return shutil.which(value)
    for name in _CHROMIUM_NAMES:
        if (found := shutil.which(name)) is not None:
            return found
    return None


@functools.lru_cache(maxsize=1)
def _detect(marker: tuple[str | None, ...]) -> MermaidRenderer | None:
    del marker  # part of the cache key only
    if os.environ.get("HANJI_MERMAID", "").lower() in {"off", "0", "no", "false"}:
        return None
    script = _find_script()
    chromium = _find_chromium() if script is not None else None
    if script is None or chromium is None:
        return None
    return MermaidRenderer(script, chromium)


def find_renderer() -> MermaidRenderer | None:
    """The mermaid renderer on this machine, or None (see the module docstring)."""
    marker = tuple(os.environ.get(v) for v in (
        "HANJI_MERMAID", "HANJI_MERMAID_JS", "HANJI_CHROMIUM", "PUPPETEER_EXECUTABLE_PATH"))
    return _detect(marker + (os.getcwd(),))
