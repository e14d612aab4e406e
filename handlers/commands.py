"""`/peercoach`: parse the text, answer what can be answered in the ack, do the rest after it."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.catalogue import CATALOGUE, Audience, CommandSpec, Unknown
from bot.commands.intents import (
    AdminDigest,
    AdminEligibility,
    AdminInvite,
    AdminRoundNow,
    Find,
    Intent,
    Malformed,
    OfferMentoring,
    Pause,
    command_name,
    interpret,
)
from bot.domain import EnrolmentState
from bot.enrolment import service as enrolment
from bot.privacy import service as privacy
from bot.process.deps import Deps, deps_of
from bot.slack.admins import is_admin, shows_admin_commands
from bot.slack.blocks.checkin import form_button_message
from bot.slack.blocks.commands import (
    admin_commands_message,
    help_message,
    malformed_command_message,
    not_available_message,
    unknown_command_message,
)
from bot.slack.blocks.enrolment import (
    already_message,
    export_file_comment,
    export_sent_message,
    forget_confirmation,
    leave_confirmation,
    not_admin_message,
    not_enrolled_message,
    paused_message,
    resumed_message,
    status_message,
)
from bot.slack.blocks.privacy import hr_entry_forgotten_message, nothing_stored_message
from bot.slack.blocks.programmes import leave_choice_message
from bot.slack.blocks.progress import database_busy_message
from bot.slack.copy.text import SLASH_COMMAND
from bot.slack.users import SlackUser
from handlers.checkins import open_this_week
from handlers.dedup import already_done, claim_in, command_key, in_flight_of
from handlers.digests import digest_command, export_command
from handlers.flows import open_profile_editor, start_find
from handlers.identify import Reply, identify
from handlers.modals import open_settings_modal
from handlers.people_admin import eligibility_command
from handlers.preview import match_preview
from handlers.programmes import ask_round_now, invite_channel, open_programmes_modal
from handlers.questions import ask_question, open_questions_modal
from storage.session import DATABASE_UNAVAILABLE_ERRORS

logger = logging.getLogger(__name__)


class CommandContext:
    """One command invocation: who, where, and the ways to answer."""

    def __init__(
        self,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: Reply,
        deps: Deps,
    ) -> None:
        self.command = command
        self.client = client
        self.respond = respond
        self.deps = deps
        self.user_id: str = command["user_id"]
        self.team_id: str = command["team_id"]
        self.team_name: str | None = command.get("team_domain")
        # Empty for a command typed in the DM: no modal can be opened without one.
        self.trigger_id: str = command.get("trigger_id") or ""
        # Written in the transaction of a command that changes state, so a repeat does nothing.
        self.claim_key: str | None = command_key(command)

    async def reply(self, **message: Any) -> None:
        await self.respond(**message)


Flow = Callable[[CommandContext, SlackUser, Intent], Awaitable[None]]

# Commands that always open a form: typed in the DM, they answer with a button that opens it.
_FORM_COMMANDS = frozenset({"profile", "admin settings", "admin programmes"})


async def on_peercoach(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
) -> None:
    deps = deps_of(context)
    intent = interpret(command.get("text") or "", deps.clock().date())
    if isinstance(intent, Malformed):
        await ack(**malformed_command_message(intent))
        return
    if not isinstance(intent, Intent):
        await ack(**unknown_command_message(intent))
        return
    name = command_name(intent)
    if name == "help":
        await _help(ack, command, client, respond, deps)
        return
    spec = _spec(name)
    admin_only = spec.audience is Audience.ADMIN
    if not spec.available and not admin_only:
        await ack(**not_available_message(spec))
        return
    # Everything else looks the person up in Slack and the database: acknowledge first.
    await ack()
    ctx = CommandContext(command, client, respond, deps)
    async with in_flight_of(context).hold(ctx.claim_key) as first:
        if not first:
            return
        try:
            await _after_ack(ctx, name, spec, intent)
        except DATABASE_UNAVAILABLE_ERRORS as exc:
            logger.warning("database unavailable during %r: %s", name, type(exc).__name__)
            await ctx.reply(**database_busy_message())


async def _after_ack(ctx: CommandContext, name: str, spec: CommandSpec, intent: Intent) -> None:
    if await already_done(ctx.deps, ctx.claim_key):
        return
    user = await identify(ctx.client, ctx.user_id, ctx.team_id, ctx.reply, ctx.deps)
    if user is None:
        return
    if spec.audience is Audience.ADMIN:
        if not is_admin(user, ctx.deps.admins):
            await ctx.reply(**not_admin_message())
            return
        if not spec.available:
            await ctx.reply(**not_available_message(spec))
            return
    if not ctx.trigger_id and name in _FORM_COMMANDS:
        await ctx.reply(**form_button_message(name))
        return
    await _FLOWS[name](ctx, user, intent)


async def run_typed(ctx: CommandContext, intent: Intent | Malformed | Unknown) -> None:
    """A command typed in the DM (or sent by its "Open" button): the slash command's answers,
    each as a reply, since there is no ack to answer in."""
    if isinstance(intent, Malformed):
        await ctx.reply(**malformed_command_message(intent))
        return
    if isinstance(intent, Unknown):
        await ctx.reply(**unknown_command_message(intent))
        return
    name = command_name(intent)
    if name == "help":
        for_admin = ctx.user_id in ctx.deps.admins
        await ctx.reply(**help_message(for_admin=for_admin))
        if not for_admin and await shows_admin_commands(ctx.client, ctx.user_id, ctx.deps.admins):
            await ctx.reply(**admin_commands_message())
        return
    spec = _spec(name)
    if not spec.available and spec.audience is not Audience.ADMIN:
        await ctx.reply(**not_available_message(spec))
        return
    try:
        await _after_ack(ctx, name, spec, intent)
    except DATABASE_UNAVAILABLE_ERRORS as exc:
        logger.warning("database unavailable during %r: %s", name, type(exc).__name__)
        await ctx.reply(**database_busy_message())


async def _help(
    ack: AsyncAck,
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """Help in the ack, at once, for everyone; the admin commands follow for admins only.

    Admins listed in PEERCOACH_ADMINS are known without a call. Whether someone is a workspace
    admin or owner needs users.info, which must wait for the ack: they get their commands in a
    second message, and if Slack does not answer, the member's help stands on its own."""
    user_id = command["user_id"]
    if user_id in deps.admins:
        await ack(**help_message(for_admin=True))
        return
    await ack(**help_message(for_admin=False))
    if await shows_admin_commands(client, user_id, deps.admins):
        await respond(**admin_commands_message())


def _spec(name: str) -> CommandSpec:
    return next(spec for spec in CATALOGUE if spec.name == name)


async def _find(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    assert isinstance(intent, Find | OfferMentoring)
    if not ctx.trigger_id:
        # Without a profile, joining starts with the profile form: that needs a click.
        async with ctx.deps.sessions() as session:
            person = await enrolment.get_person(session, ctx.team_id, user.id)
            profile = await enrolment.profile_of(session, person)
        if profile is None:
            typed = str(ctx.command.get("text") or command_name(intent))
            await ctx.reply(**form_button_message(typed))
            return
    await start_find(
        ctx.client,
        ctx.deps,
        team_id=ctx.team_id,
        team_name=ctx.team_name,
        user=user,
        intent=intent,
        trigger_id=ctx.trigger_id,
        reply=ctx.reply,
        claim_key=ctx.claim_key,
    )


async def _profile(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await open_profile_editor(
        ctx.client,
        ctx.deps,
        team_id=ctx.team_id,
        user=user,
        trigger_id=ctx.trigger_id,
        reply=ctx.reply,
    )


async def _status(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    async with ctx.deps.sessions() as session:
        state = await enrolment.home_state(
            session,
            ctx.team_id,
            user.id,
            is_admin=is_admin(user, ctx.deps.admins),
            today=ctx.deps.clock().date(),
        )
    if state.state is EnrolmentState.NOT_ENROLLED or state.profile is None:
        await ctx.reply(**not_enrolled_message("status"))
        return
    await ctx.reply(**status_message(state))


async def _pause(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    assert isinstance(intent, Pause)
    now = ctx.deps.clock()
    async with ctx.deps.sessions() as session:
        if not await claim_in(session, ctx.claim_key, now=now):
            return
        person = await enrolment.get_person(session, ctx.team_id, user.id)
        if person is None or not enrolment.is_taking_part(person):
            await session.rollback()
            await ctx.reply(**not_enrolled_message("pause"))
            return
        await enrolment.pause(session, person, intent.until, now=now)
        await session.commit()
    await ctx.reply(**paused_message(intent.until))


async def _resume(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    now = ctx.deps.clock()
    async with ctx.deps.sessions() as session:
        if not await claim_in(session, ctx.claim_key, now=now):
            return
        person = await enrolment.get_person(session, ctx.team_id, user.id)
        if person is None or not enrolment.is_taking_part(person):
            await session.rollback()
            await ctx.reply(**not_enrolled_message("resume"))
            return
        if person.enrolment_state is not EnrolmentState.PAUSED:
            await session.rollback()
            await ctx.reply(**already_message("not_paused"))
            return
        await enrolment.resume(session, person, now=now)
        await session.commit()
        state = await enrolment.home_state(
            session, ctx.team_id, user.id, is_admin=False, today=now.date()
        )
    await ctx.reply(**resumed_message(next_round=state.next_round))


async def _leave(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    """One programme (or none): confirm leaving peercoach. Several: ask which one, or all."""
    async with ctx.deps.sessions() as session:
        person = await enrolment.get_person(session, ctx.team_id, user.id)
        programmes = (
            await enrolment.active_programmes(session, person) if person is not None else []
        )
    if person is None or not enrolment.is_taking_part(person):
        await ctx.reply(**not_enrolled_message("leave"))
        return
    if len(programmes) > 1:
        await ctx.reply(**leave_choice_message([(p.id, p.name) for p in programmes]))
        return
    await ctx.reply(**leave_confirmation())


async def _forget(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    async with ctx.deps.sessions() as session:
        if not await claim_in(session, ctx.claim_key, now=ctx.deps.clock()):
            return
        person = await enrolment.get_person(session, ctx.team_id, user.id)
        if person is not None:
            # Someone who joined confirms first; the button does the deleting.
            await session.rollback()
            await ctx.reply(**forget_confirmation())
            return
        # Never joined: at most an HR entry, deleted at once (there is no profile or history
        # to lose, and the admins' HR system still holds it).
        deleted = await privacy.forget_directory_only(session, ctx.team_id, user.id)
        await session.commit()
    if deleted:
        logger.info("forgot an HR entry in %s", ctx.team_id)
    await ctx.reply(**(hr_entry_forgotten_message() if deleted else nothing_stored_message()))


async def _export(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    now = ctx.deps.clock()
    async with ctx.deps.sessions() as session:
        person = await enrolment.get_person(session, ctx.team_id, user.id)
        document = (
            await privacy.export_directory_only(session, ctx.team_id, user.id, now=now)
            if person is None
            else await privacy.export_person(session, person, now=now)
        )
    if document is None:
        await ctx.reply(**nothing_stored_message())
        return
    opened = await ctx.client.conversations_open(users=user.id)
    await ctx.client.files_upload_v2(
        channel=opened["channel"]["id"],
        content=json.dumps(document, indent=2, ensure_ascii=False),
        filename=f"peercoach-export-{now.date().isoformat()}.json",
        title="Everything peercoach stores about you",
        initial_comment=export_file_comment(),
    )
    await ctx.reply(**export_sent_message())


async def _checkin(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await open_this_week(
        ctx.client,
        ctx.deps,
        team_id=ctx.team_id,
        user_id=user.id,
        trigger_id=ctx.trigger_id,
        reply=ctx.reply,
    )


async def _admin_commands(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await ctx.reply(**admin_commands_message())


async def _admin_settings(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await open_settings_modal(ctx.client, ctx.trigger_id, ctx.team_id, ctx.deps, reply=ctx.reply)


async def _admin_programmes(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await open_programmes_modal(ctx.client, ctx.trigger_id, ctx.team_id, ctx.deps, reply=ctx.reply)


async def _admin_invite(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    assert isinstance(intent, AdminInvite)
    await invite_channel(ctx.client, ctx.deps, ctx.team_id, ctx.team_name, intent, ctx.reply)


async def _admin_round_now(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    assert isinstance(intent, AdminRoundNow)
    await ask_round_now(ctx.deps, ctx.team_id, intent, ctx.reply)


async def _admin_match_preview(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await ctx.reply(**await match_preview(ctx.deps, ctx.team_id))


async def _question(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await ask_question(ctx.deps, ctx.team_id, user.id, ctx.reply, claim_key=ctx.claim_key)


async def _admin_questions(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await open_questions_modal(
        ctx.client, ctx.trigger_id, ctx.team_id, ctx.team_name, ctx.deps, reply=ctx.reply
    )


async def _admin_eligibility(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    assert isinstance(intent, AdminEligibility)
    await eligibility_command(
        ctx.client, ctx.deps, ctx.team_id, ctx.team_name, intent.words, ctx.reply
    )


async def _admin_digest(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    assert isinstance(intent, AdminDigest)
    await digest_command(
        ctx.client, ctx.deps, ctx.team_id, user.id, intent, ctx.reply, claim_key=ctx.claim_key
    )


async def _admin_export(ctx: CommandContext, user: SlackUser, intent: Intent) -> None:
    await export_command(ctx.client, ctx.deps, ctx.team_id, user.id, ctx.reply)


_FLOWS: dict[str, Flow] = {
    "find": _find,
    "find circle": _find,
    "find mentor": _find,
    "find flash": _find,
    "mentor": _find,
    "profile": _profile,
    "status": _status,
    "pause": _pause,
    "resume": _resume,
    "leave": _leave,
    "forget": _forget,
    "export": _export,
    "checkin": _checkin,
    "admin": _admin_commands,
    "admin settings": _admin_settings,
    "admin programmes": _admin_programmes,
    "admin invite": _admin_invite,
    "admin round now": _admin_round_now,
    "admin match preview": _admin_match_preview,
    "question": _question,
    "admin questions": _admin_questions,
    "admin eligibility": _admin_eligibility,
    "admin digest": _admin_digest,
    "admin export": _admin_export,
}


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(on_peercoach)
