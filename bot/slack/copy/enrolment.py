"""User-facing strings of the App Home tab and of the replies to joining, pausing, leaving and
deleting data.

Slack mrkdwn unless a name or comment says plain text. `{placeholders}` are filled by
`bot.slack.blocks.home` and `bot.slack.blocks.enrolment`; `{slash}` is always the slash command.
Slack limits: button text <= 75 characters; modal title, submit and close <= 24; confirm dialog
title <= 100, its buttons <= 30.
"""

from typing import Final

# Dates read "Mon 30 Nov 2026" everywhere. Spelled out here rather than taken from strftime so
# the server's locale cannot change them.
WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
DATE_FORMAT: Final = "{weekday} {day} {month} {year}"

# Joins names in a sentence: "A", "A and B", "A, B and C".
LIST_AND: Final = " and "
LIST_COMMA: Final = ", "

# --- App Home ------------------------------------------------------------------------------

# Plain-text buttons.
BUTTON_FIND: Final = "Find a peer coach"
BUTTON_JOIN_AGAIN: Final = "Join again"
BUTTON_EDIT_PROFILE: Final = "Edit profile"
BUTTON_CREATE_PROFILE: Final = "Create your profile"
BUTTON_PAUSE: Final = "Pause"
BUTTON_RESUME: Final = "Resume"
BUTTON_ADMIN_SETTINGS: Final = "Matching settings"

HOME_NOT_ENROLLED: Final = (
    "*You are not taking part yet.* Join and we introduce you to a colleague for regular "
    "peer-coaching conversations. It takes about two minutes to set up."
)
HOME_ENROLLED: Final = "*You are taking part in:* {programme}"
HOME_PAUSED_UNTIL: Final = (
    "*Paused until {date}.* You resume by yourself on that day, or sooner with the button below."
)
HOME_PAUSED: Final = "*Paused.* You stay paused until you resume."
HOME_PAUSED_PROGRAMME: Final = "When you resume: {programme}"
HOME_LEFT: Final = (
    "*You left peercoach.* We don't match you or send you messages. "
    "Changed your mind? You are welcome back any time."
)
HOME_PROFILE_TITLE: Final = "*Your profile*"
HOME_NO_PROFILE: Final = "*Your profile*\nNot filled in yet. We ask for it when you join."
HOME_ADMIN_TITLE: Final = "For admins"  # plain text header
HOME_ADMIN_NO_SUMMARY: Final = "This workspace uses the default matching settings."
HOME_ADMIN_HINT: Final = (
    "`{slash} admin invite #channel` invites a channel's members · "
    "`{slash} admin round now` starts a round at once · `{slash} admin` lists every admin command."
)

# What someone takes part in, joined with PROGRAMME_SEPARATOR: "Peer pairs · looking for a mentor".
PROGRAMME_MENTORING_ONE: Final = "mentoring up to 1 person"
PROGRAMME_MENTORING_MANY: Final = "mentoring up to {capacity} people"
PROGRAMME_FLASH: Final = "a one-off conversation in the week of {date}"
PROGRAMME_SEPARATOR: Final = " · "
PROGRAMME_NOTHING: Final = "no programme chosen yet"

# One line per current match, keyed by `bot.enrolment.home_state.CurrentMatch.kind`.
# `{partners}` are mentions.
MATCH_LINES: Final[dict[str, str]] = {
    "pair": "*Your peer-coaching partner:* {partners}",
    "triad": "*Your peer-coaching trio:* {partners}",
    "circle": "*Your circle:* {partners}",
    "mentor": "*You are mentoring:* {partners}",
    "mentee": "*Your mentor:* {partners}",
    "flash": "*Your one-off conversation:* {partners}",
}
MATCH_LINE_OTHER: Final = "*Matched with:* {partners}"
MATCH_NOBODY: Final = "someone who has since left peercoach"
MATCH_SINCE: Final = "Since {date}"
MATCH_WHY: Final = "Why you were matched: {explanation}"
MATCHES_MORE: Final = "…and {count} more. Type `{slash} status` to see them all."
NEXT_ROUND_ON: Final = "You will be matched in the next round on {date}."
NEXT_ROUND_SOON: Final = "You will be matched in the next round."

# --- Replies to commands and buttons -------------------------------------------------------

STATUS_NOT_ENROLLED: Final = (
    "You are not taking part in peercoach right now. Type `{slash} find` to join the next round."
)
STATUS_LEFT: Final = (
    "You left peercoach, so we don't match you or send you messages. "
    "Type `{slash} find` to join again."
)
STATUS_HINTS: Final = (
    "`{slash} profile` edits your profile · `{slash} pause` takes a break · "
    "`{slash} leave` stops everything"
)
STATUS_HINTS_PAUSED: Final = (
    "`{slash} resume` ends your pause now · `{slash} profile` edits your profile"
)

JOINED_WELCOME: Final = "*Welcome to peercoach!*"
JOINED_RESUMED: Final = "*Welcome back!* Your pause is over and you are taking part again."
JOINED_RETURNED: Final = "*Welcome back to peercoach!*"
JOINED: Final[dict[str, str]] = {
    "pairs": (
        "You joined *peer pairs*: we pair you with a colleague at a similar level in a "
        "different function."
    ),
    "circle": (
        "You joined a *circle*: we put you in a small group of colleagues who coach each "
        "other together."
    ),
    "mentor": (
        "You asked for a *mentor*: we look for a more senior colleague who offered to mentor."
    ),
    "flash": "You asked for a *one-off conversation* with a colleague.",
}
JOINED_NEXT_ROUND_ON: Final = (
    "Your match comes with the next round on {date}. I will introduce you in a direct message."
)
JOINED_NEXT_ROUND_SOON: Final = (
    "Your match comes with the next round. I will introduce you in a direct message."
)
JOINED_PROFILE_TITLE: Final = "*What we match on*"
JOINED_PROFILE_HINT: Final = (
    "Change your profile any time with `{slash} profile`; `{slash} status` shows what is next."
)

MENTOR_OFFER: Final = "*Thank you for offering to mentor!* {capacity_line}"
MENTOR_CAPACITY_ONE: Final = "You will mentor at most 1 person at a time."
MENTOR_CAPACITY_MANY: Final = "You will mentor at most {capacity} people at a time."
MENTOR_NEXT_ROUND_ON: Final = (
    "We look for someone who would like a mentor in the next round on {date}."
)
MENTOR_NEXT_ROUND_SOON: Final = "We look for someone who would like a mentor in the next round."
MENTOR_HINT: Final = "To change how many people you mentor, type for example `{slash} mentor 2`."

PROFILE_SAVED_ENROLLED: Final = "Your profile is saved. We use it from the next round."
PROFILE_SAVED_NOT_ENROLLED: Final = (
    "Your profile is saved. You are not taking part yet: type `{slash} find` to join the "
    "next round."
)

PAUSED_UNTIL: Final = (
    "You are paused until *{date}*. We won't match you in new rounds until then, and you "
    "resume by yourself on that day."
)
PAUSED_OPEN: Final = (
    "You are paused. We won't match you in new rounds until you type `{slash} resume`."
)
PAUSED_HINT: Final = "Back sooner? Type `{slash} resume`."

RESUMED: Final = "*Welcome back!* You are taking part again."
RESUMED_NEXT_ROUND_ON: Final = "You will be matched in the next round on {date}."
RESUMED_NEXT_ROUND_SOON: Final = "You will be matched in the next round."

NOTHING_CHANGED: Final = "Nothing was changed."
ALREADY_PAUSED_UNTIL: Final = (
    "You are already paused until {date}. To change the date, type `{slash} resume` and then "
    "pause again."
)
ALREADY_PAUSED: Final = "You are already paused, until you type `{slash} resume`."
NOT_PAUSED: Final = "You are not paused, so there is nothing to resume."
ALREADY_LEFT: Final = "You have already left peercoach. Type `{slash} find` to join again."
# Keyed by the names `bot.slack.blocks.enrolment.already_message` accepts.
ALREADY: Final[dict[str, str]] = {
    "not_paused": NOT_PAUSED,
    "paused": ALREADY_PAUSED,
    "left": ALREADY_LEFT,
    "joined": "You are already taking part. `{slash} status` shows your programme.",
}
ALREADY_JOINED: Final = "You are already taking part: {programme}."

LEAVE_CONFIRM: Final = (
    "*Leave peercoach?*\n"
    "I will stop every message: no new matches, introductions, check-ins or reminders.\n"
    "Your history stays, only for the programme's statistics. If you would rather delete "
    "your data, use `{slash} forget` instead."
)
LEAVE_CONFIRM_FALLBACK: Final = "Leave peercoach? I will stop every message."
BUTTON_CONFIRM_LEAVE: Final = "Yes, leave"
BUTTON_CANCEL: Final = "Cancel"
LEFT: Final = (
    "You left peercoach. I won't send you any more messages. "
    "Changed your mind? `{slash} find` brings you back."
)
LEFT_FORGET_HINT: Final = "To delete your data as well, type `{slash} forget`."

FORGET_CONFIRM: Final = "*Delete your data from peercoach?*"
FORGET_DELETED: Final = (
    "*What I delete*\n"
    "• Your profile: function, level, time zone, working hours, goals, skills and how often "
    "you meet\n"
    "• Your check-ins and notes\n"
    "• Your list of people you would rather not be paired with\n"
    "• The links between you and your past matches"
)
FORGET_KEPT: Final = (
    "*What stays*\n"
    "Anonymous counts, such as how many people took part and met each month. "
    "They do not name or point to you."
)
FORGET_IRREVERSIBLE: Final = (
    "*This cannot be undone.* You also leave peercoach. Want a copy first? Type `{slash} export`."
)
FORGET_CONFIRM_FALLBACK: Final = "Delete your data from peercoach? This cannot be undone."
BUTTON_CONFIRM_FORGET: Final = "Delete my data"
FORGET_DIALOG_TITLE: Final = "Delete your data?"  # plain text
FORGET_DIALOG_TEXT: Final = (
    "Your profile, check-ins, do-not-pair list and match links are deleted for good."
)
FORGET_DIALOG_CONFIRM: Final = "Delete"  # plain text
FORGET_DIALOG_DENY: Final = "Keep my data"  # plain text
FORGOTTEN: Final = (
    "Your data is deleted and you have left peercoach. Only anonymous counts remain. "
    "If you join again, you start afresh."
)

CANCELLED: Final = "OK, nothing was changed."

EXPORT_SENT: Final = "I sent you a file in our direct messages with everything stored about you."
# Plain text: the comment posted with the export file.
EXPORT_FILE_COMMENT: Final = (
    "Here is everything peercoach stores about you. Only you can see this conversation."
)

NOT_ENROLLED: Final[dict[str, str]] = {
    "status": "You are not taking part in peercoach right now.",
    "pause": "You are not taking part in peercoach right now, so there is nothing to pause.",
    "resume": "You are not taking part in peercoach right now, so there is nothing to resume.",
    "leave": "You are not taking part in peercoach right now, so there is nothing to leave.",
    "mentor": "You are not taking part in peercoach right now.",
    "question": "You are not taking part in peercoach right now.",
    "checkin": "You are not taking part in peercoach right now, so there is no check-in.",
}
NOT_ENROLLED_OTHER: Final = "`{slash} {command}` works once you take part in peercoach."
NOT_ENROLLED_NEXT: Final = "Type `{slash} find` to join the next round."

REFUSALS: Final[dict[str, str]] = {
    "deleted": (
        "Slack tells us this account is deactivated, so it can't take part in peercoach. "
        "If that is a mistake, ask your workspace admin to reactivate it."
    ),
    "bot": (
        "Bots and apps can't take part in peercoach: it pairs people for coaching "
        "conversations. Ask a person to type the command instead."
    ),
    "external": (
        "peercoach is for members of this workspace, and your account belongs to another "
        "organisation. Ask in your own workspace whether it runs peer coaching."
    ),
    "restricted": (
        "peercoach is for full members of this workspace, and guest accounts can't take part. "
        "If you think you should, ask your workspace admin."
    ),
    "excluded": (
        "Thanks for your interest! Your workspace admins have set peercoach up so that your "
        "account doesn't take part for now, so you won't be matched. Nothing is wrong with "
        "your account; if you think you should take part, ask your workspace admin."
    ),
}
REFUSAL_OTHER: Final = (
    "Sorry, this account can't take part in peercoach. Ask your workspace admin if you think "
    "it should."
)

SLACK_BUSY: Final = (
    "Slack didn't answer in time, so I couldn't finish that. Nothing was changed; "
    "please try again in a minute."
)

NOT_ADMIN: Final = (
    "Sorry, admin commands are for workspace admins and owners, and for the people listed "
    "by whoever runs peercoach here. Nothing was changed. If something about the programme "
    "should change, ask one of them."
)

# Plain text: the pause modal.
PAUSE_MODAL_TITLE: Final = "Pause peercoach"
PAUSE_MODAL_SUBMIT: Final = "Pause"
PAUSE_MODAL_CLOSE: Final = "Cancel"
PAUSE_MODAL_INTRO: Final = (  # mrkdwn
    "Take a break: we won't match you in new rounds while you are paused, and you resume "
    "by yourself on the day you choose."
)
PAUSE_UNTIL_LABEL: Final = "Pause until"
PAUSE_UNTIL_PLACEHOLDER: Final = "Choose a date"
PAUSE_UNTIL_HINT: Final = "You resume on this day. Choose a day within the next year."

FLASH_REQUESTED: Final = (
    "*Got it:* you asked for a one-off coaching conversation in the week of {date}."
)
FLASH_HOW: Final = (
    "Flash conversations are not arranged instantly: they are matched with the people in "
    "the next round, on the programme's schedule. I will introduce you in a direct message "
    "when that round runs."
)
FLASH_REGULAR: Final = "It is a single conversation and doesn't change any regular programme."
