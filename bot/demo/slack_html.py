"""Recorded Slack messages as one self-contained HTML page that looks like Slack shows them.

Everything that came from a message is data: Slack's own escapes (&amp; &lt; &gt;) are undone,
then every piece of text is HTML-escaped here, and the only markup on the page is the fixed
set of tags this module writes. Links get an href only for http and https.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import quote

__all__ = ["Conversation", "render_page"]


@dataclass(frozen=True)
class Conversation:
    """One channel, group DM or DM, and its messages in ts order."""

    channel_id: str
    title: str  # e.g. "#people-team", "Ana Lima, Ben Okafor", "DM with Ana Lima"
    messages: Sequence[Mapping[str, Any]]


_NO_IMAGES: Final[Mapping[str, str]] = MappingProxyType({})

# The shortcodes the app's copy uses, and a few common ones, drawn as Slack would; the rest
# stay as text.
EMOJI: Final[Mapping[str, str]] = MappingProxyType(
    {
        "tada": "🎉",
        "wave": "👋",
        "white_check_mark": "✅",
        "calendar": "📆",
        "speech_balloon": "💬",
        "chart_with_upwards_trend": "📈",
        "warning": "⚠️",
        "zap": "⚡",
        "sparkles": "✨",
        "hourglass_flowing_sand": "⏳",
        "thought_balloon": "💭",
        "seedling": "🌱",
        "memo": "📝",
        "fast_forward": "⏩",
        "dart": "🎯",
        "checkered_flag": "🏁",
        "thumbsup": "👍",
        "+1": "👍",
    }
)

_AVATAR_COLOURS: Final = ("#4a154b", "#1264a3", "#2bac76", "#e8912d", "#cd2553", "#0b4c8c")

_CSS: Final = """
*{box-sizing:border-box}
body{margin:0;display:flex;font:15px/1.46 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,
Helvetica,Arial,sans-serif;color:#1d1c1d;background:#fff}
nav{width:240px;flex:none;background:#3f0e40;color:#cfc3cf;height:100vh;position:sticky;top:0;
overflow-y:auto;padding:12px 0}
nav h1{font-size:17px;color:#fff;margin:0 16px 12px}
nav ul{list-style:none;margin:0;padding:0}
nav a{display:block;padding:4px 16px;color:#cfc3cf;text-decoration:none;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
nav a:hover{background:#350d36;color:#fff}
main{flex:1;min-width:0}
section.conv{border-bottom:8px solid #f4ede4}
section.conv>h2{margin:0;padding:12px 20px;font-size:18px;border-bottom:1px solid #ddd;
position:sticky;top:0;background:#fff;z-index:1}
.empty{padding:12px 20px;color:#616061}
.msg{display:flex;gap:8px;padding:8px 20px}
.msg:hover{background:#f8f8f8}
.avatar{width:36px;height:36px;flex:none;border-radius:6px;color:#fff;font-weight:700;
font-size:14px;display:flex;align-items:center;justify-content:center}
.body{flex:1;min-width:0}
.who{font-weight:900}
.app{font-size:10px;font-weight:700;color:#616061;background:#e8e8e8;border-radius:2px;
padding:1px 3px;margin-left:4px;vertical-align:2px}
.time,.edited{color:#616061;font-size:12px;margin-left:6px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.thread{margin:4px 0 0;border-left:2px solid #ddd;padding-left:4px}
.thread>.count{color:#1264a3;font-weight:700;font-size:13px;padding:2px 16px}
.thread .msg{padding:6px 16px}
.orphan{color:#616061;font-size:12px}
a{color:#1264a3;text-decoration:none}
code{font:12px Menlo,Consolas,monospace;color:#e01e5a;background:#f8f8f8;border:1px solid #e8e8e8;
border-radius:3px;padding:1px 3px}
pre{font:12px/1.5 Menlo,Consolas,monospace;background:#f8f8f8;border:1px solid #e8e8e8;
border-radius:4px;padding:8px;margin:4px 0;white-space:pre-wrap}
blockquote{margin:4px 0;padding-left:12px;border-left:4px solid #ddd}
ul.md,ol.md{margin:2px 0;padding-left:24px}
.mention{color:#1264a3;background:#e8f5fa;border-radius:3px;padding:0 2px}
.b-header{font-size:18px;font-weight:900;margin:6px 0}
.b-section{display:flex;gap:12px;margin:4px 0}
.b-section>.main{flex:1;min-width:0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:8px 16px;margin-top:4px}
.b-context{display:flex;flex-wrap:wrap;align-items:center;gap:6px;color:#616061;font-size:12px;
margin:4px 0}
hr.b-divider{border:none;border-top:1px solid #ddd;margin:8px 0}
.b-actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.btn,.select,.picker,.overflow{display:inline-block;border:1px solid #bbb;border-radius:4px;
padding:3px 12px;font-size:13px;font-weight:700;background:#fff;color:#1d1c1d;cursor:default}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}
.select,.picker{font-weight:400}
.select::after{content:" ▾";color:#616061}
.placeholder{color:#868686}
.picture{border:1px solid #ddd;border-radius:6px;background:#f4f4f4;color:#616061;
font-size:12px;display:inline-flex;align-items:center;justify-content:center;padding:6px}
.b-image .picture{min-width:240px;min-height:120px}
.accessory .picture{width:72px;height:72px}
.b-context .picture{padding:0 4px;height:20px}
.picture-img{max-width:360px;max-height:240px;border-radius:6px}
.b-context .picture-img{height:20px}
.b-image .title{font-size:13px;color:#616061}
.file-img{max-width:480px;max-height:360px;border:1px solid #ddd;border-radius:8px;display:block;
margin:4px 0}
.file-card{display:inline-block;border:1px solid #ddd;border-radius:8px;padding:8px 12px;
margin:4px 0}
.file-card .kind{color:#616061;font-size:12px}
.attachment{border-left:4px solid #ddd;padding-left:10px;margin:4px 0}
.note{color:#868686;font-size:12px}
""".strip()

_SLACK_ENTITIES: Final = re.compile(r"&(amp|lt|gt);")
_ENTITY_CHARS: Final = {"amp": "&", "lt": "<", "gt": ">"}
_SHORTCODE: Final = re.compile(r":([a-z0-9_+\-]+):")
_FENCE: Final = "```"

# mrkdwn inline syntax, leftmost first. Emphasis markers count only at word edges, as in Slack.
_INLINE: Final = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<control><[^<>\n]+>)"
    r"|(?<![\w*])\*(?P<bold>\S(?:[^*\n]*\S)?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>\S(?:[^_\n]*\S)?)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>\S(?:[^~\n]*\S)?)~(?![\w~])"
)
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_QUOTE_REST: Final = re.compile(r"^(?:>>>|&gt;&gt;&gt;) ?")
_QUOTE: Final = re.compile(r"^(?:>|&gt;) ?")
_BULLET: Final = re.compile(r"^(\s*)[•◦▪\-] +")


def _esc(words: str) -> str:
    return html.escape(words, quote=True)


def _unescape(words: str) -> str:
    """Undo Slack's three escapes (and only those), in one pass so "&amp;lt;" stays "&lt;"."""
    return _SLACK_ENTITIES.sub(lambda m: _ENTITY_CHARS[m.group(1)], words)


def _emoji(words: str) -> str:
    return _SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), words)


def _text(words: str) -> str:
    """Plain words from a message: shortcodes shown, then escaped for HTML."""
    return _esc(_emoji(words))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def _strs(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []


def _safe_href(url: str) -> str | None:
    """The URL when a browser may follow it from this page: http and https only."""
    lowered = url.strip().lower()
    return url.strip() if lowered.startswith(("http://", "https://")) else None


def _note(kind: str, what: str) -> str:
    return f'<span class="note">[{_esc(kind)} {_esc(what or "?")}]</span>'


@dataclass(frozen=True)
class _Context:
    names: Mapping[str, str]
    images: Mapping[str, str]

    def person(self, user_id: str) -> str:
        return self.names.get(user_id, user_id)

    def image_src(self, file_id: str) -> str | None:
        path = self.images.get(file_id)
        if path is None:
            return None
        # Percent-quoting leaves no ":" for a scheme; a leading slash would leave the folder.
        if path.startswith(("/", "\\")):
            raise ValueError(f"image paths must be relative: {path!r}")
        return quote(path, safe="/._-~")


# ----------------------------------------------------------------------------- mrkdwn


def _control(inner: str, ctx: _Context, *, markup: bool) -> str:
    """One <...> sequence: a mention, channel, special mention or link."""
    target, _, label = inner.partition("|")
    label = _unescape(label)
    shown: str
    if target.startswith("@"):
        user_id = target[1:]
        shown = "@" + (ctx.names.get(user_id) or label or user_id)
    elif target.startswith("#"):
        channel_id = target[1:]
        shown = "#" + (label or ctx.names.get(channel_id) or channel_id)
    elif target.startswith("!"):
        command = target[1:]
        if command in ("here", "channel", "everyone"):
            shown = "@" + command
        elif command.startswith("subteam^"):
            shown = label or "@" + command.removeprefix("subteam^")
        else:  # dates and the like carry their own fallback text
            shown = label or command
    elif not _SCHEME.match(target):
        # Not a control Slack would send (it escapes a typed "<"): shown as typed.
        return _esc(_unescape(f"<{inner}>"))
    else:
        url = _unescape(target)
        words = label or url
        href = _safe_href(url)
        # A bare URL is shown as it is; only a label gets its shortcodes drawn.
        shown_words = _text(words) if label else _esc(words)
        if not markup or href is None:
            return shown_words
        return f'<a href="{_esc(href)}" rel="noopener noreferrer">{shown_words}</a>'
    if not markup:
        return _esc(shown)
    return f'<span class="mention">{_esc(shown)}</span>'


def _inline(raw: str, ctx: _Context) -> str:
    """One line of mrkdwn (still in Slack's escaping) as HTML."""
    out: list[str] = []
    at = 0
    for found in _INLINE.finditer(raw):
        out.append(_text(_unescape(raw[at : found.start()])))
        at = found.end()
        if found.group("code") is not None:
            out.append(f"<code>{_plain_controls(found.group('code')[1:-1], ctx)}</code>")
        elif found.group("control") is not None:
            out.append(_control(found.group("control")[1:-1], ctx, markup=True))
        elif found.group("bold") is not None:
            out.append(f"<b>{_inline(found.group('bold'), ctx)}</b>")
        elif found.group("italic") is not None:
            out.append(f"<i>{_inline(found.group('italic'), ctx)}</i>")
        else:
            out.append(f"<s>{_inline(found.group('strike'), ctx)}</s>")
    out.append(_text(_unescape(raw[at:])))
    return "".join(out)


_CONTROL: Final = re.compile(r"<([^<>\n]+)>")


def _plain_controls(raw: str, ctx: _Context) -> str:
    """Code: no formatting, but mentions and links still read as names and words."""
    out: list[str] = []
    at = 0
    for found in _CONTROL.finditer(raw):
        out.append(_esc(_unescape(raw[at : found.start()])))
        out.append(_control(found.group(1), ctx, markup=False))
        at = found.end()
    out.append(_esc(_unescape(raw[at:])))
    return "".join(out)


def _lines(lines: list[str], ctx: _Context) -> str:
    """Lines outside code fences: quotes and bullet runs grouped, the rest joined by <br>."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _QUOTE_REST.match(line):  # ">>>" quotes everything after it
            rest = [_QUOTE_REST.sub("", line, count=1), *lines[i + 1 :]]
            out.append(f"<blockquote>{_lines(rest, ctx)}</blockquote>")
            break
        if _QUOTE.match(line):
            quoted: list[str] = []
            while i < len(lines) and _QUOTE.match(lines[i]):
                quoted.append(_QUOTE.sub("", lines[i], count=1))
                i += 1
            out.append(f"<blockquote>{_lines(quoted, ctx)}</blockquote>")
            continue
        if _BULLET.match(line):
            items: list[str] = []
            while i < len(lines) and _BULLET.match(lines[i]):
                items.append(f"<li>{_inline(_BULLET.sub('', lines[i], count=1), ctx)}</li>")
                i += 1
            out.append(f'<ul class="md">{"".join(items)}</ul>')
            continue
        if out and not out[-1].endswith(("</blockquote>", "</ul>")):
            out.append("<br>")
        out.append(_inline(line, ctx))
        i += 1
    return "".join(out)


def _mrkdwn(raw: str, ctx: _Context) -> str:
    """A mrkdwn string, as Slack sends it, as HTML."""
    out: list[str] = []
    parts = raw.split(_FENCE)
    # Even parts are prose, odd parts were between ``` fences (an unclosed fence stays text).
    if len(parts) % 2 == 0:
        parts = [*parts[:-2], parts[-2] + _FENCE + parts[-1]]
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<pre>{_plain_controls(part.strip(chr(10)), ctx)}</pre>")
        elif part:
            lines = part.split("\n")
            if index > 0 and lines and lines[0] == "":
                lines = lines[1:]  # the newline that closed a fence
            if index < len(parts) - 1 and lines and lines[-1] == "":
                lines = lines[:-1]
            out.append(_lines(lines, ctx))
    return "".join(out)


# ----------------------------------------------------------------------------- Block Kit


def _text_object(obj: Any, ctx: _Context) -> str:
    if not isinstance(obj, Mapping):
        return ""
    words = _str(obj.get("text"))
    if obj.get("type") == "mrkdwn":
        return _mrkdwn(words, ctx)
    if obj.get("emoji") is False:
        return _esc(_unescape(words))
    return _text(_unescape(words))


def _picture(alt: str, file_id: str | None, ctx: _Context, css: str = "picture") -> str:
    """An image from a block: the page loads nothing from outside, so a placeholder unless
    the image is a Slack file the caller gave a local copy of."""
    src = ctx.image_src(file_id) if file_id else None
    if src is not None:
        return f'<img class="{css}-img" src="{_esc(src)}" alt="{_esc(alt)}">'
    return f'<span class="{css}" title="{_esc(alt)}">🖼 {_esc(alt or "image")}</span>'


def _slack_file_id(obj: Mapping[str, Any]) -> str | None:
    slack_file = obj.get("slack_file")
    if isinstance(slack_file, Mapping):
        return _str(slack_file.get("id")) or None
    return None


def _option_text(option: Any, ctx: _Context) -> str:
    if isinstance(option, Mapping):
        return _text_object(option.get("text"), ctx)
    return ""


def _element(element: Mapping[str, Any], ctx: _Context) -> str:
    """An interactive element, drawn as an inert control."""
    kind = _str(element.get("type"))
    placeholder = _text_object(element.get("placeholder"), ctx)
    if kind == "button":
        style = _str(element.get("style"))
        css = f"btn {style}" if style in ("primary", "danger") else "btn"
        return f'<span class="{css}">{_text_object(element.get("text"), ctx)}</span>'
    if kind == "overflow":
        return '<span class="overflow" title="More actions">⋯</span>'
    if kind.endswith("_select"):
        initial = element.get("initial_option")
        chosen = [_option_text(initial, ctx)] if initial else []
        chosen += [_option_text(o, ctx) for o in _dicts(element.get("initial_options"))]
        for key, prefix in (
            ("initial_user", "@"),
            ("initial_channel", "#"),
            ("initial_conversation", "#"),
        ):
            if _str(element.get(key)):
                chosen.append(_esc(prefix + ctx.person(_str(element.get(key)))))
        for user_id in _strs(element.get("initial_users")):
            chosen.append(_esc("@" + ctx.person(user_id)))
        shown = (
            ", ".join(c for c in chosen if c) or f'<span class="placeholder">{placeholder}</span>'
        )
        return f'<span class="select">{shown}</span>'
    if kind in ("datepicker", "timepicker", "datetimepicker"):
        value = _str(element.get("initial_date") or element.get("initial_time"))
        if value:
            return f'<span class="picker">📅 {_esc(value)}</span>'
        return f'<span class="picker">📅 <span class="placeholder">{placeholder}</span></span>'
    if kind in ("checkboxes", "radio_buttons"):
        mark = "☐" if kind == "checkboxes" else "○"
        options = [f"{mark} {_option_text(o, ctx)}" for o in _dicts(element.get("options"))]
        return f'<span class="picker">{"<br>".join(options)}</span>'
    if kind == "image":
        return _picture(_str(element.get("alt_text")), _slack_file_id(element), ctx)
    return _note("element", kind)


def _section(block: Mapping[str, Any], ctx: _Context) -> str:
    main = _text_object(block.get("text"), ctx)
    fields = _dicts(block.get("fields"))
    if fields:
        cells = "".join(f"<div>{_text_object(f, ctx)}</div>" for f in fields)
        main += f'<div class="fields">{cells}</div>'
    accessory = block.get("accessory")
    side = (
        f'<div class="accessory">{_element(accessory, ctx)}</div>'
        if isinstance(accessory, Mapping)
        else ""
    )
    return f'<div class="b-section"><div class="main">{main}</div>{side}</div>'


def _context_block(block: Mapping[str, Any], ctx: _Context) -> str:
    parts: list[str] = []
    for element in _dicts(block.get("elements")):
        if element.get("type") == "image":
            parts.append(_picture(_str(element.get("alt_text")), _slack_file_id(element), ctx))
        elif element.get("type") in ("mrkdwn", "plain_text"):
            parts.append(f"<span>{_text_object(element, ctx)}</span>")
        else:
            parts.append(_note("element", _str(element.get("type"))))
    return f'<div class="b-context">{"".join(parts)}</div>'


def _actions(block: Mapping[str, Any], ctx: _Context) -> str:
    controls = "".join(_element(e, ctx) for e in _dicts(block.get("elements")))
    return f'<div class="b-actions">{controls}</div>'


def _image_block(block: Mapping[str, Any], ctx: _Context) -> str:
    title = block.get("title")
    heading = f'<div class="title">{_text_object(title, ctx)}</div>' if title else ""
    picture = _picture(_str(block.get("alt_text")), _slack_file_id(block), ctx)
    return f'<div class="b-image">{heading}{picture}</div>'


def _rich_inline(element: Mapping[str, Any], ctx: _Context, *, pre: bool = False) -> str:
    """One element of a rich_text section: structured, so its text is taken as it is.
    Newlines are line breaks, except in <pre>, which keeps them itself."""
    kind = _str(element.get("type"))
    if kind == "text":
        shown = _esc(_str(element.get("text")))
        if not pre:
            shown = shown.replace("\n", "<br>")
    elif kind == "link":
        url = _str(element.get("url"))
        words = _esc(_str(element.get("text")) or url)
        href = _safe_href(url)
        shown = (
            f'<a href="{_esc(href)}" rel="noopener noreferrer">{words}</a>'
            if href is not None
            else words
        )
    elif kind == "user":
        return (
            f'<span class="mention">{_esc("@" + ctx.person(_str(element.get("user_id"))))}</span>'
        )
    elif kind == "channel":
        channel_id = _str(element.get("channel_id"))
        return f'<span class="mention">{_esc("#" + ctx.person(channel_id))}</span>'
    elif kind == "usergroup":
        return f'<span class="mention">{_esc("@" + _str(element.get("usergroup_id")))}</span>'
    elif kind == "broadcast":
        return f'<span class="mention">{_esc("@" + _str(element.get("range")))}</span>'
    elif kind == "date":
        return _esc(_str(element.get("fallback")) or str(element.get("timestamp", "")))
    elif kind == "color":
        return _esc(_str(element.get("value")))
    elif kind == "emoji":
        name = _str(element.get("name"))
        return _esc(EMOJI.get(name, f":{name}:"))
    else:
        return _note("element", kind)
    style = element.get("style")
    if isinstance(style, Mapping):
        for key, tag in (("code", "code"), ("strike", "s"), ("italic", "i"), ("bold", "b")):
            if style.get(key):
                shown = f"<{tag}>{shown}</{tag}>"
    return shown


def _rich_elements(elements: Any, ctx: _Context, *, pre: bool = False) -> str:
    return "".join(_rich_inline(e, ctx, pre=pre) for e in _dicts(elements))


def _rich_part(part: Mapping[str, Any], ctx: _Context) -> str:
    kind = _str(part.get("type"))
    if kind == "rich_text_section":
        return f"<div>{_rich_elements(part.get('elements'), ctx)}</div>"
    if kind == "rich_text_quote":
        return f"<blockquote>{_rich_elements(part.get('elements'), ctx)}</blockquote>"
    if kind == "rich_text_preformatted":
        return f"<pre>{_rich_elements(part.get('elements'), ctx, pre=True)}</pre>"
    if kind == "rich_text_list":
        tag = "ol" if part.get("style") == "ordered" else "ul"
        indent = part.get("indent")
        depth = indent if isinstance(indent, int) and 0 < indent < 10 else 0
        items = "".join(
            f"<li>{_rich_elements(item.get('elements'), ctx)}</li>"
            for item in _dicts(part.get("elements"))
        )
        return f'<{tag} class="md" style="margin-left:{depth * 24}px">{items}</{tag}>'
    return _note("rich text", kind)


def _rich_text(block: Mapping[str, Any], ctx: _Context) -> str:
    parts = "".join(_rich_part(p, ctx) for p in _dicts(block.get("elements")))
    return f'<div class="b-rich text">{parts}</div>'


_BLOCKS: Final[Mapping[str, Callable[[Mapping[str, Any], _Context], str]]] = MappingProxyType(
    {
        "header": lambda b, c: f'<div class="b-header">{_text_object(b.get("text"), c)}</div>',
        "section": _section,
        "context": _context_block,
        "divider": lambda b, c: '<hr class="b-divider">',
        "actions": _actions,
        "image": _image_block,
        "rich_text": _rich_text,
    }
)


def _blocks(blocks: Sequence[Mapping[str, Any]], ctx: _Context) -> str:
    out: list[str] = []
    for block in blocks:
        kind = _str(block.get("type"))
        draw = _BLOCKS.get(kind)
        out.append(f"<div>{_note('block', kind)}</div>" if draw is None else draw(block, ctx))
    return "".join(out)


# ----------------------------------------------------------------------------- messages


# English names whatever the locale, so the page is the same everywhere.
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# fmt: off
_MONTHS: Final = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)
# fmt: on


def _clock(ts: str) -> str:
    try:
        when = datetime.fromtimestamp(float(ts), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return ts
    return f"{_DAYS[when.weekday()]} {when.day} {_MONTHS[when.month - 1]} {when:%H:%M}"


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s._-]+", name) if w]
    letters = "".join(w[0] for w in words[:2]).upper()
    return letters or "?"


def _colour(key: str) -> str:
    # A hash of the id, not hash(): the same page on every run.
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return _AVATAR_COLOURS[digest[0] % len(_AVATAR_COLOURS)]


def _sender(message: Mapping[str, Any], ctx: _Context) -> tuple[str, str, bool]:
    """(name, key for the avatar colour, is the app)."""
    profile = message.get("bot_profile")
    user_id = _str(message.get("user"))
    if isinstance(profile, Mapping) or message.get("bot_id"):
        bot_id = _str(message.get("bot_id"))
        if isinstance(profile, Mapping):
            bot_id = _str(profile.get("id")) or bot_id
            profile_name = _str(profile.get("name"))
        else:
            profile_name = ""
        name = ctx.names.get(bot_id) or profile_name or ctx.names.get(user_id) or "App"
        return name, bot_id or name, True
    return ctx.person(user_id) if user_id else "Someone", user_id, False


def _files(files: Sequence[Mapping[str, Any]], ctx: _Context) -> str:
    out: list[str] = []
    for file in files:
        file_id = _str(file.get("id"))
        title = _str(file.get("title")) or _str(file.get("name")) or file_id
        src = ctx.image_src(file_id)
        if src is not None:
            out.append(f'<img class="file-img" src="{_esc(src)}" alt="{_esc(title)}">')
            continue
        name = _str(file.get("name"))
        kind = _str(file.get("pretty_type")) or _str(file.get("filetype")) or "File"
        detail = f" · {_esc(name)}" if name and name != title else ""
        out.append(
            f'<div class="file-card"><div>📄 <b>{_esc(title)}</b></div>'
            f'<div class="kind">{_esc(kind)}{detail}</div></div>'
        )
    return "".join(out)


def _attachments(attachments: Sequence[Mapping[str, Any]], ctx: _Context) -> str:
    out: list[str] = []
    for attachment in attachments:
        inner = ""
        if attachment.get("pretext"):
            inner += f"<div>{_mrkdwn(_str(attachment.get('pretext')), ctx)}</div>"
        blocks = _dicts(attachment.get("blocks"))
        if blocks:
            inner += _blocks(blocks, ctx)
        else:
            if attachment.get("title"):
                inner += f"<div><b>{_text(_unescape(_str(attachment.get('title'))))}</b></div>"
            words = _str(attachment.get("text")) or _str(attachment.get("fallback"))
            if words:
                inner += f"<div>{_mrkdwn(words, ctx)}</div>"
        out.append(f'<div class="attachment">{inner or _note("attachment", "empty")}</div>')
    return "".join(out)


def _content(message: Mapping[str, Any], ctx: _Context) -> str:
    # Slack shows the blocks when there are any; `text` is then only the notification.
    blocks = _dicts(message.get("blocks"))
    words = _str(message.get("text"))
    content = _blocks(blocks, ctx) if blocks else (_mrkdwn(words, ctx) if words else "")
    content = f'<div class="text">{content}</div>' if content else ""
    content += _attachments(_dicts(message.get("attachments")), ctx)
    return content + _files(_dicts(message.get("files")), ctx)


def _message(message: Mapping[str, Any], ctx: _Context, replies: str = "", note: str = "") -> str:
    name, key, is_app = _sender(message, ctx)
    tag = '<span class="app">APP</span>' if is_app else ""
    edited = '<span class="edited">(edited)</span>' if message.get("edited") else ""
    ts = _str(message.get("ts"))
    return (
        '<div class="msg">'
        f'<div class="avatar" style="background:{_colour(key)}">{_esc(_initials(name))}</div>'
        f'<div class="body"><div class="head"><span class="who">{_esc(name)}</span>{tag}'
        f'<span class="time">{_esc(_clock(ts))}</span>{edited}</div>'
        f"{note}{_content(message, ctx)}{replies}</div></div>"
    )


def _is_reply(message: Mapping[str, Any]) -> bool:
    thread_ts = _str(message.get("thread_ts"))
    return bool(thread_ts) and thread_ts != _str(message.get("ts"))


def _conversation(index: int, conversation: Conversation, ctx: _Context) -> str:
    messages = list(conversation.messages)
    present = {_str(m.get("ts")) for m in messages if not _is_reply(m)}
    replies: dict[str, list[Mapping[str, Any]]] = {}
    for message in messages:
        if _is_reply(message) and _str(message.get("thread_ts")) in present:
            replies.setdefault(_str(message.get("thread_ts")), []).append(message)
    out: list[str] = []
    for message in messages:
        thread_ts = _str(message.get("thread_ts"))
        if _is_reply(message):
            if thread_ts not in present:  # its parent was not recorded: show it on its own
                note = '<div class="orphan">replied to a thread</div>'
                out.append(_message(message, ctx, note=note))
            continue
        thread = replies.get(_str(message.get("ts")), [])
        nested = ""
        if thread:
            count = f"{len(thread)} repl{'y' if len(thread) == 1 else 'ies'}"
            inner = "".join(_message(r, ctx) for r in thread)
            nested = f'<div class="thread"><div class="count">{count}</div>{inner}</div>'
        out.append(_message(message, ctx, replies=nested))
    body = "".join(out) or '<div class="empty">No messages.</div>'
    return (
        f'<section class="conv" id="{_anchor(index, conversation)}">'
        f"<h2>{_esc(conversation.title)}</h2>{body}</section>"
    )


def _anchor(index: int, conversation: Conversation) -> str:
    # The index keeps anchors unique; the id, cut to safe characters, keeps them readable.
    return f"c{index}-{re.sub(r'[^A-Za-z0-9_-]', '', conversation.channel_id)}"


def render_page(
    conversations: Sequence[Conversation],
    *,
    title: str,
    names: Mapping[str, str],
    images: Mapping[str, str] = _NO_IMAGES,
) -> str:
    """One HTML5 page: a sidebar of the conversations and each one's messages, with threads
    nested under their parents. `names` maps user, bot and channel ids to names; `images`
    maps Slack file ids to relative paths of images to show in place of a file card."""
    ctx = _Context(names=names, images=images)
    links = "".join(
        f'<li><a href="#{_anchor(i, c)}">{_esc(c.title)}</a></li>'
        for i, c in enumerate(conversations)
    )
    sections = "".join(_conversation(i, c, ctx) for i, c in enumerate(conversations))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>"
        f"<body><nav><h1>{_esc(title)}</h1><ul>{links}</ul></nav>"
        f"<main>{sections}</main></body></html>\n"
    )
