"""`manifest.yml` is a valid app manifest and covers every command, event and method we use."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any

import yaml
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.copy import text

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("bot", "handlers", "scheduling", "storage")

# Bot scopes each Web API method needs (Slack's method reference). A method the code starts
# calling must be added here, which forces a look at the manifest.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    # Called with the app-level token, whose scope (connections:write) is not a bot scope.
    "apps.connections.open": set(),
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    # DMs and group DMs: the outbox opens both.
    "conversations.open": {"im:write", "mpim:write"},
    # Only to settle a send whose outcome is unknown, in the DMs and group DMs the outbox
    # writes to and the admins' channels (public or private) digests go to; a reply in a
    # thread is looked for in the thread.
    "conversations.history": {"im:history", "mpim:history", "channels:history", "groups:history"},
    "conversations.replies": {"im:history", "mpim:history", "channels:history", "groups:history"},
    "conversations.members": {"channels:read", "groups:read"},
    "conversations.info": {"channels:read", "groups:read"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "views.open": set(),
    "views.push": set(),
    "views.publish": set(),
    "views.update": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    # slack_sdk's helper for the two calls above (files.upload itself is retired).
    "files.upload.v2": {"files:write"},
    # The HR import: people found by email, the CSV an admin shares with the bot, and the
    # user group an admin may exclude.
    "users.lookupByEmail": {"users:read.email"},
    "files.info": {"files:read"},
    "usergroups.users.list": {"usergroups:read"},
}
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "message.im": {"im:history"},
    "user_change": {"users:read"},
}
WEB_API_METHODS = {
    name
    for name, member in inspect.getmembers(AsyncWebClient, inspect.iscoroutinefunction)
    if not name.startswith("_") and "_" in name and name != "api_call"
}


def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def _sources() -> list[tuple[Path, ast.Module]]:
    trees = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            # The fake Slack plays Slack's side; it is not the app calling Slack.
            if "fakes" in path.parts:
                continue
            trees.append((path, ast.parse(path.read_text(), filename=str(path))))
    return trees


def _first_arg(call: ast.Call) -> str | None:
    if not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.Name) and hasattr(text, arg.id):
        value = getattr(text, arg.id)
        return value if isinstance(value, str) else None
    return None


def used_methods() -> set[str]:
    methods = set()
    for _, tree in _sources():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WEB_API_METHODS
            ):
                methods.add(node.func.attr.replace("_", "."))
    return methods


def registered(kind: str) -> set[str]:
    """String arguments of `app.command(...)` / `app.event(...)` in the handlers."""
    found = set()
    for path, tree in _sources():
        if "handlers" not in path.parts:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == kind
            ):
                value = _first_arg(node)
                assert value is not None, f"{path}: {kind}() with a non-constant argument"
                found.add(value)
    return found


def test_scanner_sees_the_calls_we_know_about() -> None:
    # Guards the scan itself: if it silently found nothing, the coverage tests below would pass.
    assert {"views.publish", "chat.postMessage", "auth.test"} <= used_methods()
    assert registered("command") == {"/peercoach"}
    assert "app_home_opened" in registered("event")


def test_manifest_has_the_required_shape() -> None:
    m = manifest()
    info = m["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", info["background_color"])
    features = m["features"]
    assert features["bot_user"]["display_name"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is True
    settings = m["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    for command in features["slash_commands"]:
        assert re.fullmatch(r"/[a-z0-9_-]{1,31}", command["command"])
        assert command["usage_hint"]
        assert len(command["usage_hint"]) <= 1000
        assert len(command["description"]) <= 2000
        assert command["url"].endswith("/slack/events")
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["request_url"].endswith("/slack/events")


def test_every_command_we_register_is_in_the_manifest() -> None:
    declared = {c["command"] for c in manifest()["features"]["slash_commands"]}
    assert registered("command") == declared


def test_events_in_the_manifest_are_exactly_those_we_handle() -> None:
    declared = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    handled = registered("event")
    # Bolt registers "message"; the manifest names the channel type (message.im).
    expected = {e for e in handled if e != "message"} | (
        {"message.im"} if "message" in handled else set()
    )
    assert declared == expected


def test_bot_scopes_are_what_the_code_needs_and_no_more() -> None:
    methods = used_methods()
    unknown = methods - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {unknown} to METHOD_SCOPES and the manifest"
    m = manifest()
    events = set(m["settings"]["event_subscriptions"]["bot_events"])
    needed = {"commands"} if m["features"].get("slash_commands") else set()
    for method in methods:
        needed |= METHOD_SCOPES[method]
    for event in events:
        needed |= EVENT_SCOPES[event]
    assert set(m["oauth_config"]["scopes"]["bot"]) == needed
