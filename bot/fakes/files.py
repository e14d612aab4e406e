"""Slack's external file upload flow, as the fake models it.

Slack retired `files.upload`; clients now call `files.getUploadURLExternal` (declaring a
filename and byte length), POST the bytes to the `upload_url` it returns, then call
`files.completeUploadExternal` to finish and share. `FakeSlack` owns the Web API methods and
the HTTP route; this module holds the records and the Slack-shaped file objects they produce.
"""

from __future__ import annotations

import mimetypes
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

__all__ = ["UploadedFile"]

JsonDict = dict[str, Any]

# Slack's limits for the arguments of files.getUploadURLExternal.
ALT_TXT_LIMIT = 1000
SNIPPET_LIMIT = 1024 * 1024
# files.completeUploadExternal refuses to share into more channels than this at once.
CHANNELS_LIMIT = 100

# Slack's (filetype, pretty_type) per extension; anything else is "binary".
_FILETYPES = {
    "json": ("json", "JSON"),
    "txt": ("text", "Plain Text"),
    "csv": ("csv", "CSV"),
    "md": ("markdown", "Markdown (raw)"),
    "yaml": ("yaml", "YAML"),
    "yml": ("yaml", "YAML"),
    "html": ("html", "HTML"),
    "py": ("python", "Python"),
    "pdf": ("pdf", "PDF"),
    "zip": ("zip", "Zip"),
    "png": ("png", "PNG"),
    "jpg": ("jpg", "JPEG"),
    "jpeg": ("jpg", "JPEG"),
    "gif": ("gif", "GIF"),
}


@dataclass
class UploadedFile:
    """One file started with files.getUploadURLExternal, in the order the tickets were issued.

    `content` is None until bytes reach the upload URL; `completed` turns true once
    files.completeUploadExternal accepted it, and `channels` / `message_ts` say where it
    was shared (empty for a file left private).
    """

    file_id: str
    filename: str
    length: int  # as declared to files.getUploadURLExternal
    upload_token: str
    created: int
    title: str = ""
    alt_txt: str | None = None
    snippet_type: str | None = None
    content: bytes | None = None
    completed: bool = False
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    message_ts: dict[str, str] = field(default_factory=dict)  # channel id → message ts

    @property
    def text(self) -> str:
        """The content decoded as UTF-8 (what `files_upload_v2(content=str)` encodes to)."""
        if self.content is None:
            raise ValueError(f"no bytes were uploaded for {self.file_id}")
        return self.content.decode("utf-8")


def new_record(file_id: str, filename: str, length: int, token: str, **extra: Any) -> UploadedFile:
    return UploadedFile(
        file_id=file_id,
        filename=filename,
        length=length,
        upload_token=token,
        created=int(time.time()),
        **extra,
    )


async def read_upload_body(request: web.Request) -> bytes:
    """The file bytes of a POST to an upload URL.

    Slack takes either the raw bytes (what slack_sdk sends) or a multipart form; for the
    latter the first part carrying a filename wins, else the first part.
    """
    if request.content_type != "multipart/form-data":
        return await request.read()
    reader = await request.multipart()
    first: bytes | None = None
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue  # a nested multipart: no client sends one
        data = bytes(await part.read(decode=True))
        if part.filename:
            return data
        if first is None:
            first = data
    return first or b""


def _file_types(record: UploadedFile) -> tuple[str, str, str]:
    extension = record.filename.rpartition(".")[2].lower() if "." in record.filename else ""
    filetype, pretty = _FILETYPES.get(extension, ("binary", "Binary"))
    if record.snippet_type:
        filetype, pretty = record.snippet_type, record.snippet_type.capitalize()
    mimetype = mimetypes.guess_type(record.filename)[0] or (
        "text/plain" if record.snippet_type else "application/octet-stream"
    )
    return mimetype, filetype, pretty


def _conversation_kind(channel: JsonDict) -> str:
    if channel.get("is_im"):
        return "ims"
    if channel.get("is_private") or channel.get("is_mpim") or channel.get("is_group"):
        return "groups"
    return "channels"


def file_object(
    record: UploadedFile,
    *,
    team_id: str,
    team_domain: str,
    user_id: str,
    shared_in: list[JsonDict] | None = None,
) -> JsonDict:
    """A Slack file object for `record`.

    Without `shared_in` it is what files.completeUploadExternal answers: Slack scans and
    shares files asynchronously, so that answer has empty mimetype/filetype and no shares
    (apps must not read the message ts from it). With `shared_in` (the channel objects it
    went to) it is the processed object that appears on the file-share messages.
    """
    url_name = record.filename.lower().replace(" ", "_")
    obj: JsonDict = {
        "id": record.file_id,
        "created": record.created,
        "timestamp": record.created,
        "name": record.filename,
        "title": record.title or record.filename,
        "mimetype": "",
        "filetype": "",
        "pretty_type": "",
        "user": user_id,
        "user_team": team_id,
        "editable": False,
        "size": len(record.content) if record.content is not None else record.length,
        "mode": "snippet" if record.snippet_type else "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"https://files.slack.com/files-pri/{team_id}-{record.file_id}/{url_name}",
        "url_private_download": (
            f"https://files.slack.com/files-pri/{team_id}-{record.file_id}/download/{url_name}"
        ),
        "permalink": f"https://{team_domain}.slack.com/files/{user_id}/{record.file_id}/{url_name}",
        "permalink_public": f"https://slack-files.com/{team_id}-{record.file_id}-fakepub",
        "comments_count": 0,
        "is_starred": False,
        "shares": {},
        "channels": [],
        "groups": [],
        "ims": [],
        "has_more_shares": False,
        "has_rich_preview": False,
        "file_access": "visible",
    }
    if record.alt_txt:
        obj["alt_txt"] = record.alt_txt
    if shared_in is None:
        return obj
    obj["mimetype"], obj["filetype"], obj["pretty_type"] = _file_types(record)
    shares: dict[str, dict[str, list[JsonDict]]] = {}
    for channel in shared_in:
        kind = _conversation_kind(channel)
        obj[kind].append(channel["id"])
        visibility = "public" if kind == "channels" else "private"
        share: JsonDict = {
            "reply_users": [],
            "reply_users_count": 0,
            "reply_count": 0,
            "ts": record.message_ts[channel["id"]],
            "channel_name": channel.get("name", ""),
            "team_id": team_id,
            "share_user_id": user_id,
            "source": "UNKNOWN",
            "is_silent": False,
        }
        if record.thread_ts:
            share["thread_ts"] = record.thread_ts
        shares.setdefault(visibility, {})[channel["id"]] = [share]
    obj["shares"] = shares
    obj["is_public"] = "public" in shares
    return obj
