"""Block Kit for the replies to joining, pausing, leaving and data requests.

Each builder returns an ephemeral message dict (`{"response_type", "text", "blocks"}`) unless
its docstring says otherwise. The handlers decide what happened; these only say it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.commands.intents import FindKind
from bot.domain import EnrolmentState
from bot.enrolment.home_state import HomeState
from bot.slack.blocks.commands import Message
from bot.slack.blocks.dates import format_date
from bot.slack.blocks.home import (
    clip,
    join_names,
    participation_blocks,
    programme_description,
)
from bot.slack.copy import enrolment as copy
from bot.slack.copy import programmes as programmes_copy
from bot.slack.copy import text
from bot.slack.mrkdwn import escape

ACTION_CONFIRM_LEAVE: Final = "confirm_leave"
ACTION_CONFIRM_FORGET: Final = "confirm_forget"
ACTION_CANCEL: Final = "cancel"
BLOCK_LEAVE_ACTIONS: Final = "leave_confirmation"
BLOCK_FORGET_ACTIONS: Final = "forget_confirmation"

PAUSE_CALLBACK_ID: Final = "pause_modal"
BLOCK_PAUSE_UNTIL: Final = "pause_until"
ACTION_PAUSE_UNTIL: Final = "pause_until_pick"
PAUSE_DEFAULT: Final = timedelta(days=14)

SLASH: Final = text.SLASH_COMMAND


def _ephemeral(fallback: str, blocks: list[Block]) -> Message:
    return {
        "response_type": "ephemeral",
        "text": fallback,
        "blocks": [block.to_dict() for block in blocks],
    }


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words)))


def _context(words: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(words))])


def _simple(words: str) -> Message:
    """A one-section message whose fallback is the same sentence."""
    return _ephemeral(words, [_section(words)])


def _button(
    label: str,
    action_id: str,
    *,
    value: str,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=label),
        action_id=action_id,
        value=value,
        style=style,
        confirm=confirm,
    )


def status_message(state: HomeState) -> Message:
    """`/peercoach status`: the same facts as the Home tab, with commands instead of buttons."""
    if state.state is EnrolmentState.NOT_ENROLLED:
        return _simple(copy.STATUS_NOT_ENROLLED.format(slash=SLASH))
    if state.state is EnrolmentState.LEFT:
        return _simple(copy.STATUS_LEFT.format(slash=SLASH))
    blocks = participation_blocks(state)
    hints = copy.STATUS_HINTS_PAUSED if state.state is EnrolmentState.PAUSED else copy.STATUS_HINTS
    blocks.append(_context(hints.format(slash=SLASH)))
    fallback = copy.HOME_ENROLLED.format(programme=programme_description(state))
    if state.state is EnrolmentState.PAUSED:
        fallback = (
            copy.HOME_PAUSED_UNTIL.format(date=format_date(state.paused_until))
            if state.paused_until is not None
            else copy.HOME_PAUSED
        )
    return _ephemeral(fallback, blocks)


def _next_round(next_round: date | None, on: str, soon: str) -> str:
    return soon if next_round is None else on.format(date=format_date(next_round))


def joined_message(
    kind: FindKind,
    *,
    next_round: date | None,
    profile_summary: str,
    first_time: bool,
    resumed: bool = False,
    returned: bool = False,
    programme_name: str | None = None,
    added: bool = True,
    also_in: tuple[str, ...] = (),
) -> Message:
    """After `find`, `find circle`, `find mentor` or `find flash` (see also `flash_message`).

    Names the programme joined, says so when the person was in it already, and names the
    other programmes they stay in: joining one never drops another."""
    joined = copy.JOINED[kind.value]
    if programme_name is not None:
        name = escape(programme_name)
        joined = programmes_copy.JOINED_PROGRAMME.format(name=name) + " " + joined
        if not added:
            joined = programmes_copy.JOINED_ALREADY_IN.format(name=name)
    if resumed:
        joined = f"{copy.JOINED_RESUMED} {joined}"
    elif returned:
        joined = f"{copy.JOINED_RETURNED} {joined}"
    elif first_time:
        joined = f"{copy.JOINED_WELCOME} {joined}"
    when = _next_round(next_round, copy.JOINED_NEXT_ROUND_ON, copy.JOINED_NEXT_ROUND_SOON)
    blocks: list[Block] = [_section(f"{joined}\n{when}")]
    if also_in:
        blocks.append(_section(also_in_text(also_in)))
    if profile_summary.strip():
        blocks.append(_section(f"{copy.JOINED_PROFILE_TITLE}\n{profile_summary}"))
    if first_time:
        # A newcomer has not seen the Home tab yet; the guide is the one thing worth reading.
        blocks.append(_section(f"{text.HOME_GOOD_PEER_COACH_TITLE}\n{text.HOME_GOOD_PEER_COACH}"))
    blocks.append(_context(copy.JOINED_PROFILE_HINT.format(slash=SLASH)))
    return _ephemeral(joined, blocks)


def also_in_text(names: tuple[str, ...]) -> str:
    """ "You are also still in *Peer pairs*: nothing changes there." """
    return programmes_copy.JOINED_ALSO_IN.format(
        names=join_names([f"*{escape(name)}*" for name in names])
    )


def mentor_offer_message(
    capacity: int,
    *,
    next_round: date | None,
    resumed: bool = False,
    also_in: tuple[str, ...] = (),
) -> Message:
    """After `mentor [1-3]`."""
    capacity_line = (
        copy.MENTOR_CAPACITY_ONE
        if capacity == 1
        else copy.MENTOR_CAPACITY_MANY.format(capacity=capacity)
    )
    first = copy.MENTOR_OFFER.format(capacity_line=capacity_line)
    if resumed:
        first = f"{copy.JOINED_RESUMED} {first}"
    when = _next_round(next_round, copy.MENTOR_NEXT_ROUND_ON, copy.MENTOR_NEXT_ROUND_SOON)
    blocks: list[Block] = [_section(f"{first}\n{when}")]
    if also_in:
        blocks.append(_section(also_in_text(also_in)))
    blocks.append(_context(copy.MENTOR_HINT.format(slash=SLASH)))
    return _ephemeral(first, blocks)


def profile_saved_message(*, enrolled: bool) -> Message:
    """After the profile modal is saved outside of joining."""
    if enrolled:
        return _simple(copy.PROFILE_SAVED_ENROLLED)
    return _simple(copy.PROFILE_SAVED_NOT_ENROLLED.format(slash=SLASH))


def paused_message(until: date | None) -> Message:
    """After a pause; `until` None means until the person resumes."""
    if until is None:
        return _simple(copy.PAUSED_OPEN.format(slash=SLASH))
    first = copy.PAUSED_UNTIL.format(date=format_date(until))
    return _ephemeral(first, [_section(first), _context(copy.PAUSED_HINT.format(slash=SLASH))])


def resumed_message(*, next_round: date | None) -> Message:
    when = _next_round(next_round, copy.RESUMED_NEXT_ROUND_ON, copy.RESUMED_NEXT_ROUND_SOON)
    return _ephemeral(copy.RESUMED, [_section(f"{copy.RESUMED}\n{when}")])


def already_message(what: str) -> Message:
    """A request that changes nothing because it is already so.

    `what` names the case: "not_paused", "paused", "left" or "joined". Any other value is
    taken as the sentence to show, which should then come from `bot.slack.copy`."""
    keyed = copy.ALREADY.get(what)
    sentence = what if keyed is None else keyed.format(slash=SLASH)
    return _ephemeral(sentence, [_section(sentence), _context(copy.NOTHING_CHANGED)])


def already_paused_message(until: date | None) -> Message:
    if until is None:
        return already_message("paused")
    return already_message(copy.ALREADY_PAUSED_UNTIL.format(date=format_date(until), slash=SLASH))


def already_joined_message(state: HomeState) -> Message:
    """`find` for the programme the person is already in."""
    return already_message(copy.ALREADY_JOINED.format(programme=programme_description(state)))


def leave_confirmation() -> Message:
    blocks: list[Block] = [
        _section(copy.LEAVE_CONFIRM.format(slash=SLASH)),
        ActionsBlock(
            block_id=BLOCK_LEAVE_ACTIONS,
            elements=[
                _button(
                    copy.BUTTON_CONFIRM_LEAVE, ACTION_CONFIRM_LEAVE, value="leave", style="danger"
                ),
                _button(copy.BUTTON_CANCEL, ACTION_CANCEL, value="leave"),
            ],
        ),
    ]
    return _ephemeral(copy.LEAVE_CONFIRM_FALLBACK, blocks)


def left_message() -> Message:
    first = copy.LEFT.format(slash=SLASH)
    return _ephemeral(first, [_section(first), _context(copy.LEFT_FORGET_HINT.format(slash=SLASH))])


def forget_confirmation() -> Message:
    # Deleting is irreversible, so the button asks a second time in Slack's own dialog.
    dialog = ConfirmObject(
        title=PlainTextObject(text=copy.FORGET_DIALOG_TITLE),
        text=PlainTextObject(text=copy.FORGET_DIALOG_TEXT),
        confirm=PlainTextObject(text=copy.FORGET_DIALOG_CONFIRM),
        deny=PlainTextObject(text=copy.FORGET_DIALOG_DENY),
        style="danger",
    )
    blocks: list[Block] = [
        _section(copy.FORGET_CONFIRM),
        _section(copy.FORGET_DELETED),
        _section(copy.FORGET_KEPT),
        _section(copy.FORGET_IRREVERSIBLE.format(slash=SLASH)),
        ActionsBlock(
            block_id=BLOCK_FORGET_ACTIONS,
            elements=[
                _button(
                    copy.BUTTON_CONFIRM_FORGET,
                    ACTION_CONFIRM_FORGET,
                    value="forget",
                    style="danger",
                    confirm=dialog,
                ),
                _button(copy.BUTTON_CANCEL, ACTION_CANCEL, value="forget"),
            ],
        ),
    ]
    return _ephemeral(copy.FORGET_CONFIRM_FALLBACK, blocks)


def forgotten_message() -> Message:
    return _simple(copy.FORGOTTEN)


def cancelled_message() -> Message:
    return _simple(copy.CANCELLED)


def export_sent_message() -> Message:
    return _simple(copy.EXPORT_SENT)


def export_file_comment() -> str:
    """Plain text posted with the export file in the DM."""
    return copy.EXPORT_FILE_COMMENT


def not_enrolled_message(command: str) -> Message:
    """A command that needs enrolment, from someone not (or no longer) taking part."""
    first = copy.NOT_ENROLLED.get(command) or copy.NOT_ENROLLED_OTHER.format(
        slash=SLASH, command=command
    )
    nxt = copy.NOT_ENROLLED_NEXT.format(slash=SLASH)
    return _ephemeral(f"{first} {nxt}", [_section(f"{first}\n{nxt}")])


def refusal_message(reason: str) -> Message:
    """Someone who can't take part: "deleted", "bot", "external" or "restricted"."""
    return _simple(copy.REFUSALS.get(reason, copy.REFUSAL_OTHER))


def slack_busy_message() -> Message:
    """Slack did not answer (rate limit, server error or timeout) and nothing was stored."""
    return _simple(copy.SLACK_BUSY)


def not_admin_message() -> Message:
    return _simple(copy.NOT_ADMIN)


def pause_modal(*, today: date) -> dict[str, Any]:
    """A modal (not a message): pick the day the pause ends, two weeks ahead by default."""
    view = View(
        type="modal",
        callback_id=PAUSE_CALLBACK_ID,
        title=PlainTextObject(text=copy.PAUSE_MODAL_TITLE),
        submit=PlainTextObject(text=copy.PAUSE_MODAL_SUBMIT),
        close=PlainTextObject(text=copy.PAUSE_MODAL_CLOSE),
        blocks=[
            _section(copy.PAUSE_MODAL_INTRO),
            InputBlock(
                block_id=BLOCK_PAUSE_UNTIL,
                label=PlainTextObject(text=copy.PAUSE_UNTIL_LABEL),
                hint=PlainTextObject(text=copy.PAUSE_UNTIL_HINT),
                element=DatePickerElement(
                    action_id=ACTION_PAUSE_UNTIL,
                    placeholder=PlainTextObject(text=copy.PAUSE_UNTIL_PLACEHOLDER),
                    initial_date=(today + PAUSE_DEFAULT).isoformat(),
                ),
            ),
        ],
    )
    return view.to_dict()


def flash_message(week_start: date, *, resumed: bool = False) -> Message:
    """After `find flash`: a one-off conversation, matched with the next round's people."""
    first = copy.FLASH_REQUESTED.format(date=format_date(week_start))
    if resumed:
        first = f"{copy.JOINED_RESUMED} {first}"
    blocks: list[Block] = [_section(f"{first}\n{copy.FLASH_HOW}"), _context(copy.FLASH_REGULAR)]
    return _ephemeral(first, blocks)
