"""What a simulated person does in Slack: type a command, fill in a modal, press a button, write
in the DM. Each is a signed request to the app's real endpoint; the app's answer is read back
from the fake Slack once the work it started after the ack has finished."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.fakes import FakeSlack, SlackRequestSender
from bot.fakes.modal_state import with_values
from bot.fakes.requests import SentRequest
from bot.process.runtime import Server

JsonDict = dict[str, Any]
# Listeners finish long before this; a slower one is reported by the tracker and the run fails.
LISTENER_GRACE_SECONDS = 10.0


class DemoStepFailed(Exception):
    """The app did not answer a simulated person as Slack requires."""


@dataclass(frozen=True, slots=True)
class Button:
    action_id: str
    value: str | None
    block_id: str


def buttons(message: Mapping[str, Any]) -> Iterator[Button]:
    """Every button in a message's blocks (section accessories and actions blocks)."""
    for block in message.get("blocks") or []:
        elements = list(block.get("elements") or [])
        if block.get("accessory"):
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("type") == "button":
                yield Button(
                    str(element.get("action_id", "")),
                    element.get("value"),
                    str(block.get("block_id", "b")),
                )


def find_button(message: Mapping[str, Any], action_id: str) -> Button | None:
    return next((b for b in buttons(message) if b.action_id == action_id), None)


class Hands:
    """One workspace's people, acting through `sender` on `server`, watched on `fake`."""

    def __init__(self, sender: SlackRequestSender, fake: FakeSlack, server: Server) -> None:
        self.sender = sender
        self.fake = fake
        self.server = server
        self.requests = 0

    async def _settled(self, sent: SentRequest, what: str) -> SentRequest:
        self.requests += 1
        if sent.status != 200:
            raise DemoStepFailed(f"{what}: the app answered HTTP {sent.status}")
        await self.server.inflight.drain(LISTENER_GRACE_SECONDS)
        return sent

    async def command(self, user: str, text: str) -> list[JsonDict]:
        """`/peercoach text`; what the person saw: the ack's body and any response_url answers."""
        mark = len(self.fake.responses)
        sent = await self._settled(await self.sender.command(text, user_id=user), text)
        url = sent.payload["response_url"]
        answers = [sent.json] if sent.json else []
        answers += [r.json for r in self.fake.responses[mark:] if r.url == url]
        return [a for a in answers if isinstance(a, dict)]

    async def open_modal(self, user: str, text: str, callback_id: str) -> JsonDict:
        """A command that opens a modal; the modal as Slack shows it."""
        mark = len(self.fake.calls)
        await self.command(user, text)
        return self.opened_view(callback_id, mark)

    def opened_view(self, callback_id: str, mark: int) -> JsonDict:
        for call in reversed(self.fake.calls[mark:]):
            if call.method not in ("views.open", "views.push") or not call.response.get("ok"):
                continue
            view = call.response["view"]
            if view.get("callback_id") == callback_id:
                return dict(view)
        raise DemoStepFailed(f"the {callback_id} modal did not open")

    async def submit(
        self, user: str, view: JsonDict, changes: Mapping[str, Mapping[str, Any]]
    ) -> JsonDict:
        """Fill in `view` (its prefilled values with `changes`) and submit it; the ack's body."""
        sent = await self.sender.view_submission(
            str(view["callback_id"]),
            with_values(view, changes),
            user_id=user,
            private_metadata=str(view.get("private_metadata") or ""),
            view=view,
        )
        await self._settled(sent, f"submitting {view['callback_id']}")
        body = sent.json if isinstance(sent.json, dict) else {}
        if body.get("response_action") == "errors":
            raise DemoStepFailed(f"{view['callback_id']} refused: {sorted(body['errors'])}")
        return body

    async def press(
        self,
        user: str,
        button: Button,
        *,
        channel: str | None = None,
        message_ts: str | None = None,
    ) -> list[JsonDict]:
        """Press a button in a message; the answers sent to its response_url."""
        mark = len(self.fake.responses)
        payload = self.sender.block_action_payload(
            button.action_id,
            user_id=user,
            value=button.value,
            block_id=button.block_id,
            channel_id=channel,
            message_ts=message_ts,
        )
        sent = await self._settled(
            await self.sender._post_interaction(payload), f"pressing {button.action_id}"
        )
        url = sent.payload["response_url"]
        return [r.json for r in self.fake.responses[mark:] if r.url == url]

    async def press_in_modal_opener(self, user: str, button: Button, callback_id: str) -> JsonDict:
        """Press a button that opens a modal; the modal."""
        mark = len(self.fake.calls)
        await self.press(user, button)
        return self.opened_view(callback_id, mark)

    async def write(self, user: str, text: str) -> list[JsonDict]:
        """Type `text` in the DM with the app; the app's answers in that DM."""
        channel = self.fake.im_channel_id(user)
        before = len(self.fake.messages.get(channel, []))
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": channel,
            "user": user,
            "text": text,
        }
        await self._settled(await self.sender.event(event), "a message in the DM")
        return list(self.fake.messages.get(channel, [])[before:])
