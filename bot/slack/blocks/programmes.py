"""Block Kit about programmes: leaving one of several, the admin's programme list and form,
invitations, `admin round now` and the DM sent when a programme closes.

Programme names are typed by admins: every one is escaped before it goes into mrkdwn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import DEFAULT_CHECKIN_WEEKDAY
from bot.enrolment.home_state import AdminProgramme
from bot.programmes import form as pf
from bot.programmes.form import ProgrammeInput
from bot.slack.blocks.home import admin_programme_text, clip, join_names
from bot.slack.copy import programmes as copy
from bot.slack.copy import text
from bot.slack.mrkdwn import escape

if TYPE_CHECKING:
    from storage.models import ProgrammeRow

Message = dict[str, Any]
SLASH: Final = text.SLASH_COMMAND

ACTION_LEAVE_PROGRAMME: Final = "leave_programme"  # value: a programme id, or "all"
LEAVE_ALL: Final = "all"
BLOCK_LEAVE_CHOICE: Final = "leave_choice"
ACTION_INVITE_JOIN: Final = "invite_join"  # value: the programme id
BLOCK_INVITE: Final = "invite_actions"
ACTION_ROUND_NOW_CONFIRM: Final = "round_now_confirm"  # value: the programme id
ACTION_ROUND_NOW_CANCEL: Final = "round_now_cancel"
BLOCK_ROUND_NOW: Final = "round_now_actions"
BLOCK_LIST_ACTIONS: Final = "programmes_list_actions"
BUTTON_MAX: Final = 75


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words)))


def _context(words: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(words))])


def _ephemeral(fallback: str, blocks: list[Block]) -> Message:
    return {
        "response_type": "ephemeral",
        "text": fallback,
        "blocks": [block.to_dict() for block in blocks],
    }


def _simple(words: str) -> Message:
    return _ephemeral(words, [_section(words)])


def _button(
    label: str,
    action_id: str,
    value: str,
    *,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    if len(label) > BUTTON_MAX:
        label = label[: BUTTON_MAX - 1] + "…"
    return ButtonElement(
        text=PlainTextObject(text=label),
        action_id=action_id,
        value=value,
        style=style,
        confirm=confirm,
    )


def names_text(names: Sequence[str]) -> str:
    return join_names([f"*{escape(name)}*" for name in names])


# ------------------------------------------------------------------------------ leaving


def leave_choice_message(programmes: Sequence[tuple[int, str]]) -> Message:
    """`leave` from someone in several programmes: one button each, and one for all."""
    buttons = [
        _button(copy.BUTTON_LEAVE_ONE.format(name=name), ACTION_LEAVE_PROGRAMME, str(pid))
        for pid, name in programmes[:20]
    ]
    buttons.append(
        _button(copy.BUTTON_LEAVE_ALL, ACTION_LEAVE_PROGRAMME, LEAVE_ALL, style="danger")
    )
    buttons.append(_button(copy.BUTTON_CANCEL, "cancel", "leave"))
    blocks: list[Block] = [
        _section(copy.LEAVE_WHICH.format(names=names_text([n for _, n in programmes]))),
        ActionsBlock(block_id=BLOCK_LEAVE_CHOICE, elements=buttons[:25]),
    ]
    return _ephemeral(copy.LEAVE_WHICH_FALLBACK, blocks)


def left_one_message(name: str, remaining: Sequence[str]) -> Message:
    return _simple(
        copy.LEFT_ONE.format(name=escape(name), names=names_text(remaining), slash=SLASH)
    )


def left_not_in_message() -> Message:
    return _simple(copy.LEFT_NOT_IN)


# ------------------------------------------------------------------------------ invitations


def invitation(programme: ProgrammeRow) -> Message:
    """The invitation DM (queued in the outbox): what the programme is, and a Join button."""
    name = escape(programme.name)
    words = copy.INVITE_TEXT.format(
        name=name,
        how=copy.INVITE_HOW.get(programme.mode.value, ""),
        cadence=copy.CADENCE_NAMES.get(programme.cadence.value, ""),
    )
    blocks: list[Block] = [
        _section(words),
        ActionsBlock(
            block_id=BLOCK_INVITE,
            elements=[
                _button(copy.BUTTON_JOIN, ACTION_INVITE_JOIN, str(programme.id), style="primary")
            ],
        ),
        _context(copy.INVITE_HINT),
    ]
    return {
        "text": copy.INVITE_FALLBACK.format(name=programme.name),
        "blocks": [block.to_dict() for block in blocks],
    }


def invite_report_message(
    name: str, channel_id: str, invited: int, skipped: dict[str, int]
) -> Message:
    """Counts only: how many were invited, how many skipped and why."""
    if invited:
        first = copy.INVITE_QUEUED.format(name=escape(name), invited=invited, channel=channel_id)
    else:
        first = copy.INVITE_NONE_QUEUED.format(name=escape(name), channel=channel_id)
    reasons = [
        copy.INVITE_SKIP_REASONS[reason].format(count=count)
        for reason, count in sorted(skipped.items(), key=lambda item: -item[1])
        if count and reason in copy.INVITE_SKIP_REASONS
    ]
    lines = [first]
    if reasons:
        lines.append(copy.INVITE_SKIPPED.format(reasons=", ".join(reasons)))
    return _simple("\n".join(lines))


def invite_not_in_channel_message(channel_id: str) -> Message:
    return _simple(copy.INVITE_NOT_IN_CHANNEL.format(channel=channel_id))


def invite_slack_busy_message() -> Message:
    return _simple(copy.INVITE_SLACK_BUSY)


def invite_joined_message(name: str, *, also_in: Sequence[str] = ()) -> Message:
    words = copy.INVITE_JOINED.format(name=escape(name))
    if also_in:
        words += "\n" + copy.JOINED_ALSO_IN.format(names=names_text(also_in))
    return _simple(words)


def join_closed_message() -> Message:
    return _simple(copy.JOIN_CLOSED.format(slash=SLASH))


# ------------------------------------------------------------------------------ naming


def unknown_programme_message(typed: str, names: Sequence[str]) -> Message:
    if not names:
        return _simple(copy.NO_PROGRAMMES.format(slash=SLASH))
    return _simple(copy.UNKNOWN_PROGRAMME.format(typed=escape(typed[:80]), names=names_text(names)))


# ------------------------------------------------------------------------------ round now


def round_now_confirmation(programme_id: int, name: str, members: int) -> Message:
    count = (
        copy.ROUND_NOW_MEMBERS_ONE
        if members == 1
        else copy.ROUND_NOW_MEMBERS_MANY.format(count=members)
    )
    blocks: list[Block] = [
        _section(copy.ROUND_NOW_CONFIRM.format(name=escape(name), members=count)),
        ActionsBlock(
            block_id=BLOCK_ROUND_NOW,
            elements=[
                _button(
                    copy.BUTTON_ROUND_NOW,
                    ACTION_ROUND_NOW_CONFIRM,
                    str(programme_id),
                    style="primary",
                ),
                _button(copy.BUTTON_CANCEL, ACTION_ROUND_NOW_CANCEL, str(programme_id)),
            ],
        ),
    ]
    return _ephemeral(copy.ROUND_NOW_FALLBACK.format(name=name), blocks)


def round_now_started_message(name: str) -> Message:
    return _simple(copy.ROUND_NOW_STARTED.format(name=escape(name)))


def round_now_closed_message(name: str) -> Message:
    return _simple(copy.ROUND_NOW_CLOSED.format(name=escape(name)))


def round_now_cancelled_message() -> Message:
    return _simple(copy.ROUND_NOW_CANCELLED)


# ------------------------------------------------------------------------------ closing


def closed_dm(name: str, remaining: Sequence[str]) -> Message:
    """The DM to each member of a programme an admin closed (queued in the outbox)."""
    first = copy.CLOSED_DM.format(name=escape(name))
    nxt = (
        copy.CLOSED_DM_REMAINING.format(names=names_text(remaining))
        if remaining
        else copy.CLOSED_DM_NONE.format(slash=SLASH)
    )
    return {
        "text": copy.CLOSED_DM.format(name=name).replace("*", ""),
        "blocks": [_section(f"{first}\n{nxt}").to_dict()],
    }


# ------------------------------------------------------------------------------ admin modal


def programmes_modal(
    programmes: Sequence[AdminProgramme], *, notice: str | None = None
) -> dict[str, Any]:
    """The list: each open programme with Edit and Close, and a New programme button."""
    blocks: list[Block] = []
    if notice:
        blocks.append(_section(notice))
    blocks.append(_section(copy.LIST_INTRO.format(slash=SLASH)))
    if not programmes:
        blocks.append(_section(copy.LIST_EMPTY.format(slash=SLASH)))
    for programme in programmes[:40]:
        line = admin_programme_text(programme)
        dialog = ConfirmObject(
            title=PlainTextObject(text=copy.CLOSE_DIALOG_TITLE),
            text=PlainTextObject(text=copy.CLOSE_DIALOG_TEXT),
            confirm=PlainTextObject(text=copy.CLOSE_DIALOG_CONFIRM),
            deny=PlainTextObject(text=copy.CLOSE_DIALOG_DENY),
            style="danger",
        )
        buttons = [_button(copy.BUTTON_EDIT, pf.ACTION_EDIT, str(programme.programme_id))]
        if not programme.is_default:
            buttons.append(
                _button(
                    copy.BUTTON_CLOSE,
                    pf.ACTION_CLOSE,
                    str(programme.programme_id),
                    style="danger",
                    confirm=dialog,
                )
            )
        blocks.append(_section(line))
        blocks.append(
            ActionsBlock(block_id=f"programme_{programme.programme_id}", elements=buttons)
        )
    blocks.append(
        ActionsBlock(
            block_id=BLOCK_LIST_ACTIONS,
            elements=[_button(copy.BUTTON_NEW, pf.ACTION_NEW, "new", style="primary")],
        )
    )
    view = View(
        type="modal",
        callback_id=pf.LIST_CALLBACK_ID,
        title=PlainTextObject(text=copy.LIST_TITLE),
        close=PlainTextObject(text=copy.LIST_CLOSE),
        blocks=blocks[:100],
    )
    return view.to_dict()


def _select(
    action_id: str, options: Sequence[tuple[str, str]], selected: str | None
) -> StaticSelectElement:
    built = [Option(value=value, text=label[:75]) for value, label in options]
    initial = next((o for o in built if o.value == selected), None)
    return StaticSelectElement(
        action_id=action_id,
        placeholder=PlainTextObject(text=copy.SELECT_PLACEHOLDER),
        options=built,
        initial_option=initial,
    )


def _input(
    block_id: str,
    label: str,
    hint: str,
    element: InputInteractiveElement,
    *,
    optional: bool = False,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label),
        hint=PlainTextObject(text=hint),
        element=element,
        optional=optional,
    )


def programme_form(
    current: ProgrammeInput | None, *, programme_id: int | None, notice: str | None = None
) -> dict[str, Any]:
    """New (current None) or edit: every field of a programme, prefilled."""
    c = current
    blocks: list[Block] = []
    if notice:
        blocks.append(_section(notice))
    blocks += [
        _input(
            pf.BLOCK_NAME,
            copy.NAME_LABEL,
            copy.NAME_HINT,
            PlainTextInputElement(
                action_id=pf.ACTION_NAME,
                initial_value=c.name if c else None,
                max_length=pf.NAME_MAX,
            ),
        ),
        _input(
            pf.BLOCK_MODE,
            copy.MODE_LABEL,
            copy.MODE_HINT,
            _select(
                pf.ACTION_MODE,
                [(m.value, copy.MODE_OPTIONS[m.value]) for m in pf.MODES],
                c.mode.value if c else None,
            ),
        ),
        _input(
            pf.BLOCK_CADENCE,
            copy.CADENCE_LABEL,
            copy.CADENCE_HINT,
            _select(
                pf.ACTION_CADENCE,
                [(x.value, copy.CADENCE_OPTIONS[x.value]) for x in pf.CADENCES],
                c.cadence.value if c else "weekly",
            ),
        ),
        _input(
            pf.BLOCK_WEEKDAY,
            copy.WEEKDAY_LABEL,
            copy.WEEKDAY_HINT,
            _select(
                pf.ACTION_WEEKDAY,
                [(str(d), copy.WEEKDAYS[d]) for d in pf.WEEKDAYS],
                str(c.weekday) if c else "0",
            ),
        ),
        _input(
            pf.BLOCK_CHECKIN_DAY,
            copy.CHECKIN_DAY_LABEL,
            copy.CHECKIN_DAY_HINT,
            _select(
                pf.ACTION_CHECKIN_DAY,
                [(str(d), copy.WEEKDAYS[d]) for d in pf.CHECKIN_DAYS],
                str(c.checkin_weekday) if c else str(DEFAULT_CHECKIN_WEEKDAY),
            ),
        ),
        _input(
            pf.BLOCK_INTRO_HOUR,
            copy.INTRO_HOUR_LABEL,
            copy.INTRO_HOUR_HINT,
            _select(
                pf.ACTION_INTRO_HOUR,
                [(str(h), copy.INTRO_HOUR_OPTION.format(hour=h)) for h in pf.INTRO_HOURS],
                str(c.intro_hour) if c else "9",
            ),
        ),
        _input(
            pf.BLOCK_GROUP_SIZE,
            copy.GROUP_SIZE_LABEL,
            copy.GROUP_SIZE_HINT,
            _select(
                pf.ACTION_GROUP_SIZE,
                [(str(n), copy.GROUP_SIZE_OPTION.format(size=n)) for n in pf.GROUP_SIZES],
                str(c.group_size) if c else "2",
            ),
        ),
        _input(
            pf.BLOCK_CHANNEL,
            copy.CHANNEL_LABEL,
            copy.CHANNEL_HINT,
            ConversationSelectElement(
                action_id=pf.ACTION_CHANNEL,
                placeholder=PlainTextObject(text=copy.CHANNEL_PLACEHOLDER),
                initial_conversation=c.home_channel_id if c else None,
                filter=ConversationFilter(
                    include=["public", "private"], exclude_external_shared_channels=True
                ),
            ),
            optional=True,
        ),
        _input(
            pf.BLOCK_KIND,
            copy.KIND_LABEL,
            copy.KIND_HINT,
            _select(
                pf.ACTION_KIND,
                [(k.value, copy.KIND_OPTIONS[k.value]) for k in pf.KINDS],
                c.kind.value if c else "evergreen",
            ),
        ),
        _input(
            pf.BLOCK_STARTS,
            copy.STARTS_LABEL,
            copy.DATES_HINT,
            DatePickerElement(
                action_id=pf.ACTION_STARTS,
                initial_date=c.starts_on.isoformat() if c and c.starts_on else None,
            ),
            optional=True,
        ),
        _input(
            pf.BLOCK_ENDS,
            copy.ENDS_LABEL,
            copy.DATES_HINT,
            DatePickerElement(
                action_id=pf.ACTION_ENDS,
                initial_date=c.ends_on.isoformat() if c and c.ends_on else None,
            ),
            optional=True,
        ),
    ]
    view = View(
        type="modal",
        callback_id=pf.FORM_CALLBACK_ID,
        title=PlainTextObject(
            text=copy.FORM_TITLE_NEW if programme_id is None else copy.FORM_TITLE_EDIT
        ),
        submit=PlainTextObject(text=copy.FORM_SUBMIT),
        close=PlainTextObject(text=copy.FORM_CLOSE),
        blocks=blocks,
        private_metadata=pf.metadata(programme_id),
    )
    return view.to_dict()
