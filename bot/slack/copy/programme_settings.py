"""User-facing strings for the programme settings modal, its errors and its summary.

Plain text unless a name says mrkdwn; `{placeholders}` are filled by
`bot.slack.blocks.programme_settings` and `bot.programmes.settings_form`, so the bounds shown
here always match the ones enforced.
"""

from typing import Final

MODAL_TITLE: Final = "Matching settings"  # Slack caps modal titles at 24 characters
MODAL_SUBMIT: Final = "Save"
MODAL_CLOSE: Final = "Cancel"
MODAL_INTRO: Final = (  # mrkdwn
    "How matches are made across this workspace. Each programme has its own schedule and "
    "group size: change those with `/peercoach admin programmes`. The first fields below are "
    "only the defaults a programme starts with when it is created."
)

SECTION_ROUNDS: Final = "Defaults for new programmes"
SECTION_MATCHING: Final = "Matching"
SECTION_WEIGHTS: Final = "What makes a good match"
SECTION_WEIGHTS_HELP: Final = (  # mrkdwn
    "How much each criterion counts when matches are made: 0 ignores it, {max} counts it most, "
    "in steps of {step}. At least one must be above 0."
)
SECTION_DIGEST: Final = "Digest and privacy"

CADENCE_LABEL: Final = "How often"
CADENCE_HINT: Final = "How often a new programme starts a round of matches."
CADENCE_OPTIONS: Final = {  # keyed by bot.domain.Cadence values
    "weekly": "Every week",
    "fortnightly": "Every 2 weeks",
    "monthly": "Every month",
}

WEEKDAY_LABEL: Final = "Round day"
WEEKDAY_HINT: Final = "The day of the week a new programme's rounds start."
WEEKDAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

INTRO_HOUR_LABEL: Final = "Introductions at"
INTRO_HOUR_HINT: Final = "Introductions go out at this hour, local time for each group."
INTRO_HOUR_OPTION: Final = "{hour:02d}:00"

CIRCLE_SIZE_LABEL: Final = "Circle size"
CIRCLE_SIZE_HINT: Final = (
    "How many people a new circles programme aims for. Pairs are always two people, "
    "with one group of three when the number is odd."
)
CIRCLE_SIZE_OPTION: Final = "{size} people"

TZ_GAP_LABEL: Final = "Largest time zone gap"
TZ_GAP_HINT: Final = (
    "People whose time zones are further apart than this are never matched, "
    "so they can find a time to meet."
)
TZ_GAP_OPTION_ZERO: Final = "Same time zone only"
TZ_GAP_OPTION_ONE: Final = "1 hour"
TZ_GAP_OPTION_MANY: Final = "{hours} hours"

LEVEL_GAP_LABEL: Final = "Mentor seniority"
LEVEL_GAP_HINT: Final = "How many levels more senior a mentor must be than their mentee."
LEVEL_GAP_OPTION_ONE: Final = "At least 1 level"
LEVEL_GAP_OPTION_MANY: Final = "At least {levels} levels"

SELECT_PLACEHOLDER: Final = "Choose one"

# Keyed by bot.matching.model.Criterion values.
WEIGHT_LABELS: Final = {
    "function": "Different functions",
    "level": "Similar levels",
    "hours": "Overlapping working hours",
    "goals": "Shared goals",
    "complement": "Complementary skills",
}
WEIGHT_HINTS: Final = {
    "function": "Prefer partners who work in a different function.",
    "level": "Prefer partners at a similar level.",
    "hours": "Prefer partners whose working hours overlap.",
    "goals": "Prefer partners who want to grow in the same areas.",
    "complement": "Prefer pairs where one offers a skill the other wants to grow.",
}
# Short forms for the one-line summary.
WEIGHT_SHORT: Final = {
    "function": "different function",
    "level": "similar level",
    "hours": "overlapping hours",
    "goals": "shared goals",
    "complement": "complementary skills",
}

DIGEST_CHANNEL_LABEL: Final = "Digest channel"
DIGEST_CHANNEL_HINT: Final = (
    "Where the admin digest is posted. For a private channel, add peercoach to it first."
)
DIGEST_CHANNEL_PLACEHOLDER: Final = "Choose a channel"

MIN_AGGREGATE_LABEL: Final = "Smallest group shown in digests"
MIN_AGGREGATE_HINT: Final = (
    "Digests never show a number about fewer people than this; "
    "smaller groups are left out to protect privacy."
)

# Errors shown under a field (`response_action: errors`); keep them short.
ERROR_CHOOSE_OPTION: Final = "Choose one of the options."
ERROR_WEIGHT_NOT_NUMBER: Final = "Enter a number from {min} to {max}, such as 1 or 2.5."
ERROR_WEIGHT_RANGE: Final = "Use a number from {min} to {max}."
ERROR_WEIGHT_STEP: Final = "Use steps of {step}, such as 1, 1.5 or 2."
ERROR_ALL_WEIGHTS_ZERO: Final = "At least one criterion must count: give one a weight above 0."
ERROR_WHOLE_NUMBER: Final = "Enter a whole number from {min} to {max}."
ERROR_CHANNEL: Final = "Choose a channel from the list."

# describe(): mrkdwn, one line per topic.
SUMMARY_ROUNDS: Final = (
    "*New programmes:* {cadence} on {weekday}; introductions at {hour} in each group's time zone"
)
SUMMARY_MATCHING: Final = (
    "*Matching:* circles of {circle_size}; {tz_gap}; mentors at least {level_gap} more senior"
)
SUMMARY_WEIGHTS: Final = "*What counts:* {weights}"
SUMMARY_WEIGHT: Final = "{name} {weight}"
SUMMARY_WEIGHT_SEPARATOR: Final = " · "
SUMMARY_DIGEST_CHANNEL: Final = "*Digest:* posted in <#{channel_id}>; {privacy}"
SUMMARY_DIGEST_NO_CHANNEL: Final = "*Digest:* no channel chosen; {privacy}"
SUMMARY_PRIVACY: Final = "groups of fewer than {size} people are left out"
SUMMARY_TZ_SAME: Final = "partners in the same time zone only"
SUMMARY_TZ_ONE: Final = "time zones at most 1 hour apart"
SUMMARY_TZ_MANY: Final = "time zones at most {hours} hours apart"
SUMMARY_LEVELS_ONE: Final = "1 level"
SUMMARY_LEVELS_MANY: Final = "{levels} levels"
