"""A Slack message as plain text for the demo's transcript: blocks read top to bottom, mentions
as names, buttons as [labels], mrkdwn marks left as Slack users type them."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def mrkdwn_text(text: str, names: Mapping[str, str]) -> str:
    """Slack's <…> references made readable; its three escaped characters restored."""

    def reference(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + names.get(target[1:], label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return label or target

    return html.unescape(_LINK.sub(reference, text))


def _text(obj: Any, names: Mapping[str, str]) -> str:
    if not isinstance(obj, dict):
        return ""
    words = str(obj.get("text", ""))
    return mrkdwn_text(words, names) if obj.get("type") == "mrkdwn" else words


def _element(element: Any, names: Mapping[str, str]) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "button":
        return f"[ {_text(element.get('text'), names)} ]"
    if kind == "image":
        return f"[image: {element.get('alt_text', '')}]"
    if kind in ("mrkdwn", "plain_text"):
        return _text(element, names)
    placeholder = _text(element.get("placeholder"), names)
    return f"[{placeholder or kind} ▾]"


def _rich_text(block: Mapping[str, Any], names: Mapping[str, str]) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind == "text":
            parts.append(str(node.get("text", "")))
        elif kind == "user":
            parts.append("@" + names.get(str(node.get("user_id")), str(node.get("user_id"))))
        elif kind == "link":
            parts.append(str(node.get("text") or node.get("url", "")))
        elif kind == "emoji":
            parts.append(f":{node.get('name', '')}:")
        else:
            walk(node.get("elements"))
            if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
                parts.append("\n")

    walk(block.get("elements"))
    return "".join(parts).strip()


def block_lines(block: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [_text(block.get("text"), names).upper()]
    if kind == "section":
        lines = [_text(block.get("text"), names)] if block.get("text") else []
        lines += [_text(field, names) for field in block.get("fields") or []]
        accessory = block.get("accessory")
        if accessory:
            lines.append(_element(accessory, names))
        return lines
    if kind == "context":
        return ["  ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "actions":
        return [" ".join(_element(e, names) for e in block.get("elements") or [])]
    if kind == "divider":
        return ["―" * 20]
    if kind == "image":
        return [f"[image: {block.get('alt_text', '')}]"]
    if kind == "rich_text":
        return [_rich_text(block, names)]
    if kind == "input":
        return [f"{_text(block.get('label'), names)}: {_element(block.get('element'), names)}"]
    return [f"[{kind} block]"]


def message_text(message: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """What a person reads in a message: its blocks when it has them, else its text."""
    blocks = message.get("blocks") or []
    if blocks:
        lines = [line for block in blocks for line in block_lines(block, names)]
    else:
        lines = [mrkdwn_text(str(message.get("text", "")), names)]
    for file in message.get("files") or []:
        lines.append(f"[file: {file.get('title') or file.get('name')}]")
    return "\n".join(line for line in lines if line.strip())
