"""User-facing strings about programmes: what someone is in, leaving one, the admin's programme
modal, invitations and `admin round now`.

Slack mrkdwn unless a comment says plain text. `{name}` placeholders receive programme names
already escaped by the block builders; `{slash}` is always the slash command.
Slack limits: button text <= 75; modal title, submit and close <= 24; option text <= 75.
"""

from typing import Final

# Keyed by bot.domain.ProgrammeMode values.
MODE_NAMES: Final[dict[str, str]] = {
    "pairs": "pairs",
    "circles": "circles",
    "mentorship": "mentoring",
    "reverse": "reverse mentoring",
}
# Plain text, for the select in the programme form.
MODE_OPTIONS: Final[dict[str, str]] = {
    "pairs": "Pairs: two peers coach each other",
    "circles": "Circles: a small group of 3 to 6",
    "mentorship": "Mentoring: a senior colleague and a mentee",
    "reverse": "Reverse mentoring: a junior colleague mentors",
}
# Keyed by bot.domain.Cadence values; lower case, used inside sentences.
CADENCE_NAMES: Final[dict[str, str]] = {
    "weekly": "every week",
    "fortnightly": "every 2 weeks",
    "monthly": "every month",
}
WEEKDAY_PLURALS: Final = (
    "Mondays",
    "Tuesdays",
    "Wednesdays",
    "Thursdays",
    "Fridays",
    "Saturdays",
    "Sundays",
)
# Keyed by bot.domain.MembershipRole values: how the person takes part.
ROLE_NAMES: Final[dict[str, str]] = {
    "participant": "",
    "mentor": "as a mentor",
    "mentee": "looking for a mentor",
}

# --- What someone is in (status and App Home) ----------------------------------------------

PROGRAMMES_TITLE: Final = "*Your programmes*"
PROGRAMME_LINE: Final = "*{name}* · {mode}{role} · {cadence} on {weekdays}"
PROGRAMME_NEXT_ON: Final = "Next round: {date}"
PROGRAMME_NEXT_NONE: Final = "No further round is planned."
PROGRAMME_NONE: Final = (
    "You are not in any programme right now. `{slash} find` joins peer pairs, "
    "`{slash} find circle` a circle."
)

# --- Joining ---------------------------------------------------------------------------------

JOINED_ALSO_IN: Final = "You are also still in {names}: nothing changes there."
JOINED_ALREADY_IN: Final = "You were already in *{name}*."
JOINED_PROGRAMME: Final = "You joined *{name}*."
JOIN_CLOSED: Final = (
    "That programme has closed, so there is nothing to join. "
    "`{slash} find` joins the workspace's peer pairs."
)

# --- Leaving ---------------------------------------------------------------------------------

LEAVE_WHICH: Final = (
    "*Which programme do you want to leave?*\n"
    "You are in {names}. Leaving one keeps the others; your history stays for statistics."
)
LEAVE_WHICH_FALLBACK: Final = "Which programme do you want to leave?"
BUTTON_LEAVE_ONE: Final = "Leave {name}"  # plain text, cut to 75 characters
BUTTON_LEAVE_ALL: Final = "All programmes"  # plain text
LEFT_ONE: Final = (
    "You left *{name}*. You are still in {names}. `{slash} status` shows what is next."
)
LEFT_NOT_IN: Final = "You are no longer in that programme. Nothing was changed."

# --- Admin: programmes modal -----------------------------------------------------------------

LIST_TITLE: Final = "Programmes"  # plain text
LIST_CLOSE: Final = "Done"  # plain text
LIST_INTRO: Final = (
    "The programmes this workspace runs. People join the default one with `{slash} find`, "
    "circles with `{slash} find circle` and mentoring with `{slash} find mentor`."
)
LIST_EMPTY: Final = "No programme yet. The first `{slash} find` creates *Peer pairs*."
LIST_LINE: Final = "*{name}*{default} · {mode} · {cadence} on {weekdays} · {members}"
LIST_DEFAULT: Final = " (default)"
LIST_MEMBERS_ONE: Final = "1 member"
LIST_MEMBERS_MANY: Final = "{count} members"
LIST_NEXT_ON: Final = "Next round {date}"
LIST_NEXT_NONE: Final = "No round planned"
LIST_COHORT: Final = "Cohort {start} to {end}"
BUTTON_NEW: Final = "New programme"  # plain text
BUTTON_EDIT: Final = "Edit"  # plain text
BUTTON_CLOSE: Final = "Close"  # plain text
CLOSE_DIALOG_TITLE: Final = "Close this programme?"  # plain text
CLOSE_DIALOG_TEXT: Final = (  # plain text
    "No more rounds. Its members are told by DM and leave it; their history stays."
)
CLOSE_DIALOG_CONFIRM: Final = "Close it"  # plain text
CLOSE_DIALOG_DENY: Final = "Keep it"  # plain text
CLOSED_NOTICE: Final = "*{name}* is closed; {count} members were told."
CLOSE_DEFAULT_REFUSED: Final = (
    "*{name}* is the default programme that `{slash} find` joins, so it can't be closed. "
    "Edit its schedule instead."
)

FORM_TITLE_NEW: Final = "New programme"  # plain text
FORM_TITLE_EDIT: Final = "Edit programme"  # plain text
FORM_SUBMIT: Final = "Save"  # plain text
FORM_CLOSE: Final = "Back"  # plain text
NAME_LABEL: Final = "Name"
NAME_HINT: Final = "What members see, e.g. Leadership circle, spring cohort."
MODE_LABEL: Final = "How people are grouped"
MODE_HINT: Final = "Pairs, mentoring and reverse mentoring always make groups of two."
CADENCE_LABEL: Final = "How often"
CADENCE_HINT: Final = "How often a new round of matches starts."
CADENCE_OPTIONS: Final[dict[str, str]] = {
    "weekly": "Every week",
    "fortnightly": "Every 2 weeks",
    "monthly": "Every month",
}
WEEKDAY_LABEL: Final = "Round day"
WEEKDAY_HINT: Final = "The day of the week each round starts."
CHECKIN_DAY_LABEL: Final = "Check-in day"
CHECKIN_DAY_HINT: Final = (
    "Members get their short weekly check-in at 09:00 their time on this day (weekdays only)."
)
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
INTRO_HOUR_LABEL: Final = "Introductions at"
INTRO_HOUR_HINT: Final = "Local time of each group: never outside 08:00-20:00 for anyone in it."
INTRO_HOUR_OPTION: Final = "{hour:02d}:00"
GROUP_SIZE_LABEL: Final = "Group size"
GROUP_SIZE_HINT: Final = "2 for pairs and mentoring; 3 to 6 for circles."
GROUP_SIZE_OPTION: Final = "{size} people"
CHANNEL_LABEL: Final = "Home channel"
CHANNEL_HINT: Final = "Optional: where the programme lives, for invitations and news."
CHANNEL_PLACEHOLDER: Final = "Choose a channel"
KIND_LABEL: Final = "Runs"
KIND_OPTIONS: Final[dict[str, str]] = {
    "evergreen": "Until it is closed",
    "cohort": "As a cohort, between two dates",
}
KIND_HINT: Final = "A cohort ends by itself on its end date, with a short retrospective."
STARTS_LABEL: Final = "Cohort starts"
ENDS_LABEL: Final = "Cohort ends"
DATES_HINT: Final = "Cohorts only. For example 8 weeks for a circle."
SELECT_PLACEHOLDER: Final = "Choose one"

ERROR_NAME: Final = "Give the programme a name of 1 to 80 characters."
ERROR_NAME_TAKEN: Final = "Another programme already has this name; choose another."
ERROR_CHOOSE: Final = "Choose one of the options."
ERROR_SIZE_TWO: Final = "Pairs and mentoring always make groups of 2."
ERROR_SIZE_CIRCLE: Final = "Circles have 3 to 6 people."
ERROR_CHANNEL: Final = "Choose a channel from the list."
ERROR_DATE: Final = "Pick a date."
ERROR_COHORT_START: Final = "A cohort needs a start date."
ERROR_COHORT_END: Final = "A cohort needs an end date."
ERROR_COHORT_ORDER: Final = "The end must be at least a week after the start."
ERROR_COHORT_PAST: Final = "The end date has already passed."
ERROR_DATES_EVERGREEN: Final = "Only cohorts have dates; clear them or choose a cohort."

SAVING: Final = "Saving the programme…"
SAVED: Final = "*{name}* is saved."
SAVED_SCHEDULE_RESET: Final = "The next round is recalculated from the new schedule."
NOT_SAVED: Final = (
    ":warning: The database did not answer in time, so nothing was saved. Press Save again."
)
NOT_ADMIN: Final = (
    "Only workspace admins and owners, and people your peercoach admin listed, can change "
    "programmes. Nothing was changed."
)
DONE: Final = "Done"  # plain text

CLOSED_DM: Final = (
    "*{name}* has closed, so it won't start new rounds. Thank you for taking part! "
    "Your history stays, only for statistics."
)
CLOSED_DM_REMAINING: Final = "You are still in {names}."
CLOSED_DM_NONE: Final = "Type `{slash} find` any time to join peer pairs."

# --- Admin: invitations ----------------------------------------------------------------------

INVITE_TEXT: Final = (
    "Hi! You are invited to *{name}*, a peer-coaching programme in this workspace: "
    "{how} You meet {cadence}, and you can pause or leave any time."
)
INVITE_HOW: Final[dict[str, str]] = {
    "pairs": "each round pairs you with a colleague at a similar level in a different function.",
    "circles": "each round puts you in a small group of colleagues who coach each other.",
    "mentorship": "you are matched with a more senior colleague who offered to mentor.",
    "reverse": "you are matched with a colleague for reverse mentoring.",
}
INVITE_FALLBACK: Final = "You are invited to {name}, a peer-coaching programme."
INVITE_HINT: Final = "Not interested? Just ignore this message; I won't ask again."
BUTTON_JOIN: Final = "Join"  # plain text
INVITE_QUEUED: Final = (
    "Invitations for *{name}* are on their way to {invited} members of <#{channel}>, "
    "a few per minute."
)
INVITE_NONE_QUEUED: Final = "No new invitations for *{name}* from <#{channel}>."
INVITE_SKIPPED: Final = "Skipped: {reasons}."
INVITE_SKIP_REASONS: Final[dict[str, str]] = {
    "member": "{count} already in the programme",
    "invited": "{count} invited before",
    "left": "{count} who left peercoach",
    "bot": "{count} bots",
    "deleted": "{count} deactivated accounts",
    "guest": "{count} guests or people from other organisations",
    "unknown": "{count} Slack could not tell us about",
    "excluded": "{count} excluded by the eligibility settings",
}
INVITE_NOT_IN_CHANNEL: Final = (
    "I can't see the members of <#{channel}>. Add peercoach to the channel first "
    "(open the channel, type `/invite @peercoach`), then run this command again. "
    "Nothing was sent."
)
INVITE_SLACK_BUSY: Final = (
    "Slack didn't answer while I read the channel's members. Nothing was sent; "
    "please try again in a minute."
)
INVITE_JOINED: Final = "You joined *{name}*. I will introduce you when its next round starts."

# --- Admin: choosing a programme by name ---------------------------------------------------

UNKNOWN_PROGRAMME: Final = "There is no open programme called *{typed}*. Open ones: {names}."
NO_PROGRAMMES: Final = (
    "This workspace has no open programme yet. Create one with `{slash} admin programmes`."
)

# --- Admin: round now ----------------------------------------------------------------------

ROUND_NOW_CONFIRM: Final = (
    "*Start a round of {name} now?* It has {members}. The matches are made within a minute, "
    "and each group's introduction goes out at its local intro hour."
)
ROUND_NOW_MEMBERS_ONE: Final = "1 active member"
ROUND_NOW_MEMBERS_MANY: Final = "{count} active members"
ROUND_NOW_FALLBACK: Final = "Start a round of {name} now?"
BUTTON_ROUND_NOW: Final = "Start the round"  # plain text
BUTTON_CANCEL: Final = "Cancel"  # plain text
ROUND_NOW_STARTED: Final = (
    "The round of *{name}* starts within a minute; each group's intro goes out at its local "
    "intro hour."
)
ROUND_NOW_CLOSED: Final = "*{name}* has closed, so no round was started."
ROUND_NOW_CANCELLED: Final = "OK, no round was started."

# --- Admin App Home --------------------------------------------------------------------------

HOME_ADMIN_PROGRAMMES: Final = "*Programmes*"
HOME_ADMIN_NO_PROGRAMMES: Final = "No programme yet: the first `{slash} find` creates *Peer pairs*."
HOME_FAILED: Final = ":warning: {count} messages could not be delivered: {kinds}."
HOME_FAILED_ONE: Final = ":warning: 1 message could not be delivered: {kinds}."
HOME_FAILED_KIND: Final = "{count} {kind} ({error})"
BUTTON_ADMIN_PROGRAMMES: Final = "Programmes"  # plain text
