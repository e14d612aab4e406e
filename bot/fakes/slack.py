"""A wire-level fake of Slack's Web API, file upload URLs, response_url endpoints and Socket Mode.

It runs a real aiohttp server on 127.0.0.1 so that the unmodified slack_sdk / slack_bolt
clients talk to it exactly as they talk to slack.com: same URLs, headers, bodies, status
codes and error strings. Tests and the offline demo point `base_url` at `FakeSlack.api_url`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import itertools
import json
import math
import random
import secrets
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from types import TracebackType
from typing import Any, NoReturn, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import WSCloseCode, WSMsgType, web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.fakes import files as _files
from bot.fakes.files import UploadedFile

__all__ = ["UPLOAD_ROUTE", "FakeSlack", "RecordedCall", "RecordedResponse", "UploadedFile"]

JsonDict = dict[str, Any]
_T = TypeVar("_T")

# Parameters Slack accepts as JSON-encoded strings in form bodies and query strings.
_JSON_STRING_PARAMS = ("blocks", "attachments", "view", "metadata", "files")

# Not in the published spec file: apps.connections.open needs only the app-level token; the
# external upload methods are newer than the spec (they replace the retired files.upload).
_EXTRA_METHODS: dict[str, JsonDict] = {
    "apps.connections.open": {"params": ["token"], "required": []},
    "files.getUploadURLExternal": {
        "params": ["alt_txt", "filename", "length", "snippet_type", "token"],
        "required": ["filename", "length"],
    },
    "files.completeUploadExternal": {
        "params": [
            "blocks",
            "channel_id",
            "channels",
            "files",
            "initial_comment",
            "thread_ts",
            "token",
        ],
        "required": ["files"],
    },
}
# The spec marks these optional, but Slack refuses the call without them.
_EXTRA_REQUIRED: dict[str, list[str]] = {
    "users.info": ["user"],
}
# Methods an app-level (xapp-) token may call; everything else wants the bot token.
_APP_TOKEN_METHODS = frozenset({"apps.connections.open", "apps.event.authorizations.list"})

_MESSAGE_BLOCK_LIMIT = 50
_VIEW_BLOCK_LIMIT = 100
_MESSAGE_TEXT_LIMIT = 40_000
_RESPONSE_URL_USES = 5
_MPIM_MAX_USERS = 8

# zoneinfo only knows abbreviations; Slack shows long names for the common ones.
_TZ_LABELS = {
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "UTC": "Coordinated Universal Time",
}


def _load_method_specs() -> dict[str, JsonDict]:
    text = resources.files("bot.fakes").joinpath("web_api_methods.json").read_text("utf-8")
    specs: dict[str, JsonDict] = json.loads(text)
    specs.update(_EXTRA_METHODS)
    for method, extra in _EXTRA_REQUIRED.items():
        specs[method] = {**specs[method], "required": sorted({*specs[method]["required"], *extra})}
    return specs


@dataclass
class RecordedCall:
    """One Web API call as the fake saw it, in arrival order."""

    method: str
    args: dict[str, Any]
    token: str | None
    status: int
    response: dict[str, Any]
    at: float  # time.monotonic() on arrival
    http_method: str = "POST"
    answered: bool = False  # False while delayed, or forever when scripted to hang
    hung: bool = False
    # `FakeSlack.clock`'s time on arrival, when the fake has one (simulated or scaled time).
    clock_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        error = self.response.get("error")
        return error if isinstance(error, str) else None


@dataclass
class RecordedResponse:
    """One POST the app made to a response_url handed out by `FakeSlack.new_response_url`."""

    url: str
    json: Any
    at: float  # time.monotonic() on arrival
    status: int = 200


@dataclass
class _Script:
    status: int
    error: str | None
    retry_after: int | None
    delay: float
    hang: bool


@dataclass
class _Rate:
    """Generic cell rate algorithm in (scaled) seconds: `burst` calls back to back, then one
    per `interval`. A call that comes too early is refused and told how long to wait."""

    interval: float
    burst: int
    tat: float | None = None

    def admit(self, now: float) -> float:
        """0 when the call may go (and it is counted), else the seconds to wait."""
        tolerance = self.interval * max(self.burst - 1, 0)
        if self.tat is not None and now < self.tat - tolerance:
            return self.tat - tolerance - now
        self.tat = max(self.tat if self.tat is not None else now, now) + self.interval
        return 0.0


@dataclass
class _Limits:
    post_interval: float
    post_burst: int
    tier3_interval: float
    tier3_burst: int
    now: Callable[[], float]
    rates: dict[tuple[str, str], _Rate] = field(default_factory=dict)


@dataclass
class _Chaos:
    rate: float
    statuses: tuple[int, ...]
    methods: frozenset[str]
    lost_share: float
    retry_after: tuple[int, int]
    rng: random.Random


# Tier 3 methods the limits apply to (about 50 calls a minute each).
# The name `FakeSlack.script` takes for the upload URL files.getUploadURLExternal hands out.
UPLOAD_ROUTE = "upload_url"
_TIER3_METHODS = frozenset(
    {"conversations.open", "conversations.history", "conversations.replies", "users.lookupByEmail"}
)


@dataclass
class _ResponseUrl:
    created: float
    uses: int = 0


@dataclass
class _SlackError(Exception):
    """Raised inside method handlers; becomes `{"ok": false, "error": ...}`."""

    error: str
    messages: list[str] = field(default_factory=list)
    status: int = 200

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes"}


def _stable_id(prefix: str, key: str) -> str:
    # Deterministic so the same user (set) always maps to the same conversation id.
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()).decode()
    return prefix + digest[:10]


def _tz_fields(tz: str) -> JsonDict:
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return {"tz": tz, "tz_label": tz, "tz_offset": 0}
    offset = now.utcoffset()
    abbr = now.tzname() or tz
    return {
        "tz": tz,
        "tz_label": _TZ_LABELS.get(abbr, abbr),
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
    }


def _validate_blocks(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[str]:
    """Return Slack-style error messages for a block list; empty when valid."""
    if not isinstance(blocks, list):
        return [f"[ERROR] expected an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    seen_block_ids: set[str] = set()
    for index, raw in enumerate(blocks):
        where = f"[json-pointer:{pointer}/{index}]"
        if not isinstance(raw, dict) or "type" not in raw:
            errors.append(f"[ERROR] block must be an object with a type {where}")
            continue
        block_id = raw.get("block_id")
        if isinstance(block_id, str):
            if block_id in seen_block_ids:
                errors.append(f"[ERROR] duplicate block_id {block_id!r} {where}")
            seen_block_ids.add(block_id)
        try:
            parsed = Block.parse(raw)
            if parsed is None:
                errors.append(f"[ERROR] unsupported block type {raw.get('type')!r} {where}")
                continue
            # to_dict() runs the validators of nested elements and text objects too.
            parsed.to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as exc:
            errors.append(f"[ERROR] {exc} {where}")
    return errors


def _validate_view(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["[ERROR] failed to parse view: expected a JSON object [json-pointer:/view]"]
    errors: list[str] = []
    if view.get("type") == "modal" and not view.get("title"):
        errors.append("[ERROR] missing required field: title [json-pointer:/view]")
    if "blocks" not in view:
        errors.append("[ERROR] missing required field: blocks [json-pointer:/view]")
    else:
        errors.extend(
            _validate_blocks(view["blocks"], limit=_VIEW_BLOCK_LIMIT, pointer="/view/blocks")
        )
    if not errors:
        try:
            View(**view).to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as exc:
            errors.append(f"[ERROR] {exc} [json-pointer:/view]")
    return errors


def _invalid_view(errors: list[str]) -> NoReturn:
    raise _SlackError("invalid_arguments", errors)


def _ts_window(args: JsonDict) -> Callable[[float], bool]:
    """Whether a message ts lies within the call's `oldest` / `latest` / `inclusive`."""

    def bound(name: str, default: float) -> float:
        raw = args.get(name)
        if raw in (None, ""):
            return default
        try:
            return float(str(raw))
        except ValueError:
            raise _SlackError("invalid_ts_" + name) from None

    oldest, latest = bound("oldest", 0.0), bound("latest", math.inf)
    inclusive = _truthy(args.get("inclusive", False))

    def within(ts: float) -> bool:
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return within


def _message_page(found: list[JsonDict], args: JsonDict, prefix: str) -> JsonDict:
    """One page of `found` for conversations.history / .replies, with Slack's cursor."""
    try:
        limit = int(str(args.get("limit") or 100))
    except ValueError:
        raise _SlackError("invalid_limit") from None
    limit = min(max(limit, 1), 999)
    start = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            kind, _, offset = base64.b64decode(str(cursor), validate=True).decode().partition(":")
            start = int(offset)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise _SlackError("invalid_cursor") from None
        if kind != prefix or start < 0:
            raise _SlackError("invalid_cursor")
    page = found[start : start + limit]
    with_metadata = _truthy(args.get("include_all_metadata", False))
    messages = [{k: v for k, v in m.items() if with_metadata or k != "metadata"} for m in page]
    has_more = start + limit < len(found)
    next_cursor = (
        base64.b64encode(f"{prefix}:{start + limit}".encode()).decode() if has_more else ""
    )
    return {
        "ok": True,
        "messages": json.loads(json.dumps(messages)),
        "has_more": has_more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


class FakeSlack:
    """Fake slack.com for one workspace with one installed app (bot user + app token)."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-1-fake-app-token",
        team_id: str = "T0PEERCO",
        team_name: str = "Acme",
        bot_user_id: str = "U0PEERBOT",
        host: str = "127.0.0.1",
        port: int = 0,
        app_id: str = "A0PEERCO",
        bot_id: str = "B0PEERBOT",
        bot_name: str = "peercoach",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "".join(c for c in team_name.lower() if c.isalnum()) or "workspace"
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id
        self.host = host
        self.port = port

        self.calls: list[RecordedCall] = []
        self.responses: list[RecordedResponse] = []
        self.messages: dict[str, list[JsonDict]] = {}
        self.ephemeral_messages: list[JsonDict] = []
        self.users: dict[str, JsonDict] = {}
        self.channels: dict[str, JsonDict] = {}
        self.views: dict[str, JsonDict] = {}
        self.home_views: dict[str, JsonDict] = {}
        self.acks: dict[str, JsonDict] = {}
        self.socket_connection_count = 0
        # Slack's limits; public so tests can shorten them instead of sleeping for real.
        self.trigger_ttl = 3.0
        self.response_url_ttl = 30 * 60.0
        # When set, message timestamps (ts) and RecordedCall.clock_at read this clock, so a
        # simulated or scaled clock shared with the app decides what "recent history" means.
        self.clock: Callable[[], datetime] | None = None
        # Answers the fake gave because of `enforce_limits` or `chaos`: (method, status, lost).
        self.faults: list[tuple[str, int, bool]] = []
        self._limits: _Limits | None = None
        self._chaos: _Chaos | None = None

        self._specs = _load_method_specs()
        self._handlers: dict[str, Callable[[JsonDict, str], Awaitable[JsonDict]]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.publish": self._views_publish,
            "views.update": self._views_update,
            "apps.connections.open": self._apps_connections_open,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.upload": self._files_upload,
            "users.lookupByEmail": self._users_lookup_by_email,
            "usergroups.users.list": self._usergroups_users_list,
            "files.info": self._files_info,
        }
        # User groups (id -> member ids) and files people shared with the bot (id -> record).
        self.usergroups: dict[str, list[str]] = {}
        self.shared_files: dict[str, JsonDict] = {}
        self.file_downloads: list[str] = []  # ids of shared files whose bytes were fetched
        self._emails: dict[str, str] = {}  # lower-case email -> user id, for lookupByEmail
        self._scripts: dict[str, deque[_Script]] = {}
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._socket_tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._opened_ims: set[str] = set()
        self._uploads: dict[str, UploadedFile] = {}  # file id → record, in issue order
        self._upload_tokens: dict[str, str] = {}  # upload URL token → file id
        self._last_ts = 0.0
        self._changed = asyncio.Condition()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None

        self._add_builtin_users()

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/commands/{team}/{serial}/{secret}", self._handle_response_url)
        app.router.add_get("/socket-mode", self._handle_socket)
        app.router.add_post("/upload/v1/{token}", self._handle_upload)
        app.router.add_get("/files-pri/{key}/download/{name}", self._handle_file_download)
        # Short shutdown so stop() never waits on requests the app left hanging.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._stopping.set()
        for ws in list(self._sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeSlack is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    # ------------------------------------------------------------ workspace data

    def _add_builtin_users(self) -> None:
        # Real workspaces list the app's own bot user and Slackbot (which has is_bot false!).
        self.add_user(
            self.bot_user_id,
            name=self.bot_name,
            real_name=self.bot_name,
            tz="America/Los_Angeles",
            is_bot=True,
            profile={"bot_id": self.bot_id, "api_app_id": self.app_id, "always_active": True},
        )
        self.add_user("USLACKBOT", name="slackbot", real_name="Slackbot", tz="America/Los_Angeles")

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str | None = None,
        tz: str | None = "Europe/London",
        is_admin: bool = False,
        is_owner: bool = False,
        is_bot: bool = False,
        deleted: bool = False,
        team_id: str | None = None,
        is_restricted: bool = False,
        is_ultra_restricted: bool = False,
        profile: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace member; returns the user object users.info will show."""
        real = real_name if real_name is not None else name
        base_profile: JsonDict = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": real,
            "real_name_normalized": real,
            "display_name": name,
            "display_name_normalized": name,
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": hashlib.md5(user_id.encode()).hexdigest()[:12],
            "first_name": real.split(" ")[0],
            "last_name": " ".join(real.split(" ")[1:]),
            "image_24": f"https://avatars.example.invalid/{user_id}_24.png",
            "image_72": f"https://avatars.example.invalid/{user_id}_72.png",
            "image_192": f"https://avatars.example.invalid/{user_id}_192.png",
            "team": team_id or self.team_id,
        }
        if not is_bot:
            base_profile["email"] = f"{name}@{self.team_domain}.example.com"
        user: JsonDict = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": name,
            "deleted": deleted,
            "color": hashlib.md5(name.encode()).hexdigest()[:6],
            "real_name": real,
            "profile": {**base_profile, **(profile or {})},
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": is_restricted,
            "is_ultra_restricted": is_ultra_restricted,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "is_email_confirmed": not is_bot,
            "who_can_share_contact_card": "EVERYONE",
        }
        # Kept unrendered: tz_offset/tz_label are computed per request, so DST is honoured.
        user["_tz"] = tz
        self.users[user_id] = user
        email = str(user["profile"].get("email", "")).lower()
        if email:
            self._emails[email] = user_id
        return self._render_user(user)

    def set_status(self, user_id: str, text: str, emoji: str = "", expiration: int = 0) -> None:
        """Set a member's custom status as users.info and users.list show it (`expiration`:
        Unix time, 0 for a status that does not expire)."""
        profile = self._user(user_id)["profile"]
        profile["status_text"] = text
        profile["status_emoji"] = emoji
        profile["status_expiration"] = expiration

    def add_usergroup(self, usergroup_id: str, user_ids: list[str]) -> None:
        """Add (or replace) a user group, as usergroups.users.list will list it."""
        self.usergroups[usergroup_id] = list(user_ids)

    def share_file_with_bot(
        self, user_id: str, filename: str, content: bytes, *, file_id: str | None = None
    ) -> JsonDict:
        """A member shares a file with the bot in their DM: returns the file object a
        `file_share` message event carries (its bytes behind url_private_download, which
        wants the bot token)."""
        self._user(user_id)
        fid = file_id or _stable_id("F", f"{user_id}:{filename}:{len(self.shared_files)}")
        url_name = filename.lower().replace(" ", "_")
        base = f"{self.base_url}/files-pri/{self.team_id}-{fid}"
        obj: JsonDict = {
            "id": fid,
            "created": int(time.time()),
            "name": filename,
            "title": filename,
            "mimetype": "text/csv" if url_name.endswith(".csv") else "text/plain",
            "filetype": "csv" if url_name.endswith(".csv") else "text",
            "user": user_id,
            "user_team": self.team_id,
            "size": len(content),
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": f"{base}/{url_name}",
            "url_private_download": f"{base}/download/{url_name}",
            "channels": [],
            "ims": [self.im_channel_id(user_id)],
        }
        self.shared_files[fid] = {"file": obj, "content": content}
        return obj

    def _render_user(self, user: JsonDict) -> JsonDict:
        rendered = {k: v for k, v in user.items() if k != "_tz"}
        tz = user.get("_tz")
        if tz is not None:
            # Slack places the tz fields right after real_name; order does not matter to clients.
            rendered.update(_tz_fields(tz))
        return json.loads(json.dumps(rendered))  # type: ignore[no-any-return]

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        members: list[str] | None = None,
        bot_is_member: bool = True,
    ) -> dict[str, Any]:
        """Register a channel the bot is a member of, so chat.* calls can target it."""
        channel: JsonDict = {
            "id": channel_id,
            "name": name,
            "is_channel": channel_id.startswith("C"),
            "is_group": channel_id.startswith("G"),
            "is_im": False,
            "is_mpim": False,
            "is_private": channel_id.startswith("G"),
            "created": int(time.time()),
            "is_member": bot_is_member,
            "members": list(members) if members is not None else None,
        }
        self.channels[channel_id] = channel
        return channel

    def im_channel_id(self, user_id: str) -> str:
        """The id of the bot's DM with `user_id` (what conversations.open returns).

        Derived from the user id (U0ALICE → D0ALICE) so tests can write it down literally.
        """
        return "D" + user_id[1:]

    def mpim_channel_id(self, user_ids: list[str]) -> str:
        members = sorted({u for u in user_ids if u != self.bot_user_id})
        return _stable_id("G", f"{self.team_id}:{self.bot_user_id}:" + ",".join(members))

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        """Files the app finished uploading (files.completeUploadExternal accepted them)."""
        return [f for f in self._uploads.values() if f.completed]

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a completed upload, exactly as they reached the upload URL."""
        record = self._uploads.get(file_id)
        if record is None or not record.completed or record.content is None:
            raise KeyError(f"no completed upload with id {file_id!r}")
        return record.content

    def latest_view(self, callback_id: str) -> dict[str, Any] | None:
        """The most recently opened/updated modal with this callback_id, if any."""
        for view in reversed(list(self.views.values())):
            if view.get("callback_id") == callback_id:
                return view
        return None

    # -------------------------------------------------- triggers & response URLs

    def new_trigger_id(self) -> str:
        trigger_id = f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self._triggers[trigger_id] = time.monotonic()
        return trigger_id

    def new_response_url(self) -> str:
        serial = secrets.randbelow(10**13)
        url = f"{self.base_url}/commands/{self.team_id}/{serial}/{secrets.token_urlsafe(18)}"
        self._response_urls[url] = _ResponseUrl(created=time.monotonic())
        return url

    # ------------------------------------------------------------ recorded calls

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for_call(
        self,
        method: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - documented test API
        predicate: Callable[[RecordedCall], bool] | None = None,
        after: int = 0,
    ) -> RecordedCall:
        """First call to `method` (already made or still to come) that matches `predicate`,
        among the calls from index `after` on.

        Only answered (or hanging) calls count, so `response` is filled in.
        """

        def find() -> RecordedCall | None:
            # Slicing from `after` keeps a long test's waits linear in the calls since its mark.
            for call in itertools.islice(self.calls, after, None):
                if call.method != method or not (call.answered or call.hung):
                    continue
                if predicate is None or predicate(call):
                    return call
            return None

        try:
            return await self._wait_until(find, timeout)
        except TimeoutError:
            seen = [f"{c.method}({c.status}, {c.response.get('error', 'ok')})" for c in self.calls]
            raise TimeoutError(
                f"no matching {method} call within {timeout}s; calls so far: {seen}"
            ) from None

    async def wait_for_arrival(
        self,
        method: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - documented test API
    ) -> RecordedCall:
        """First call to `method` to arrive, answered yet or not (a delayed call is in flight)."""
        try:
            return await self._wait_until(
                lambda: next((c for c in self.calls if c.method == method), None), timeout
            )
        except TimeoutError:
            raise TimeoutError(f"no {method} call within {timeout}s") from None

    async def wait_for_response(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - documented test API
        predicate: Callable[[RecordedResponse], bool] | None = None,
    ) -> RecordedResponse:
        def find() -> RecordedResponse | None:
            for response in self.responses:
                if predicate is None or predicate(response):
                    return response
            return None

        try:
            return await self._wait_until(find, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no matching response_url POST within {timeout}s; saw {len(self.responses)}"
            ) from None

    async def _wait_until(self, find: Callable[[], _T | None], limit: float) -> _T:
        async with asyncio.timeout(limit), self._changed:
            while True:
                found = find()
                if found is not None:
                    return found
                await self._changed.wait()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ----------------------------------------------------------------- scripting

    def script(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        hang: bool = False,
        times: int = 1,
    ) -> None:
        """Queue an abnormal answer for the next `times` calls to `method`.

        status 429 → Retry-After header (default 1) + `ratelimited`; 5xx → that status;
        `error` → `{"ok": false, "error": error}`; `delay` → sleep, then answer (normally
        unless status/error say otherwise); `hang` → never answer until stop().
        `UPLOAD_ROUTE` as the method scripts the upload URL: its status (a 429 with
        Retry-After) and delay apply, and an answer other than 200 keeps no bytes.
        """
        queue = self._scripts.setdefault(method, deque())
        for _ in range(times):
            queue.append(_Script(status, error, retry_after, delay, hang))

    def enforce_limits(
        self,
        *,
        post_per_channel_per_s: float = 1.0,
        post_burst: int = 1,
        tier3_per_min: float = 50.0,
        tier3_burst: int = 10,
        time_scale: float = 1.0,
        now: Callable[[], float] | None = None,
    ) -> None:
        """Answer 429 with Retry-After, as Slack does, to calls beyond its limits: more than
        `post_per_channel_per_s` chat.postMessage calls a second in one channel, or more than
        `tier3_per_min` calls a minute to a Tier 3 method (conversations.open, .history),
        each after a burst. Time is `now()` in seconds, by default the monotonic clock sped up
        `time_scale` times, so a benchmark can run Slack's minutes in seconds."""
        clock = now if now is not None else (lambda: time.monotonic() * time_scale)
        self._limits = _Limits(
            post_interval=1.0 / post_per_channel_per_s,
            post_burst=post_burst,
            tier3_interval=60.0 / tier3_per_min,
            tier3_burst=tier3_burst,
            now=clock,
        )

    def chaos(
        self,
        *,
        rate: float,
        seed: int,
        statuses: tuple[int, ...] = (429, 500),
        methods: tuple[str, ...] = (
            "chat.postMessage",
            "conversations.open",
            "conversations.history",
        ),
        lost_share: float = 0.5,
        retry_after: tuple[int, int] = (1, 3),
    ) -> None:
        """Fail a seeded random `rate` of calls to `methods` with one of `statuses`. A 429
        carries a Retry-After of `retry_after` seconds (inclusive range). Of the 5xx answers,
        `lost_share` are "accepted but answer lost": the call takes effect (a posted message
        is stored) and the client still gets the error. `rate=0` turns it off."""
        if rate <= 0:
            self._chaos = None
            return
        self._chaos = _Chaos(
            rate=rate,
            statuses=tuple(statuses),
            methods=frozenset(methods),
            lost_share=lost_share,
            retry_after=retry_after,
            rng=random.Random(seed),
        )

    def _over_limit(self, method: str, args: JsonDict) -> float:
        """Seconds the caller must wait before this call is allowed; 0 lets it through."""
        limits = self._limits
        if limits is None:
            return 0.0
        if method == "chat.postMessage":
            key = (method, str(args.get("channel", "")))
            interval, burst = limits.post_interval, limits.post_burst
        elif method in _TIER3_METHODS:
            key = (method, "")
            interval, burst = limits.tier3_interval, limits.tier3_burst
        else:
            return 0.0
        rate = limits.rates.setdefault(key, _Rate(interval, burst))
        return rate.admit(limits.now())

    def _chaos_for(self, method: str) -> tuple[int, bool, int] | None:
        """(status, lost, retry_after) when chaos strikes this call."""
        chaos = self._chaos
        if chaos is None or method not in chaos.methods:
            return None
        if chaos.rng.random() >= chaos.rate:
            return None
        status = chaos.rng.choice(chaos.statuses)
        lost = status >= 500 and chaos.rng.random() < chaos.lost_share
        return status, lost, chaos.rng.randint(*chaos.retry_after)

    # ------------------------------------------------------------ HTTP: Web API

    async def _read_args(self, request: web.Request) -> JsonDict:
        args: JsonDict = dict(request.query.items())
        # slack_sdk sends some methods (the file upload ones) as a bodiless POST with a query.
        if request.method == "POST" and request.can_read_body:
            args.update(await self._read_body(request))
        for key in _JSON_STRING_PARAMS:
            value = args.get(key)
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                # Left as a string when unparsable; the method's validation reports it.
                with contextlib.suppress(json.JSONDecodeError):
                    args[key] = json.loads(value)
        users = args.get("users")
        if isinstance(users, str) and users.strip().startswith("["):
            with contextlib.suppress(json.JSONDecodeError):
                args["users"] = json.loads(users)
        return args

    @staticmethod
    async def _read_body(request: web.Request) -> JsonDict:
        if request.content_type == "application/json":
            raw = await request.text()
            try:
                body = json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError:
                raise _SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise _SlackError("invalid_json")
            return body
        form = await request.post()
        return {key: value for key, value in form.items() if isinstance(value, str)}

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        arrived = time.monotonic()
        early_error: _SlackError | None = None
        try:
            args = await self._read_args(request)
        except _SlackError as exc:
            args, early_error = {}, exc
        header = request.headers.get("Authorization", "")
        token: str | None = header[7:].strip() if header.lower().startswith("bearer ") else None
        form_token = args.pop("token", None)
        if token is None and isinstance(form_token, str) and form_token:
            token = form_token

        call = RecordedCall(
            method=method,
            args=args,
            token=token,
            status=0,
            response={},
            at=arrived,
            http_method=request.method,
            clock_at=self.clock() if self.clock is not None else None,
        )
        self.calls.append(call)
        await self._notify()

        headers: dict[str, str] = {}
        script = self._next_script(method)
        if script is not None and script.hang:
            call.hung = True
            await self._notify()
            await self._stopping.wait()
            raise web.HTTPServiceUnavailable()
        if script is not None and script.delay > 0:
            await asyncio.sleep(script.delay)

        if script is not None and (script.status != 200 or script.error is not None):
            status, body = self._scripted_body(script)
            if script.retry_after is not None or status == 429:
                headers["Retry-After"] = str(
                    1 if script.retry_after is None else script.retry_after
                )
        elif early_error is not None:
            status, body = early_error.status, early_error.body()
        elif (wait := self._over_limit(method, args)) > 0:
            status, body = 429, {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
            self.faults.append((method, 429, False))
        elif (strike := self._chaos_for(method)) is not None:
            status, lost, retry_after = strike
            if lost:
                await self._dispatch(method, args, token)  # done, but the answer is lost
            body = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
            if status == 429:
                headers["Retry-After"] = str(retry_after)
            self.faults.append((method, status, lost))
        else:
            status, body = await self._dispatch(method, args, token)

        call.status, call.response, call.answered = status, body, True
        await self._notify()
        return web.json_response(body, status=status, headers=headers)

    def _next_script(self, method: str) -> _Script | None:
        queue = self._scripts.get(method)
        if not queue:
            return None
        return queue.popleft()

    @staticmethod
    def _scripted_body(script: _Script) -> tuple[int, JsonDict]:
        if script.status == 429:
            return 429, {"ok": False, "error": script.error or "ratelimited"}
        if script.status >= 500:
            return script.status, {"ok": False, "error": script.error or "internal_error"}
        return script.status, {"ok": False, "error": script.error or "invalid_request"}

    async def _dispatch(
        self, method: str, args: JsonDict, token: str | None
    ) -> tuple[int, JsonDict]:
        spec = self._specs.get(method)
        if spec is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}
        try:
            kind = self._check_token(method, token)
            missing = [p for p in spec["required"] if args.get(p) in (None, "", [])]
            if missing:
                raise _SlackError(
                    "invalid_arguments",
                    [f"[ERROR] missing required field: {p}" for p in missing],
                )
            handler = self._handlers.get(method)
            if handler is None:
                # Known to Slack but not modelled here: fail loudly rather than pretend.
                raise _SlackError("fake_method_not_implemented")
            return 200, await handler(args, kind)
        except _SlackError as exc:
            return exc.status, exc.body()

    def _check_token(self, method: str, token: str | None) -> str:
        if not token:
            raise _SlackError("not_authed")
        if token == self.bot_token:
            kind = "bot"
        elif token == self.app_token:
            kind = "app"
        else:
            raise _SlackError("invalid_auth")
        if (kind == "app") != (method in _APP_TOKEN_METHODS):
            raise _SlackError("not_allowed_token_type")
        return kind

    # --------------------------------------------------------- method handlers

    async def _auth_test(self, args: JsonDict, kind: str) -> JsonDict:
        return {
            "ok": True,
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _user(self, user_id: Any) -> JsonDict:
        user = self.users.get(str(user_id))
        if user is None:
            raise _SlackError("user_not_found")
        return user

    async def _users_info(self, args: JsonDict, kind: str) -> JsonDict:
        return {"ok": True, "user": self._render_user(self._user(args["user"]))}

    async def _users_lookup_by_email(self, args: JsonDict, kind: str) -> JsonDict:
        wanted = str(args["email"]).strip().lower()
        user = self.users.get(self._emails.get(wanted, ""))
        if user is None or str(user["profile"].get("email", "")).lower() != wanted:
            raise _SlackError("users_not_found")
        return {"ok": True, "user": self._render_user(user)}

    async def _usergroups_users_list(self, args: JsonDict, kind: str) -> JsonDict:
        members = self.usergroups.get(str(args["usergroup"]))
        if members is None:
            raise _SlackError("no_such_subteam")
        return {"ok": True, "users": list(members)}

    async def _files_info(self, args: JsonDict, kind: str) -> JsonDict:
        file_id = str(args.get("file", ""))
        upload = self._uploads.get(file_id)
        if upload is not None:
            # The app's own upload: private until completed, then with its shares.
            shared_in = [self.channels[c] for c in upload.channels] if upload.completed else None
            obj = self._file_object(upload, shared_in=shared_in)
            return {"ok": True, "file": obj, "comments": [], "response_metadata": {}}
        record = self.shared_files.get(file_id)
        if record is None:
            raise _SlackError("file_not_found")
        return {"ok": True, "file": record["file"], "comments": [], "response_metadata": {}}

    async def _handle_file_download(self, request: web.Request) -> web.StreamResponse:
        """url_private_download: the bytes for the bot token; anyone else gets Slack's sign-in
        page (an HTML 200, as Slack answers), which a client must not mistake for the file."""
        key = request.match_info["key"]
        fid = key.split("-", 1)[1] if "-" in key else ""
        record = self.shared_files.get(fid)
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            return web.Response(text="<html><body>Sign in</body></html>", content_type="text/html")
        if record is None:
            return web.Response(status=404, text="Not Found", content_type="text/plain")
        self.file_downloads.append(fid)
        return web.Response(body=record["content"], content_type="application/octet-stream")

    async def _users_list(self, args: JsonDict, kind: str) -> JsonDict:
        ids = list(self.users)
        start = 0
        cursor = args.get("cursor")
        if cursor:
            try:
                decoded = base64.b64decode(str(cursor), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise _SlackError("invalid_cursor") from None
            prefix, _, next_id = decoded.partition(":")
            if prefix != "user" or next_id not in self.users:
                raise _SlackError("invalid_cursor")
            start = ids.index(next_id)
        try:
            limit = int(args.get("limit") or 0)
        except (TypeError, ValueError):
            raise _SlackError("invalid_limit") from None
        if limit < 0:
            raise _SlackError("invalid_limit")
        end = len(ids) if limit == 0 else min(start + limit, len(ids))
        next_cursor = ""
        if end < len(ids):
            next_cursor = base64.b64encode(f"user:{ids[end]}".encode()).decode()
        return {
            "ok": True,
            "members": [self._render_user(self.users[u]) for u in ids[start:end]],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _im_object(self, user_id: str) -> JsonDict:
        now = int(time.time())
        return {
            "id": self.im_channel_id(user_id),
            "created": now,
            "is_archived": False,
            "is_im": True,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "updated": now * 1000,
            "user": user_id,
            "last_read": "0000000000.000000",
            "latest": None,
            "unread_count": 0,
            "unread_count_display": 0,
            "is_open": True,
            "priority": 0,
        }

    def _open_im(self, user_id: str) -> str:
        user = self._user(user_id)
        if user["deleted"]:
            raise _SlackError("user_disabled")
        channel_id = self.im_channel_id(user_id)
        self.channels.setdefault(channel_id, {**self._im_object(user_id), "members": [user_id]})
        return channel_id

    async def _conversations_open(self, args: JsonDict, kind: str) -> JsonDict:
        return_im = _truthy(args.get("return_im", False))
        raw_users = args.get("users")
        if not raw_users:
            channel_id = args.get("channel")
            if not channel_id:
                raise _SlackError("users_list_not_supplied")
            channel = self.channels.get(self._resolve_channel(channel_id))
            if channel is None or not (channel.get("is_im") or channel.get("is_mpim")):
                raise _SlackError("channel_not_found")
            body: JsonDict = {"ok": True, "no_op": True, "already_open": True}
            body["channel"] = self._public_channel(channel) if return_im else {"id": channel["id"]}
            return body

        if isinstance(raw_users, list):
            wanted = [str(u).strip() for u in raw_users]
        else:
            wanted = [u.strip() for u in str(raw_users).split(",")]
        wanted = list(dict.fromkeys(u for u in wanted if u))
        others = [u for u in wanted if u != self.bot_user_id]
        if not others:
            raise _SlackError("cannot_dm_bot")
        if len(others) > _MPIM_MAX_USERS:
            raise _SlackError("too_many_users")
        for user_id in others:
            if self._user(user_id)["deleted"]:
                raise _SlackError("user_disabled")

        if len(others) == 1:
            user_id = others[0]
            channel_id = self._open_im(user_id)
            already = channel_id in self._opened_ims
            self._opened_ims.add(channel_id)
            body = {"ok": True}
            if already:
                body.update({"no_op": True, "already_open": True})
            body["channel"] = (
                self._public_channel(self.channels[channel_id]) if return_im else {"id": channel_id}
            )
            return body

        channel_id = self.mpim_channel_id(others)
        members = sorted([self.bot_user_id, *others])
        now = int(time.time())
        names = sorted(self.users[u]["name"] for u in members)
        channel = self.channels.setdefault(
            channel_id,
            {
                "id": channel_id,
                "name": "mpdm-" + "--".join(names) + "-1",
                "created": now,
                "is_channel": False,
                "is_group": False,
                "is_im": False,
                "is_mpim": True,
                "is_private": True,
                "is_archived": False,
                "is_open": True,
                "is_member": True,
                "last_read": "0000000000.000000",
                "members": members,
                "creator": self.bot_user_id,
            },
        )
        return {
            "ok": True,
            "channel": self._public_channel(channel) if return_im else {"id": channel_id},
        }

    async def _conversations_info(self, args: JsonDict, kind: str) -> JsonDict:
        """A channel's details; a private channel the bot is not in is invisible to it
        (channel_not_found), a public one answers with `is_member` false."""
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None:
            raise _SlackError("channel_not_found")
        if (
            channel.get("is_private")
            and not channel.get("is_im")
            and not channel.get("is_member", True)
        ):
            raise _SlackError("channel_not_found")
        info = {k: v for k, v in channel.items() if k != "members"}
        info.setdefault("is_archived", False)
        return {"ok": True, "channel": info}

    async def _conversations_members(self, args: JsonDict, kind: str) -> JsonDict:
        """Members of a channel, paged. A private channel the bot is not in is invisible
        (channel_not_found); a public one it was not added to answers not_in_channel."""
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None or channel.get("is_im"):
            raise _SlackError("channel_not_found")
        if not channel.get("is_member", True):
            raise _SlackError(
                "channel_not_found" if channel.get("is_private") else "not_in_channel"
            )
        members = list(channel.get("members") or [])
        start = 0
        cursor = args.get("cursor")
        if cursor:
            try:
                start = int(base64.b64decode(str(cursor), validate=True).decode().split(":")[1])
            except (binascii.Error, UnicodeDecodeError, IndexError, ValueError):
                raise _SlackError("invalid_cursor") from None
        try:
            limit = int(args.get("limit") or 100)
        except (TypeError, ValueError):
            raise _SlackError("invalid_limit") from None
        end = min(start + max(limit, 1), len(members))
        next_cursor = (
            base64.b64encode(f"member:{end}".encode()).decode() if end < len(members) else ""
        )
        return {
            "ok": True,
            "members": members[start:end],
            "response_metadata": {"next_cursor": next_cursor},
        }

    @staticmethod
    def _public_channel(channel: JsonDict) -> JsonDict:
        if channel.get("is_im"):
            return {k: v for k, v in channel.items() if k != "members"}
        return dict(channel)

    def _resolve_channel(self, channel: Any) -> str:
        """Map a channel argument (conversation id or user id) to a conversation id."""
        channel_id = str(channel)
        if channel_id in self.channels:
            return channel_id
        if channel_id in self.users:
            # Slack accepts a user id and posts into the bot's DM with that user.
            return self._open_im(channel_id)
        for user_id in self.users:
            if self.im_channel_id(user_id) == channel_id:
                return self._open_im(user_id)
        raise _SlackError("channel_not_found")

    def _next_ts(self) -> str:
        # Unique and strictly increasing, like Slack's message timestamps.
        wall = self.clock().timestamp() if self.clock is not None else time.time()
        now = max(wall, self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def _message_content(self, args: JsonDict, *, required: bool) -> JsonDict:
        text = args.get("text")
        blocks = args.get("blocks")
        attachments = args.get("attachments")
        if required and not text and not blocks and not attachments:
            raise _SlackError("no_text")
        content: JsonDict = {}
        if text is not None:
            if len(str(text)) > _MESSAGE_TEXT_LIMIT:
                raise _SlackError("msg_too_long")
            content["text"] = str(text)
        if blocks not in (None, "", []):
            if isinstance(blocks, str):
                raise _SlackError("invalid_blocks_format")
            errors = _validate_blocks(blocks, limit=_MESSAGE_BLOCK_LIMIT)
            if errors:
                raise _SlackError("invalid_blocks", errors)
            content["blocks"] = blocks
        if attachments not in (None, "", []):
            if not isinstance(attachments, list):
                raise _SlackError("invalid_attachments")
            content["attachments"] = attachments
        metadata = args.get("metadata")
        if metadata not in (None, ""):
            if not isinstance(metadata, dict) or not metadata.get("event_type"):
                raise _SlackError("invalid_metadata_format", ["[ERROR] metadata needs event_type"])
            content["metadata"] = metadata
        return content

    def _bot_message(self, ts: str, content: JsonDict) -> JsonDict:
        message: JsonDict = {
            "user": self.bot_user_id,
            "type": "message",
            "ts": ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": content.get("text", ""),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in content:
                message[key] = content[key]
        return message

    async def _chat_post_message(self, args: JsonDict, kind: str) -> JsonDict:
        channel_id = self._resolve_channel(args["channel"])
        content = self._message_content(args, required=True)
        ts = self._next_ts()
        message = self._bot_message(ts, content)
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        self.messages.setdefault(channel_id, []).append(message)
        return {"ok": True, "channel": channel_id, "ts": ts, "message": message}

    async def _conversations_history(self, args: JsonDict, kind: str) -> JsonDict:
        if not args.get("channel"):
            raise _SlackError("channel_not_found")
        channel_id = self._resolve_channel(args["channel"])
        within = _ts_window(args)
        # Top-level messages only (thread replies are conversations.replies'), newest first.
        found = [
            m
            for m in self.messages.get(channel_id, [])
            if within(float(m["ts"])) and m.get("thread_ts", m["ts"]) == m["ts"]
        ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        return _message_page(found, args, "history")

    async def _conversations_replies(self, args: JsonDict, kind: str) -> JsonDict:
        if not args.get("channel"):
            raise _SlackError("channel_not_found")
        channel_id = self._resolve_channel(args["channel"])
        ts = str(args.get("ts") or "")
        messages = self.messages.get(channel_id, [])
        parent = next((m for m in messages if m["ts"] == ts), None)
        if parent is None:
            raise _SlackError("thread_not_found")
        within = _ts_window(args)
        # The thread's first message, then its replies, oldest first, as Slack answers.
        replies = [
            m
            for m in messages
            if m.get("thread_ts") == ts and m["ts"] != ts and within(float(m["ts"]))
        ]
        replies.sort(key=lambda m: float(m["ts"]))
        return _message_page([parent, *replies], args, "replies")

    async def _chat_post_ephemeral(self, args: JsonDict, kind: str) -> JsonDict:
        channel_id = self._resolve_channel(args["channel"])
        user_id = str(args["user"])
        self._user(user_id)
        members = self.channels[channel_id].get("members")
        if members is not None and user_id not in members:
            raise _SlackError("user_not_in_channel")
        content = self._message_content(args, required=True)
        ts = self._next_ts()
        self.ephemeral_messages.append(
            {**self._bot_message(ts, content), "channel": channel_id, "to_user": user_id}
        )
        return {"ok": True, "message_ts": ts}

    async def _chat_update(self, args: JsonDict, kind: str) -> JsonDict:
        channel_id = self._resolve_channel(args["channel"])
        ts = str(args["ts"])
        for message in self.messages.get(channel_id, []):
            if message["ts"] == ts:
                break
        else:
            raise _SlackError("message_not_found")
        content = self._message_content(args, required=True)
        message.update(content)
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel_id,
            "ts": ts,
            "text": message.get("text", ""),
            "message": {k: v for k, v in message.items() if k not in ("ts", "edited")},
        }

    def _checked_view(self, args: JsonDict) -> JsonDict:
        view = args["view"]
        if isinstance(view, str):
            _invalid_view(["[ERROR] failed to parse view: invalid JSON"])
        errors = _validate_view(view)
        if errors:
            _invalid_view(errors)
        return dict(view)

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _store_view(self, view: JsonDict, *, view_id: str | None = None, **extra: Any) -> JsonDict:
        view_id = view_id or "V" + secrets.token_hex(5).upper()
        stored: JsonDict = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        stored.update(extra)
        return stored

    def _consume_trigger(self, trigger_id: str) -> None:
        created = self._triggers.get(trigger_id)
        if created is None:
            raise _SlackError("invalid_trigger_id")
        if trigger_id in self._used_triggers or time.monotonic() - created > self.trigger_ttl:
            raise _SlackError("expired_trigger_id")
        self._used_triggers.add(trigger_id)

    async def _views_open(self, args: JsonDict, kind: str) -> JsonDict:
        view = self._checked_view(args)
        if view.get("type") != "modal":
            _invalid_view(['[ERROR] view type must be "modal" [json-pointer:/view/type]'])
        external_id = view.get("external_id")
        if external_id and any(v.get("external_id") == external_id for v in self.views.values()):
            raise _SlackError("duplicate_external_id")
        self._consume_trigger(str(args["trigger_id"]))
        stored = self._store_view(view)
        self.views[stored["id"]] = stored
        return {"ok": True, "view": stored}

    async def _views_publish(self, args: JsonDict, kind: str) -> JsonDict:
        view = self._checked_view(args)
        if view.get("type") != "home":
            _invalid_view(['[ERROR] view type must be "home" [json-pointer:/view/type]'])
        user_id = str(args["user_id"])
        user = self._user(user_id)
        if user["deleted"]:
            raise _SlackError("user_disabled")
        previous = self.home_views.get(user_id)
        if previous is not None and args.get("hash") and args["hash"] != previous["hash"]:
            raise _SlackError("hash_conflict")
        stored = self._store_view(view, view_id=previous["id"] if previous else None)
        self.home_views[user_id] = stored
        return {"ok": True, "view": stored}

    async def _views_update(self, args: JsonDict, kind: str) -> JsonDict:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            raise _SlackError(
                "invalid_arguments", ["[ERROR] either view_id or external_id is required"]
            )
        view = self._checked_view(args)
        current: JsonDict | None = None
        if view_id:
            current = self.views.get(str(view_id))
            if current is None:
                current = next((v for v in self.home_views.values() if v["id"] == view_id), None)
        else:
            current = next(
                (v for v in self.views.values() if v.get("external_id") == external_id), None
            )
        if current is None:
            raise _SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        stored = self._store_view(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        if not stored["external_id"]:
            stored["external_id"] = current["external_id"]
        if current["id"] in self.views:
            self.views[current["id"]] = stored
        else:
            for user_id, home in self.home_views.items():
                if home["id"] == current["id"]:
                    self.home_views[user_id] = stored
        return {"ok": True, "view": stored}

    async def _apps_connections_open(self, args: JsonDict, kind: str) -> JsonDict:
        ticket = str(uuid.uuid4())
        self._socket_tickets.add(ticket)
        url = f"ws://{self.host}:{self.port}/socket-mode?ticket={ticket}&app_id={self.app_id}"
        return {"ok": True, "url": url}

    # ------------------------------------------------------------- file uploads

    async def _files_upload(self, args: JsonDict, kind: str) -> JsonDict:
        # Retired by Slack for every app; this is the answer it now gives.
        raise _SlackError("method_deprecated")

    async def _files_get_upload_url_external(self, args: JsonDict, kind: str) -> JsonDict:
        filename = str(args["filename"])
        raw_length = args["length"]
        if isinstance(raw_length, bool):
            raw_length = None  # JSON true is not a length
        try:
            length = int(str(raw_length).strip())
        except ValueError:
            raise _SlackError(
                "invalid_arguments", ["[ERROR] length must be an integer [json-pointer:/length]"]
            ) from None
        if length == 0:
            # Slack's documented answer for a zero length.
            raise _SlackError("missing_argument")
        if length < 0:
            raise _SlackError(
                "invalid_arguments", ["[ERROR] length must be positive [json-pointer:/length]"]
            )
        alt_txt = args.get("alt_txt") or None
        if alt_txt is not None and len(str(alt_txt)) > _files.ALT_TXT_LIMIT:
            raise _SlackError("alt_txt_too_large")
        snippet_type = args.get("snippet_type") or None
        if snippet_type is not None and length > _files.SNIPPET_LIMIT:
            raise _SlackError("snippet_too_large")
        file_id = "F" + secrets.token_hex(5).upper()
        token = secrets.token_urlsafe(24)
        self._uploads[file_id] = _files.new_record(
            file_id,
            filename,
            length,
            token,
            alt_txt=None if alt_txt is None else str(alt_txt),
            snippet_type=None if snippet_type is None else str(snippet_type),
        )
        self._upload_tokens[token] = file_id
        return {
            "ok": True,
            "upload_url": f"{self.base_url}/upload/v1/{token}",
            "file_id": file_id,
        }

    def _file_refs(self, raw: Any) -> list[tuple[UploadedFile, str | None]]:
        """Parse and check the `files` argument; every file must be uploaded and unfinished."""
        if not isinstance(raw, list) or not raw:
            raise _SlackError(
                "invalid_arguments",
                ["[ERROR] files must be a non-empty JSON array [json-pointer:/files]"],
            )
        refs: list[tuple[UploadedFile, str | None]] = []
        seen: set[str] = set()
        for index, entry in enumerate(raw):
            where = f"[json-pointer:/files/{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise _SlackError("invalid_arguments", [f"[ERROR] expected {{id, title}} {where}"])
            file_id = entry["id"]
            if file_id in seen:
                raise _SlackError("invalid_arguments", [f"[ERROR] duplicate file id {where}"])
            seen.add(file_id)
            record = self._uploads.get(file_id)
            # Never issued, bytes never arrived, or already completed (Slack allows one call).
            if record is None or record.content is None or record.completed:
                raise _SlackError("file_not_found")
            if len(record.content) != record.length:
                raise _SlackError(
                    "invalid_arguments",
                    [
                        f"[ERROR] {len(record.content)} bytes were uploaded but "
                        f"files.getUploadURLExternal declared length {record.length} {where}"
                    ],
                )
            title = entry.get("title")
            refs.append((record, None if title in (None, "") else str(title)))
        return refs

    def _share_targets(self, args: JsonDict) -> list[str]:
        wanted: list[str] = []
        if args.get("channel_id"):
            wanted.append(str(args["channel_id"]))
        channels = args.get("channels")
        if isinstance(channels, list):
            wanted.extend(str(c).strip() for c in channels)
        elif channels:
            wanted.extend(c.strip() for c in str(channels).split(","))
        wanted = list(dict.fromkeys(c for c in wanted if c))
        if len(wanted) > _files.CHANNELS_LIMIT:
            raise _SlackError("channels_limit_exceeded")
        if args.get("thread_ts") and len(wanted) > 1:
            raise _SlackError("invalid_arguments", ["[ERROR] thread_ts needs exactly one channel"])
        # channel_not_found for unknown ids; user ids mean the bot's DM, as in chat.postMessage.
        return list(dict.fromkeys(self._resolve_channel(c) for c in wanted))

    async def _files_complete_upload_external(self, args: JsonDict, kind: str) -> JsonDict:
        # Check everything before changing anything, so a refused call can be retried.
        refs = self._file_refs(args["files"])
        channel_ids = self._share_targets(args)
        comment = args.get("initial_comment")
        content: JsonDict = {}
        if comment:
            content["text"] = str(comment)
            if len(content["text"]) > _MESSAGE_TEXT_LIMIT:
                raise _SlackError("msg_too_long")
        elif args.get("blocks"):
            # Slack ignores blocks when initial_comment is given.
            content = self._message_content({"blocks": args["blocks"]}, required=False)
        thread_ts = str(args["thread_ts"]) if args.get("thread_ts") else None

        records = [record for record, _ in refs]
        for record, title in refs:
            record.title = title or record.filename
            record.completed = True
            record.channels = list(channel_ids)
            record.initial_comment = str(comment) if comment else None
            record.thread_ts = thread_ts
        # One message per channel carries all the files, like Slack's file share.
        messages: list[tuple[str, JsonDict]] = []
        for channel_id in channel_ids:
            ts = self._next_ts()
            for record in records:
                record.message_ts[channel_id] = ts
            message = self._bot_message(ts, content)
            message.update({"upload": True, "display_as_bot": False})
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
            messages.append((channel_id, message))
        shared_in = [self.channels[c] for c in channel_ids]
        for channel_id, message in messages:
            message["files"] = [self._file_object(r, shared_in=shared_in) for r in records]
            self.messages.setdefault(channel_id, []).append(message)
        return {"ok": True, "files": [self._file_object(r) for r in records]}

    def _file_object(
        self, record: UploadedFile, *, shared_in: list[JsonDict] | None = None
    ) -> JsonDict:
        return _files.file_object(
            record,
            team_id=self.team_id,
            team_domain=self.team_domain,
            user_id=self.bot_user_id,
            shared_in=shared_in,
        )

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        """The upload URL handed out by files.getUploadURLExternal (files.slack.com/upload/v1)."""
        file_id = self._upload_tokens.get(request.match_info["token"])
        record = self._uploads.get(file_id) if file_id is not None else None
        if record is None or record.completed:
            return web.Response(status=404, text="Not Found", content_type="text/plain")
        data = await _files.read_upload_body(request)
        script = self._next_script(UPLOAD_ROUTE)
        if script is not None and script.delay > 0:
            await asyncio.sleep(script.delay)
        if script is not None and script.status != 200:
            headers = {"Retry-After": str(script.retry_after or 1)} if script.status == 429 else {}
            return web.Response(
                status=script.status, text="Error", content_type="text/plain", headers=headers
            )
        record.content = data  # a repeated POST replaces the bytes, until completion
        await self._notify()
        # Slack answers with the number of bytes it received, as plain text.
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    # ------------------------------------------------------- HTTP: response_url

    async def _handle_response_url(self, request: web.Request) -> web.StreamResponse:
        url = f"{self.base_url}{request.path}"
        raw = await request.text()
        try:
            body: Any = json.loads(raw)
        except json.JSONDecodeError:
            body = raw
        recorded = RecordedResponse(url=url, json=body, at=time.monotonic())
        self.responses.append(recorded)
        status, answer = self._answer_response_url(url, body)
        recorded.status = status
        await self._notify()
        if status == 200:
            return web.json_response(answer)
        return web.Response(status=status, text=answer.get("error", "error"))

    def _answer_response_url(self, url: str, body: Any) -> tuple[int, JsonDict]:
        entry = self._response_urls.get(url)
        if entry is None:
            return 404, {"ok": False, "error": "no_service"}
        entry.uses += 1
        if (
            entry.uses > _RESPONSE_URL_USES
            or time.monotonic() - entry.created > self.response_url_ttl
        ):
            return 404, {"ok": False, "error": "expired_url"}
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "invalid_payload"}
        if "blocks" in body and _validate_blocks(body["blocks"], limit=_MESSAGE_BLOCK_LIMIT):
            return 400, {"ok": False, "error": "invalid_blocks"}
        if not any(k in body for k in ("text", "blocks", "attachments", "delete_original")):
            return 400, {"ok": False, "error": "no_text"}
        return 200, {"ok": True}

    # ------------------------------------------------------------- Socket Mode

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._socket_tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)  # answers the client's pings with pongs
        await ws.prepare(request)
        self._sockets.append(ws)
        self.socket_connection_count += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len([s for s in self._sockets if not s.closed]),
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        )
        await self._notify()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except json.JSONDecodeError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("envelope_id"), str):
                    self.acks[data["envelope_id"]] = data
                    await self._notify()
        finally:
            self._sockets.remove(ws)
            await self._notify()
        return ws

    async def _live_socket(self, limit: float) -> web.WebSocketResponse:
        def find() -> web.WebSocketResponse | None:
            live = [s for s in self._sockets if not s.closed]
            return live[-1] if live else None

        try:
            return await self._wait_until(find, limit)
        except TimeoutError:
            raise TimeoutError(f"no live Socket Mode connection within {limit}s") from None

    async def socket_send(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5.0,  # noqa: ASYNC109 - documented test API
    ) -> str:
        """Deliver an envelope on the newest live connection; returns its envelope_id.

        `accepts_response_payload` defaults to what Slack sends: true for slash commands,
        view submissions and options requests, false for events and other interactions.
        """
        if type not in {"slash_commands", "interactive", "events_api"}:
            raise ValueError(f"unknown envelope type {type!r}")
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or payload.get("type") in {
                "view_submission",
                "block_suggestion",
            }
        ws = await self._live_socket(timeout)
        envelope_id = str(uuid.uuid4())
        envelope: JsonDict = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": type,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt
            envelope["retry_reason"] = retry_reason
        await ws.send_json(envelope)
        return envelope_id

    async def wait_for_ack(
        self,
        envelope_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - documented test API
    ) -> dict[str, Any]:
        try:
            return await self._wait_until(lambda: self.acks.get(envelope_id), timeout)
        except TimeoutError:
            raise TimeoutError(f"no ack for envelope {envelope_id} within {timeout}s") from None

    async def socket_request_reconnect(self, reason: str = "refresh_requested") -> None:
        """Ask live clients to reconnect, as Slack does before rotating a connection."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for ws in [s for s in self._sockets if not s.closed]:
            await ws.send_json(message)

    async def wait_for_socket_connections(
        self,
        n: int,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - documented test API
    ) -> None:
        try:
            await self._wait_until(
                lambda: True if self.socket_connection_count >= n else None, timeout
            )
        except TimeoutError:
            raise TimeoutError(
                f"{self.socket_connection_count} Socket Mode connections, wanted {n}"
            ) from None

    @property
    def socket_live_connections(self) -> int:
        return len([s for s in self._sockets if not s.closed])
