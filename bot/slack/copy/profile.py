"""User-facing strings of the profile modal, its errors and the profile summary.

Plain text unless a name says mrkdwn. Slack limits: modal title, submit and close <= 24 characters;
option text and option descriptions <= 75; placeholders <= 150; labels and hints <= 2000.
`{placeholders}` are filled by `bot.enrolment.profile_form` and `bot.slack.blocks.profile`.
"""

from typing import Final

MODAL_TITLE: Final = "Your peercoach profile"
SUBMIT_SAVE: Final = "Save"
SUBMIT_JOIN: Final = "Join"
CLOSE: Final = "Cancel"

# mrkdwn, first block of the modal.
INTRO_NEW: Final = (
    "Tell us a little about yourself so we can pair you with a colleague at a similar level "
    "in a different function. It takes about two minutes, and you can change it any time "
    "with `{slash} profile`."
)
INTRO_EDIT: Final = (
    "Update your profile. We use your changes the next time we look for a partner for you."
)

FUNCTION_LABEL: Final = "Function or department"
FUNCTION_PLACEHOLDER: Final = "Choose the closest match"
# Keyed by the stored value in `bot.enrolment.profile_form.FUNCTIONS`.
FUNCTION_NAMES: Final[dict[str, str]] = {
    "engineering": "Engineering",
    "product": "Product",
    "design": "Design",
    "data": "Data & Analytics",
    "sales": "Sales",
    "marketing": "Marketing",
    "customer-success": "Customer Success",
    "support": "Support",
    "operations": "Operations",
    "finance": "Finance",
    "people": "People & HR",
    "legal": "Legal",
    "it": "IT",
    "research": "Research",
    "general-management": "General management",
    "other": "Other",
}

LEVEL_LABEL: Final = "Level"
LEVEL_PLACEHOLDER: Final = "Choose your level"
LEVEL_HINT: Final = "Roughly how senior your role is. We pair people at a similar level."
# Shown under a field the HR import filled in. Level and manager are seen only by the person
# and admins, so saying where it came from reveals nothing to anyone else.
FROM_HR_HINT: Final = "From HR. Change it if it doesn't fit."
FROM_HR_LOCKED_HINT: Final = (
    "From HR. Your admins keep this in step with HR, so a change here is not saved."
)
LEVEL_OPTION: Final = "{level} · {title}"
LEVEL_UNKNOWN: Final = "Level {level}"
# Keyed by level, 1 (most junior) to 6.
LEVEL_TITLES: Final[dict[int, str]] = {
    1: "Early career",
    2: "Developing",
    3: "Experienced",
    4: "Senior",
    5: "Lead or principal",
    6: "Executive",
}
LEVEL_DESCRIPTIONS: Final[dict[int, str]] = {
    1: "New to the role or to working life; learning the ropes",
    2: "Owns well-defined work with some guidance",
    3: "Works independently on complex work",
    4: "Leads larger pieces of work or a team; guides others",
    5: "Sets direction across teams or leads managers",
    6: "Leads a function, a business unit or the organisation",
}

TIME_ZONE_LABEL: Final = "Time zone"
TIME_ZONE_PLACEHOLDER: Final = "e.g. Europe/Berlin"
TIME_ZONE_HINT: Final = (
    "The name of your time zone, such as Europe/Berlin or America/New_York. "
    "We use it with your working hours to suggest meeting times."
)

WORK_START_LABEL: Final = "Your working day starts at"
WORK_END_LABEL: Final = "Your working day ends at"
WORK_START_PLACEHOLDER: Final = "Start time"
WORK_END_PLACEHOLDER: Final = "End time"
WORK_END_HINT: Final = (
    "Local time in your time zone. Working nights? An end time before the start time "
    "means your day ends after midnight."
)

# mrkdwn, the section above the goal fields.
GOALS_INTRO: Final = (
    "*What would you like to get better at?*\n"
    "Write up to three goals in your own words, pick topics from the list, or both. "
    "We need at least one."
)
GOAL_LABEL: Final = "Goal {number}"
GOAL_PLACEHOLDERS: Final = (
    "e.g. Give clearer, kinder feedback to my team",
    "e.g. Stay calm when presenting to leadership",
    "e.g. Say no to work that is not a priority",
)
GOAL_TAGS_LABEL: Final = "Goal topics"
GOAL_TAGS_PLACEHOLDER: Final = "Pick up to {limit} topics"
GOAL_TAGS_HINT: Final = "We look for a partner who can help with these topics."

SKILLS_LABEL: Final = "Where you can help others"
SKILLS_PLACEHOLDER: Final = "Pick up to {limit} topics"
SKILLS_HINT: Final = "Topics you would be glad to help a colleague think through."

CADENCE_LABEL: Final = "How often would you like to meet?"
# Keyed by `bot.domain.Cadence` value.
CADENCE_OPTIONS: Final[dict[str, str]] = {
    "weekly": "Every week",
    "fortnightly": "Every 2 weeks",
    "monthly": "Every month",
}

DO_NOT_PAIR_LABEL: Final = "People you would rather not be paired with"
DO_NOT_PAIR_PLACEHOLDER: Final = "Choose people"
DO_NOT_PAIR_HINT: Final = (
    "Private: we only use this list when pairing people. It is never shown to anyone, "
    "including the people on it."
)

ERROR_FUNCTION_MISSING: Final = "Choose your function or department."
ERROR_FUNCTION_UNKNOWN: Final = "Choose one of the functions in the list."
ERROR_LEVEL_MISSING: Final = "Choose your level."
ERROR_LEVEL_UNKNOWN: Final = "Choose one of the levels in the list."
ERROR_TIME_ZONE_MISSING: Final = "Enter your time zone, e.g. Europe/Berlin."
ERROR_TIME_ZONE_SUGGEST: Final = "We don't know the time zone “{given}”. Did you mean {suggestion}?"
ERROR_TIME_ZONE_UNKNOWN: Final = (
    "We don't know the time zone “{given}”. Use a name like Europe/Berlin or America/New_York."
)
ERROR_TIME_MISSING: Final = "Choose a time."
ERROR_TIME_INVALID: Final = "Choose a time from the list."
ERROR_HOURS_EQUAL: Final = "Your working day can't start and end at the same time."
ERROR_HOURS_TOO_SHORT: Final = "We need at least {hours} working hours to find a time to meet."
ERROR_GOAL_TOO_LONG: Final = "Keep each goal to {limit} characters or fewer; this one has {length}."
ERROR_GOAL_INVALID: Final = "Write this goal as plain text."
ERROR_NO_GOAL: Final = "Add at least one goal: write one here or pick a topic below."
ERROR_TOPICS_TOO_MANY: Final = "Pick at most {limit} topics."
ERROR_TOPICS_UNKNOWN: Final = "Pick topics from the list."
ERROR_CADENCE_MISSING: Final = "Choose how often you would like to meet."
ERROR_CADENCE_UNKNOWN: Final = "Choose one of the options."
ERROR_DO_NOT_PAIR_SELF: Final = "Remove yourself from this list; we never pair you with yourself."
ERROR_DO_NOT_PAIR_TOO_MANY: Final = "Choose at most {limit} people."
ERROR_DO_NOT_PAIR_INVALID: Final = "Choose people from the list."

# mrkdwn, the profile summary for App Home and confirmations. It never mentions the
# do-not-pair list.
SUMMARY_FUNCTION: Final = "*Function:* {function}"
SUMMARY_LEVEL: Final = "*Level:* {level}"
SUMMARY_HOURS: Final = "*Time zone:* {time_zone}, working {start}–{end}"
SUMMARY_OVERNIGHT: Final = " (ends the next day)"
SUMMARY_GOALS: Final = "*Goals:*"
SUMMARY_GOAL_ITEM: Final = "• {goal}"
SUMMARY_GOAL_TOPICS: Final = "*Goal topics:* {topics}"
SUMMARY_NO_GOALS: Final = "*Goals:* _none yet_"
SUMMARY_SKILLS: Final = "*Can help with:* {skills}"
SUMMARY_NO_SKILLS: Final = "*Can help with:* _nothing listed yet_"
SUMMARY_CADENCE: Final = "*Meeting:* {cadence}"
# Keyed by `bot.domain.Cadence` value; reads after "Meeting:".
CADENCE_SUMMARY: Final[dict[str, str]] = {
    "weekly": "every week",
    "fortnightly": "every 2 weeks",
    "monthly": "every month",
}
