"""`admin eligibility`: read the words after the command into a change of the eligibility
settings, and say what the settings are. Pure functions; the handler loads and saves."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.people.eligibility import MAX_EXCLUDED, EligibilityPolicy

USAGE = (
    "`admin eligibility` shows the settings. Change them with `admin eligibility guests "
    "allow|exclude`, `same-manager on|off`, `hr-fields editable|locked`, `exclude @someone`, "
    "`include @someone` or `group @group` (`group none` to clear it)."
)
_USER = re.compile(r"^<@(?P<id>[UW][A-Z0-9]{2,})(?:\|[^>]*)?>$|^(?P<raw>[UW][A-Z0-9]{2,})$")
_GROUP = re.compile(r"^<!subteam\^(?P<id>S[A-Z0-9]{2,})(?:\|[^>]*)?>$|^(?P<raw>S[A-Z0-9]{2,})$")
_SWITCHES: dict[str, tuple[str, dict[str, bool]]] = {
    "guests": ("exclude_guests", {"allow": False, "exclude": True, "on": False, "off": True}),
    "same-manager": ("same_manager_apart", {"on": True, "off": False}),
    "hr-fields": ("hr_fields_editable", {"editable": True, "locked": False}),
}


class BadEligibilityCommand(ValueError):
    """The words do not make a change; the message says how to type one."""


def apply(policy: EligibilityPolicy, words: tuple[str, ...]) -> EligibilityPolicy | None:
    """The settings after the change the words ask for; None when they ask for none (show)."""
    if not words:
        return None
    verb, args = words[0].lower(), words[1:]
    if verb in _SWITCHES:
        field, values = _SWITCHES[verb]
        if len(args) != 1 or args[0].lower() not in values:
            raise BadEligibilityCommand(
                f"`{verb}` takes one of {', '.join(f'`{v}`' for v in values)}. {USAGE}"
            )
        value = values[args[0].lower()]
        if field == "exclude_guests":
            return replace(policy, exclude_guests=value)
        if field == "same_manager_apart":
            return replace(policy, same_manager_apart=value)
        return replace(policy, hr_fields_editable=value)
    if verb in ("exclude", "include"):
        ids = _users(args)
        if verb == "exclude":
            chosen = policy.excluded_user_ids | ids
            if len(chosen) > MAX_EXCLUDED:
                raise BadEligibilityCommand(
                    f"The exclusion list holds {MAX_EXCLUDED} people at most; a user group "
                    "(`admin eligibility group @group`) has no limit."
                )
            return replace(policy, excluded_user_ids=chosen)
        return replace(policy, excluded_user_ids=policy.excluded_user_ids - ids)
    if verb == "group":
        if len(args) == 1 and args[0].lower() == "none":
            return replace(policy, excluded_usergroup_id=None)
        found = _GROUP.match(args[0]) if len(args) == 1 else None
        if found is None:
            raise BadEligibilityCommand(
                "Name one user group, as `admin eligibility group @executives` (or `group none`)."
            )
        return replace(policy, excluded_usergroup_id=found.group("id") or found.group("raw"))
    raise BadEligibilityCommand(USAGE)


def _users(args: tuple[str, ...]) -> frozenset[str]:
    ids: set[str] = set()
    for word in args:
        found = _USER.match(word)
        if found is None:
            raise BadEligibilityCommand(
                "Mention the people, as `admin eligibility exclude @sam @kai`."
            )
        ids.add(found.group("id") or found.group("raw"))
    if not ids:
        raise BadEligibilityCommand("Mention the people, as `admin eligibility exclude @sam`.")
    return frozenset(ids)


def describe(policy: EligibilityPolicy) -> list[str]:
    """The settings in a few lines, for the admin who asked (ids as mentions, no names)."""
    people = ", ".join(f"<@{u}>" for u in sorted(policy.excluded_user_ids)) or "nobody"
    group = f"<!subteam^{policy.excluded_usergroup_id}>" if policy.excluded_usergroup_id else "none"
    return [
        "*Who may take part*",
        "• Bots and deactivated accounts: never",
        f"• Guests: {'excluded' if policy.exclude_guests else 'allowed'}",
        f"• Excluded people: {people}",
        f"• Excluded user group: {group}",
        "*Reporting lines from HR*",
        "• Never a manager or their manager's manager (always)",
        f"• Two people with the same manager: "
        f"{'kept apart' if policy.same_manager_apart else 'may be matched'}",
        f"• Function and level from HR: "
        f"{'people may change them' if policy.hr_fields_editable else 'locked to HR'}",
    ]
