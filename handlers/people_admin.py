"""`admin eligibility`: show or change who may take part (the admin check is done before)."""

from __future__ import annotations

from bot.enrolment.service import ensure_workspace
from bot.people import admin
from bot.people.eligibility import load_policy, save_policy
from bot.process.deps import Deps
from handlers.identify import Reply


async def eligibility_command(
    deps: Deps, team_id: str, team_name: str | None, words: tuple[str, ...], reply: Reply
) -> None:
    now = deps.clock()
    async with deps.sessions() as session:
        policy = await load_policy(session, team_id)
        try:
            changed = admin.apply(policy, words)
        except admin.BadEligibilityCommand as exc:
            await reply(text=str(exc))
            return
        if changed is not None and changed != policy:
            await ensure_workspace(session, team_id, team_name, now=now)
            await save_policy(session, team_id, changed)
            await session.commit()
            policy = changed
    head = ["Saved."] if changed is not None else []
    await reply(text="\n".join([*head, *admin.describe(policy), admin.USAGE]))
