"""Block Kit for the App Home tab, and the pieces of it that `/peercoach status` reuses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.digests.figures import ProgrammeDigest
from bot.domain import EnrolmentState, MembershipRole, ProgrammeKind
from bot.enrolment.home_state import (
    AdminProgramme,
    CurrentMatch,
    FailedSummary,
    HomeState,
    ProgrammeStatus,
)
from bot.slack.blocks.dates import format_date
from bot.slack.blocks.digest import failed_blocks, home_figures_blocks
from bot.slack.blocks.profile import profile_summary
from bot.slack.copy import enrolment as copy
from bot.slack.copy import programmes as programmes_copy
from bot.slack.copy import text
from bot.slack.mrkdwn import escape

ACTION_FIND: Final = "home_find"
ACTION_EDIT_PROFILE: Final = "home_edit_profile"
ACTION_PAUSE: Final = "home_pause"
ACTION_RESUME: Final = "home_resume"
ACTION_ADMIN_SETTINGS: Final = "home_admin_settings"
ACTION_ADMIN_PROGRAMMES: Final = "home_admin_programmes"

BLOCK_ACTIONS: Final = "home_actions"
BLOCK_ADMIN_ACTIONS: Final = "home_admin_actions"

# Slack's limits: section text 3000 characters. A handful of matches is the realistic most;
# the cap keeps a runaway list inside the 100-block limit of a Home view.
SECTION_TEXT_MAX: Final = 3000
MAX_MATCHES_SHOWN: Final = 10
MAX_PROGRAMMES_SHOWN: Final = 20
# Blocks the programmes' figures may take of a Home view's 100 (about 3 a programme).
MAX_FIGURE_BLOCKS: Final = 40


def clip(words: str, limit: int = SECTION_TEXT_MAX) -> str:
    """Shorten text to Slack's limit with an ellipsis, so a long profile can't break the view."""
    return words if len(words) <= limit else words[: limit - 1] + "…"


def join_names(names: Sequence[str]) -> str:
    """Names in a sentence: "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return copy.LIST_COMMA.join(names[:-1]) + copy.LIST_AND + names[-1]


def programme_description(state: HomeState) -> str:
    """What the person takes part in, e.g. "Peer pairs · Peer circles · mentoring up to 2"."""
    parts: list[str] = [escape(p.name) for p in state.programmes]
    if state.mentor_capacity == 1 and _mentors(state):
        parts.append(copy.PROGRAMME_MENTORING_ONE)
    elif state.mentor_capacity > 1 and _mentors(state):
        parts.append(copy.PROGRAMME_MENTORING_MANY.format(capacity=state.mentor_capacity))
    if state.flash_week is not None:
        parts.append(copy.PROGRAMME_FLASH.format(date=format_date(state.flash_week)))
    return copy.PROGRAMME_SEPARATOR.join(parts) or copy.PROGRAMME_NOTHING


def _mentors(state: HomeState) -> bool:
    return any(p.role is MembershipRole.MENTOR for p in state.programmes)


def programme_text(programme: ProgrammeStatus) -> str:
    """One programme the person is in: name, mode, schedule and next round (mrkdwn)."""
    role = programmes_copy.ROLE_NAMES.get(programme.role.value, "")
    line = programmes_copy.PROGRAMME_LINE.format(
        name=escape(programme.name),
        mode=programmes_copy.MODE_NAMES.get(programme.mode.value, programme.mode.value),
        role=f" {role}" if role else "",
        cadence=programmes_copy.CADENCE_NAMES.get(programme.cadence.value, ""),
        weekdays=programmes_copy.WEEKDAY_PLURALS[programme.weekday],
    )
    if programme.next_round is None:
        nxt = programmes_copy.PROGRAMME_NEXT_NONE
    else:
        nxt = programmes_copy.PROGRAMME_NEXT_ON.format(date=format_date(programme.next_round))
    return f"{line}\n{nxt}"


def match_text(match: CurrentMatch) -> str:
    """Who the person is matched with, since when, and why (mrkdwn)."""
    mentions = [f"<@{user_id}>" for user_id in match.partner_ids]
    partners = join_names(mentions) if mentions else copy.MATCH_NOBODY
    line = copy.MATCH_LINES.get(match.kind, copy.MATCH_LINE_OTHER).format(partners=partners)
    lines = [line, copy.MATCH_SINCE.format(date=format_date(match.since))]
    if match.explanation.strip():
        lines.append(copy.MATCH_WHY.format(explanation=escape(match.explanation.strip())))
    return clip("\n".join(lines))


def next_round_text(next_round: date | None) -> str:
    if next_round is None:
        return copy.NEXT_ROUND_SOON
    return copy.NEXT_ROUND_ON.format(date=format_date(next_round))


def _section(words: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(words)))


def _button(label: str, action_id: str, *, primary: bool = False) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=label),
        action_id=action_id,
        style="primary" if primary else None,
    )


def participation_blocks(state: HomeState) -> list[Block]:
    """Every programme the person is in, with its current group and next round, for someone
    enrolled or paused."""
    if state.state is EnrolmentState.PAUSED:
        first = (
            copy.HOME_PAUSED_UNTIL.format(date=format_date(state.paused_until))
            if state.paused_until is not None
            else copy.HOME_PAUSED
        )
        programme = copy.HOME_PAUSED_PROGRAMME.format(programme=programme_description(state))
        blocks: list[Block] = [_section(f"{first}\n{programme}")]
    else:
        blocks = [_section(copy.HOME_ENROLLED.format(programme=programme_description(state)))]
    shown = 0
    for status in state.programmes[:MAX_PROGRAMMES_SHOWN]:
        lines = [programme_text(status)]
        for match in status.matches[: max(0, MAX_MATCHES_SHOWN - shown)]:
            lines.append(match_text(match))
            shown += 1
        blocks.append(_section("\n".join(lines)))
    if not state.programmes and state.flash_week is None:
        blocks.append(_section(programmes_copy.PROGRAMME_NONE.format(slash=text.SLASH_COMMAND)))
    loose = state.matches[: max(0, MAX_MATCHES_SHOWN - shown)]
    blocks += [_section(match_text(match)) for match in loose]
    total = len(state.matches) + sum(len(p.matches) for p in state.programmes)
    hidden = total - shown - len(loose)
    if hidden > 0:
        more = copy.MATCHES_MORE.format(count=hidden, slash=text.SLASH_COMMAND)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def _state_blocks(state: HomeState) -> list[Block]:
    if state.state is EnrolmentState.NOT_ENROLLED:
        return [_section(text.HOME_INTRO), _section(copy.HOME_NOT_ENROLLED)]
    if state.state is EnrolmentState.LEFT:
        return [_section(copy.HOME_LEFT)]
    return participation_blocks(state)


def _profile_block(state: HomeState) -> SectionBlock:
    if state.profile is None:
        return _section(copy.HOME_NO_PROFILE)
    # `profile_summary` leaves out the do-not-pair list; nothing else here reads the profile.
    return _section(f"{copy.HOME_PROFILE_TITLE}\n{profile_summary(state.profile)}")


def _buttons(state: HomeState) -> list[ButtonElement]:
    buttons: list[ButtonElement] = []
    if state.state is EnrolmentState.NOT_ENROLLED:
        buttons.append(_button(copy.BUTTON_FIND, ACTION_FIND, primary=True))
    elif state.state is EnrolmentState.LEFT:
        buttons.append(_button(copy.BUTTON_JOIN_AGAIN, ACTION_FIND, primary=True))
    elif state.state is EnrolmentState.PAUSED:
        buttons.append(_button(copy.BUTTON_RESUME, ACTION_RESUME, primary=True))
    if state.profile is not None:
        buttons.append(_button(copy.BUTTON_EDIT_PROFILE, ACTION_EDIT_PROFILE))
    elif state.state in (EnrolmentState.ENROLLED, EnrolmentState.PAUSED):
        # Enrolled without a profile (an interrupted join): offer to finish it.
        buttons.append(_button(copy.BUTTON_CREATE_PROFILE, ACTION_EDIT_PROFILE))
    if state.state is EnrolmentState.ENROLLED:
        buttons.append(_button(copy.BUTTON_PAUSE, ACTION_PAUSE))
    return buttons


def _guide_block() -> SectionBlock:
    return _section(f"{text.HOME_GOOD_PEER_COACH_TITLE}\n{text.HOME_GOOD_PEER_COACH}")


def admin_programme_text(programme: AdminProgramme) -> str:
    """One programme in the admin's list: name, mode, schedule, members, next round."""
    pc = programmes_copy
    members = (
        pc.LIST_MEMBERS_ONE
        if programme.members == 1
        else pc.LIST_MEMBERS_MANY.format(count=programme.members)
    )
    line = pc.LIST_LINE.format(
        name=escape(programme.name),
        default=pc.LIST_DEFAULT if programme.is_default else "",
        mode=pc.MODE_NAMES.get(programme.mode.value, programme.mode.value),
        cadence=pc.CADENCE_NAMES.get(programme.cadence.value, ""),
        weekdays=pc.WEEKDAY_PLURALS[programme.weekday],
        members=members,
    )
    parts = [
        pc.LIST_NEXT_NONE
        if programme.next_round is None
        else pc.LIST_NEXT_ON.format(date=format_date(programme.next_round))
    ]
    if programme.kind is ProgrammeKind.COHORT and programme.starts_on and programme.ends_on:
        parts.append(
            pc.LIST_COHORT.format(
                start=format_date(programme.starts_on), end=format_date(programme.ends_on)
            )
        )
    return f"{line}\n" + " · ".join(parts)


def failed_text(failed: FailedSummary) -> str:
    """How many messages could not be delivered, by kind and Slack error code (no text)."""
    pc = programmes_copy
    kinds = ", ".join(
        pc.HOME_FAILED_KIND.format(count=count, kind=escape(kind), error=escape(error))
        for kind, error, count in failed.by_kind[:10]
    )
    if failed.total == 1:
        return pc.HOME_FAILED_ONE.format(kinds=kinds)
    return pc.HOME_FAILED.format(count=failed.total, kinds=kinds)


def _admin_blocks(state: HomeState, digests: Sequence[ProgrammeDigest]) -> list[Block]:
    summary = state.settings_summary or copy.HOME_ADMIN_NO_SUMMARY
    slash = text.SLASH_COMMAND
    blocks: list[Block] = [
        DividerBlock(),
        HeaderBlock(text=PlainTextObject(text=copy.HOME_ADMIN_TITLE)),
    ]
    blocks += home_figures_blocks(digests, limit=MAX_FIGURE_BLOCKS)
    if state.failed is not None and state.failed.total:
        blocks.append(_section(failed_text(state.failed)))
        blocks += failed_blocks(state.failed.recent, total=state.failed.total)
    if state.admin_programmes:
        lines = [programmes_copy.HOME_ADMIN_PROGRAMMES]
        lines += [admin_programme_text(p) for p in state.admin_programmes[:MAX_PROGRAMMES_SHOWN]]
        blocks.append(_section("\n".join(lines)))
    else:
        blocks.append(_section(programmes_copy.HOME_ADMIN_NO_PROGRAMMES.format(slash=slash)))
    blocks += [
        _section(summary),
        ActionsBlock(
            block_id=BLOCK_ADMIN_ACTIONS,
            elements=[
                _button(programmes_copy.BUTTON_ADMIN_PROGRAMMES, ACTION_ADMIN_PROGRAMMES),
                _button(copy.BUTTON_ADMIN_SETTINGS, ACTION_ADMIN_SETTINGS),
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text=copy.HOME_ADMIN_HINT.format(slash=slash))]),
    ]
    return blocks


def home_view(state: HomeState, digests: Sequence[ProgrammeDigest] = ()) -> dict[str, Any]:
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=text.HOME_TITLE)),
        *_state_blocks(state),
    ]
    # Someone who never joined has nothing to summarise yet, unless they saved a profile.
    if state.state is not EnrolmentState.NOT_ENROLLED or state.profile is not None:
        blocks.append(_profile_block(state))
    buttons = _buttons(state)
    if buttons:
        blocks.append(ActionsBlock(block_id=BLOCK_ACTIONS, elements=buttons))
    blocks += [
        DividerBlock(),
        _guide_block(),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=text.HOME_HOW_TO_START.format(slash=text.SLASH_COMMAND))
            ]
        ),
    ]
    if state.is_admin:
        blocks += _admin_blocks(state, digests)
    return View(type="home", blocks=blocks).to_dict()


def dm_reply() -> str:
    return text.DM_REPLY.format(slash=text.SLASH_COMMAND)
