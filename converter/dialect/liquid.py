"""Liquid, run first as Jekyll does, with python-liquid configured like Jekyll's Liquid 4.

Two rules:

``liquid_highlight`` (120)
    ``{% highlight lang [linenos] %}…{% endhighlight %}`` → a fenced code block, before Liquid
    runs, so the code is protected like every other fence.

``liquid`` (100)
    Renders the body with a :class:`JekyllEnvironment`: lax parsing (a bad tag or output is
    dropped, the rest renders), undefined variables render empty, unknown filters pass the
    value through (all as Jekyll does), ``site`` from ``_config.yml`` and ``page`` from the
    front matter (plus ``page.url``, ``page.categories``), Jekyll's tags and includes
    (:mod:`.liquid_tags`) and filters (:mod:`.liquid_filters`). Every problem is a warning
    naming the post and line; unknown tags and includes never reach the output. If rendering
    fails outright, the post keeps its text with the Liquid stripped (and a warning).

Decision — Liquid inside code: Jekyll runs Liquid inside code too, and authors protect code
with ``{% raw %}``, which is honoured everywhere. Beyond that, inside fenced, indented and
inline code an output ``{{ … }}`` is replaced only when it resolves: a ``site.*``/``page.*``
value that is not empty, or a string literal that yields Liquid-looking text (the Vue escape
``{{ "{{ message" }}`` → ``{{ message``). Anything else in code (``{{ message }}``,
``{% if %}`` in a Jinja example) stays as written: a reader of a book wants the code the
author typed, not Jekyll's blanks.
"""

from __future__ import annotations

import datetime as dt
import re
from contextvars import ContextVar
from typing import Any

from liquid import Environment, Mode, StrictDefaultUndefined, Undefined
from liquid.exceptions import LiquidError, LiquidSyntaxError, ResourceLimitError

from . import DialectContext, permalinks, rule
from .liquid_filters import CONTEXT_KEY
from .liquid_filters import register as register_filters
from .liquid_limits import BoundedTemplate, LiquidLimits, limit_message
from .liquid_tags import TAGS, line_of
from .segments import map_outside_code, split_code

# {% highlight lang options %} … {% endhighlight %}, the language being one word.
_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s+(?P<lang>[^\s%]+)[^%]*?-?%\}[ \t]*\n?"
    r"(?P<body>.*?)"
    r"\{%-?\s*endhighlight\s*-?%\}",
    re.DOTALL,
)
# The end of a highlight body: the last line break and any indentation after it.
_TRAILING_BLANK = re.compile(r"\n?[ \t]*\Z")
# Backtick runs, to pick a fence longer than any inside the code.
_BACKTICK_RUN = re.compile(r"`{3,}")
# {% raw %} … {% endraw %} (Liquid keeps its content literally).
_RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.DOTALL)
# The {% raw %} / {% endraw %} markers themselves.
_RAW_MARKERS = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
# One Liquid output on one line: {{ expr }} (lazy, so {{ "{{ x" }} ends at the first }}).
_OUTPUT = re.compile(r"\{\{-?(?P<expr>.*?)-?\}\}")
# One Liquid tag (may span lines): {% name markup %}.
_TAG = re.compile(r"\{%-?\s*(?P<name>\w+)(?P<markup>.*?)-?%\}", re.DOTALL)
# The root of an output expression: a variable name, or a string literal.
_ROOT_NAME = re.compile(r"^\s*(?P<name>[A-Za-z_][\w-]*)")
_STRING_LITERAL = re.compile(r"^\s*(?P<q>[\"']).*?(?P=q)")
# Quoted strings inside an output (removed before looking for filter names).
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
# A filter application: | name
_FILTER_NAME = re.compile(r"\|\s*(?P<name>[A-Za-z_][\w-]*)")
# A placeholder for text Liquid must not see: \ue000 index, the text's newlines, \ue001.
_PLACEHOLDER = re.compile(r"\ue000(?P<index>\d+)\n*\ue001")
# site.* / page.* outputs, for the strip-only fallback.
_SIMPLE_OUTPUT = re.compile(r"\{\{-?\s*(?P<root>site|page)\.(?P<path>[\w.-]+)\s*-?\}\}")
# "unexpected tag 'name'" from python-liquid's parser.
_UNEXPECTED_TAG = re.compile(r"unexpected tag '(?P<name>[^']*)'")

#: Variables that resolve inside code (the rest of a code block's {{ }} stays as written).
_CODE_ROOTS = {"site", "page", "jekyll"}
#: Render attempts: each lexer error (an unclosed {{ or {%) escapes one spot and retries.
_MAX_ATTEMPTS = 20

_ERRORS: ContextVar[list[LiquidError] | None] = ContextVar("hanji_liquid_errors", default=None)


class JekyllEnvironment(Environment):
    """python-liquid set up as Jekyll's Liquid: lax, Jekyll tags and filters, with the
    resource limits of :class:`LiquidLimits`.

    With ``strict=True`` (used to evaluate outputs inside code) undefined variables and errors
    raise instead, so "does this resolve?" has a clear answer. A resource limit always raises
    (lax mode would skip the node and go on, spending the budget again on the next one).
    """

    template_class = BoundedTemplate

    def __init__(self, *, strict: bool = False, limits: LiquidLimits | None = None) -> None:
        self.limits = limits or LiquidLimits()
        # python-liquid reads its limits as attributes of the environment.
        self.loop_iteration_limit = self.limits.loops  # type: ignore[misc]
        self.output_stream_limit = self.limits.output  # type: ignore[misc]
        self.local_namespace_limit = self.limits.namespace  # type: ignore[misc]
        self.context_depth_limit = self.limits.depth  # type: ignore[misc]
        self.block_nesting_limit = self.limits.depth  # type: ignore[misc]
        super().__init__(
            tolerance=Mode.STRICT if strict else Mode.LAX,
            undefined=StrictDefaultUndefined if strict else Undefined,
            strict_filters=strict,
        )
        for tag in TAGS:
            self.add_tag(tag)
        register_filters(self)

    def error(self, exc: Any, msg: str | None = None, token: Any = None) -> None:
        """Collect lax-mode errors for the post being rendered (they become warnings)."""
        if not isinstance(exc, LiquidError):
            exc = exc(msg, token=token)
        elif not exc.token:
            exc.token = token
        if self.mode == Mode.STRICT or isinstance(exc, ResourceLimitError):
            raise exc
        sink = _ERRORS.get()
        if sink is not None:
            sink.append(exc)


_environments: dict[tuple[bool, LiquidLimits], JekyllEnvironment] = {}


def environment(*, strict: bool = False, limits: LiquidLimits | None = None) -> JekyllEnvironment:
    """The shared environment for these limits (built on first use)."""
    key = (strict, limits or LiquidLimits())
    env = _environments.get(key)
    if env is None:
        env = _environments[key] = JekyllEnvironment(strict=strict, limits=key[1])
    return env


def render_globals(ctx: DialectContext) -> dict[str, Any]:
    """``site``, ``page`` and ``jekyll`` as the post sees them."""
    site: dict[str, Any] = dict(ctx.site)
    site.setdefault("url", "")
    site.setdefault("baseurl", "")
    site.setdefault("time", dt.datetime.now())
    page: dict[str, Any] = dict(ctx.page)
    page.setdefault("categories", permalinks.categories_of(ctx.page, ctx.post_path, ctx.site_root))
    page.setdefault("tags", [])
    if ctx.post_path is not None:
        page.setdefault("url", permalinks.permalink(front_matter=ctx.page, source=ctx.post_path,
                                                    site=ctx.site, site_root=ctx.site_root))
    page.setdefault("content", "")
    return {"site": site, "page": page, "jekyll": {"environment": "production"},
            CONTEXT_KEY: ctx}


# --- highlight ---------------------------------------------------------------------------


def _highlight_to_fence(match: re.Match[str]) -> str:
    # The body without the line break (and indentation) before {% endhighlight %}.
    body = _TRAILING_BLANK.sub("", match.group("body"))
    # A fence longer than any backtick run in the code, so the code cannot close it.
    longest = max((len(run) for run in _BACKTICK_RUN.findall(body)), default=2)
    fence = "`" * max(3, longest + 1)
    # A fence must start its own line; the tag may follow text on its line.
    line_start = match.string.rfind("\n", 0, match.start()) + 1
    before = match.string[line_start:match.start()]
    lead, indent = ("\n", "") if before.strip() else ("", before)
    # …and end its line: text after {% endhighlight %} moves to the next one.
    trail = "\n" if match.string[match.end():].split("\n", 1)[0].strip() else ""
    return f"{lead}{fence}{match.group('lang')}\n{body}\n{indent}{fence}{trail}"


@rule("liquid_highlight", priority=120)
def liquid_highlight(text: str, ctx: DialectContext) -> str:
    """``{% highlight lang %}…{% endhighlight %}`` → a fenced code block (options dropped)."""
    if "highlight" not in text:
        return text
    return map_outside_code(text, lambda part: _HIGHLIGHT.sub(_highlight_to_fence, part))


# --- code protection ---------------------------------------------------------------------


class _Protector:
    """Replaces text Liquid must leave alone with placeholders, and puts it back."""

    def __init__(self, globals_: dict[str, Any]) -> None:
        self.store: list[str] = []
        self.globals = globals_

    def hide(self, text: str, *, source: str | None = None) -> str:
        """A placeholder for ``text``, standing where ``source`` (default: ``text``) stood."""
        self.store.append(text)
        # The placeholder keeps the source's newlines so warning line numbers stay right.
        newlines = (text if source is None else source).count("\n")
        return f"\ue000{len(self.store) - 1}" + "\n" * newlines + "\ue001"

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.store[int(m.group("index"))], text)

    def resolve_in_code(self, expr: str) -> str | None:
        """The value of ``{{ expr }}`` inside code, or None to keep it as written."""
        root = _ROOT_NAME.match(expr)
        literal = _STRING_LITERAL.match(expr)
        if not (root and root.group("name") in _CODE_ROOTS) and not literal:
            return None
        try:
            value = environment(strict=True).from_string("{{" + expr + "}}").render(**self.globals)
        except Exception:  # noqa: BLE001 - anything unresolvable stays as written
            return None
        if not value:
            return None
        if literal and not root and "{{" not in value and "{%" not in value:
            return None
        return value

    def code(self, part: str) -> str:
        """Protect a code piece: raw blocks go to Liquid, everything else is decided here."""
        out: list[str] = []
        pos = 0
        for raw in _RAW_BLOCK.finditer(part):
            out.append(self._code_outside_raw(part[pos:raw.start()]))
            out.append(raw.group())
            pos = raw.end()
        out.append(self._code_outside_raw(part[pos:]))
        return "".join(out)

    def _code_outside_raw(self, part: str) -> str:
        def output(match: re.Match[str]) -> str:
            value = self.resolve_in_code(match.group("expr"))
            return self.hide(match.group() if value is None else value, source=match.group())

        def tag(match: re.Match[str]) -> str:
            if match.group("name") in {"raw", "endraw"}:
                return match.group()
            return self.hide(match.group())

        part = _OUTPUT.sub(output, part)
        return _TAG.sub(tag, part)


def _protect(text: str, protector: _Protector) -> str:
    # Code inside a {% raw %} block that wraps it (``{% raw %}\n```liquid … ```\n{% endraw %}``)
    # is Liquid's to keep literally: left alone here.
    raw_spans = [(m.start(), m.end()) for m in _RAW_BLOCK.finditer(text)]
    out: list[str] = []
    pos = 0
    for is_code, part in split_code(text, inline=True):
        start, pos = pos, pos + len(part)
        inside_raw = any(a <= start and pos <= b for a, b in raw_spans)
        out.append(protector.code(part) if is_code and not inside_raw else part)
    return "".join(out)


# --- rendering ---------------------------------------------------------------------------


def _warn_unknown_filters(text: str, ctx: DialectContext) -> None:
    """Jekyll ignores unknown filters silently; say so, since the output may be wrong."""
    known = environment().filters
    for match in _OUTPUT.finditer(text):
        for name in _FILTER_NAME.finditer(_QUOTED.sub("", match.group("expr"))):
            if name.group("name") not in known:
                line = text.count("\n", 0, match.start()) + 1
                ctx.warn(f"unknown Liquid filter {name.group('name')!r} ignored", line=line)


def _message(error: LiquidError) -> str:
    unexpected = _UNEXPECTED_TAG.search(str(error.message))
    if unexpected:
        name = unexpected.group("name")
        if name.startswith("end"):
            return f"Liquid {{% {name} %}} without its opening tag dropped"
        return f"unknown Liquid tag {{% {name} %}} dropped"
    return f"Liquid: {error.message}"


def _strip_liquid(text: str, protector: _Protector) -> str:
    """The text without Liquid: raw content kept, site/page outputs looked up, the rest gone."""

    def lookup(match: re.Match[str]) -> str:
        value: Any = protector.globals.get(match.group("root"), {})
        for part in match.group("path").split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return "" if value is None else str(value)

    # Raw content is literal: hide it from the removals below.
    text = _RAW_BLOCK.sub(lambda m: protector.hide(_RAW_MARKERS.sub("", m.group())), text)
    text = _SIMPLE_OUTPUT.sub(lookup, text)
    text = _OUTPUT.sub("", text)
    return _TAG.sub("", text)


def render_liquid(text: str, ctx: DialectContext) -> str:
    """Render ``text`` (a post body) as Jekyll would, reporting problems on ``ctx``."""
    globals_ = render_globals(ctx)
    protector = _Protector(globals_)
    source = _protect(text, protector)
    _warn_unknown_filters(source, ctx)
    limits = LiquidLimits.of(ctx.options)
    for _ in range(_MAX_ATTEMPTS):
        errors: list[LiquidError] = []
        token = _ERRORS.set(errors)
        try:
            rendered = environment(limits=limits).from_string(source).render(**globals_)
        except ResourceLimitError as exc:
            # Too much work (a loop of millions, a string doubled forty times): degrade.
            ctx.warn(limit_message(exc, limits), line=line_of(exc.token))
            return protector.restore(_strip_liquid(source, protector))
        except RecursionError:
            ctx.warn("Liquid nested too deeply; Liquid stripped")
            return protector.restore(_strip_liquid(source, protector))
        except LiquidSyntaxError as exc:
            # The lexer stops at an unclosed {{ or {%: show that spot literally and retry.
            where = exc.token.start_index if exc.token is not None else -1
            line = line_of(exc.token)
            if where < 0 or not source.startswith(("{{", "{%"), where):
                ctx.warn(f"Liquid failed ({exc.message}); Liquid stripped", line=line)
                return protector.restore(_strip_liquid(source, protector))
            ctx.warn(f"Liquid: {exc.message}; kept as text", line=line)
            source = source[:where] + protector.hide(source[where:where + 2]) + source[where + 2:]
            continue
        except MemoryError:
            raise  # the process's memory limit: the post fails, saying so
        except Exception as exc:  # noqa: BLE001 - one post's Liquid must never stop a build
            ctx.warn(f"Liquid failed ({exc}); Liquid stripped")
            return protector.restore(_strip_liquid(source, protector))
        finally:
            _ERRORS.reset(token)
        for error in errors:
            ctx.warn(_message(error), line=line_of(error.token))
        return protector.restore(rendered)
    ctx.warn("Liquid failed (too many syntax errors); Liquid stripped")
    return protector.restore(_strip_liquid(source, protector))


@rule("liquid", priority=100)
def liquid(text: str, ctx: DialectContext) -> str:
    """Render the post's Liquid (see the module docstring for what is supported)."""
    if "{{" not in text and "{%" not in text:
        return text
    return render_liquid(text, ctx)
