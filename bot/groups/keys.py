"""Outbox keys of everything a group's life sends: each names what it is for, once for ever."""

from __future__ import annotations

# The two reminders a round may send a group: 1 halfway, 2 at the end ("did you meet?").
MIDPOINT_NUDGE = 1
END_NUDGE = 2


def nudge(group_id: int, number: int) -> str:
    return f"nudge:{group_id}:{number}"


def all_nudges(group_id: int) -> list[str]:
    return [nudge(group_id, MIDPOINT_NUDGE), nudge(group_id, END_NUDGE)]


def ghost(membership_id: int, round_id: int) -> str:
    return f"ghost:{membership_id}:{round_id}"


def intro(group_id: int) -> str:
    return f"intro:{group_id}"


def mentor_ask(group_id: int, mentor_user_id: str) -> str:
    return f"mentor-ask:{group_id}:{mentor_user_id}"


def mentee_wait(group_id: int, mentor_user_id: str) -> str:
    return f"mentee-wait:{group_id}:{mentor_user_id}"


def mentee_none(group_id: int) -> str:
    return f"mentee-none:{group_id}"
