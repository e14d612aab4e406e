"""User-facing strings of rounds: intros, the notes to people a round leaves out, pause ends,
one-off conversations and the end of a cohort.

Slack mrkdwn unless a name or comment says plain text. `{placeholders}` are filled by
`bot.slack.blocks.intro` and `bot.rounds`; `{slash}` is always the slash command.
Slack limits: button text <= 75 characters.
"""

from typing import Final

# --- Intros ----------------------------------------------------------------------------------

INTRO_FALLBACK: Final = "Meet your peer coaching group for this round: {mentions}"
INTRO_FALLBACK_PAIR: Final = "Meet your peer coach for this round: {mentions}"
INTRO_FALLBACK_FLASH: Final = "Meet your partner for a one-off coaching conversation: {mentions}"
INTRO_HEADER: Final = ":wave: Meet your peer coaching group for this round"
INTRO_HEADER_PAIR: Final = ":wave: Meet your peer coach for this round"
INTRO_HEADER_FLASH: Final = ":zap: Meet your partner for a one-off coaching conversation"
INTRO_PROGRAMME: Final = "_{programme}_"
# One line per member: mention, function, local time. Never a level: only the person and
# admins see someone's level.
INTRO_MEMBER: Final = "• {mention} · {function}"
INTRO_MEMBER_TIME: Final = "   _local time when this intro was due: {clock}_"
INTRO_WHY: Final = "*Why you two:* {explanation}"
INTRO_WHY_GROUP: Final = "*Why this group:* {explanation}"
INTRO_HOURS: Final = "*Working hours you share:*"
INTRO_HOURS_MEMBER: Final = "• {mention}: {start}–{end} {zone}"
INTRO_NO_SHARED_HOURS: Final = (
    "*Working hours:* your days barely overlap, so find a time at the edge of someone's day."
)
INTRO_HOW_TITLE: Final = "*How to run it (about 45 minutes):*"
INTRO_HOW: Final = (
    "1. One of you talks about something they're working on or stuck with; the other only asks "
    "open questions and listens.\n"
    "2. After 20 minutes, swap.\n"
    "3. End with one next step each, said out loud."
)
INTRO_QUESTION: Final = "*A first question to start with:* {question}"
INTRO_BUTTONS_HINT: Final = "Tell me how it went with the buttons; only one of you needs to."
BUTTON_MET: Final = "We met"
BUTTON_SKIP: Final = "Skip this round"
BUTTON_PAUSE: Final = "Pause me"

FUNCTION_UNKNOWN: Final = "role not given"

# Used only when a workspace has retired every question of its bank; one is picked per group.
FIRST_QUESTIONS: Final = (
    "What is one thing you'd like to be better at three months from now, and why that?",
    "What's a decision you're putting off at the moment? What makes it hard?",
    "When did you last feel really effective at work? What made it so?",
    "What's a piece of feedback you got recently that you keep thinking about?",
    "If you had one extra hour each week for your own growth, what would you spend it on?",
    "What's something your team needs from you that you find hard to give?",
    "Which conversation are you avoiding right now, and what would help you have it?",
    "What have you learned in the last month that changed how you work?",
)

# --- People a round leaves out (DMs) -----------------------------------------------------------

SKIP_PAUSED: Final = (
    "A new round of *{programme}* started today. You're paused, so I left you out this time. "
    "Use `{slash} resume` whenever you'd like to be matched again."
)
SKIP_LEFT: Final = (
    "You've left *{programme}*, so you're not in the round that started today. "
    "If that was a mistake, `{slash} find` brings you back."
)
SKIP_AWAY: Final = (
    "A new round of *{programme}* started today. Your Slack status says you're away, so I left "
    "you out this time rather than have someone wait for you. Enjoy the time off; you'll be in "
    "the next round."
)
SKIP_ON_HOLD: Final = (
    "A new round of *{programme}* started today. I haven't heard from you for a few rounds, so "
    "I'm holding your place until you tell me whether to keep matching you: answer my earlier "
    "message, or use `{slash} resume`."
)
LEFT_OUT: Final = (
    "A new round of *{programme}* started today, but I couldn't find you a match this time: "
    "{reason}. You'll be in the next round; nothing to do on your side."
)
# Readable reasons for the engine's left-out codes (filled into LEFT_OUT).
LEFT_OUT_REASONS: Final[dict[str, str]] = {
    "no_allowed_partner": (
        "everyone you could be matched with works too many hours away, has been your partner "
        "before or is on a do-not-pair list"
    ),
    "partners_taken": "the people you could be matched with were all needed in other groups",
    "no_mentor": "no mentor senior enough with room for another mentee was available",
    "no_skill_match": "nobody offered or wanted a skill that matches yours this round",
    "too_few_people": "too few people were available for a group",
}
LEFT_OUT_REASON_DEFAULT: Final = "there weren't enough suitable people this round"

# --- Pauses, one-off conversations, cohorts ---------------------------------------------------

PAUSE_OVER: Final = (
    ":wave: Your pause is over, so you'll be in the next round again. "
    "Need more time? `{slash} pause` pauses you again."
)
FLASH_NOBODY: Final = (
    "Nobody else asked for a one-off conversation last week, so I couldn't match you this time. "
    "Ask again with `{slash} find flash` whenever you like."
)
COHORT_CLOSED: Final = (
    ":checkered_flag: *{programme}* has come to an end. {summary} Thank you for taking part! "
    "Take a minute to note one thing you'll keep doing from these conversations."
)
COHORT_SUMMARY: Final = "You were matched {groups} times and told me you met {met} times."
COHORT_SUMMARY_ONE: Final = "You were matched once and told me you met {met} times."
COHORT_SUMMARY_NONE: Final = "You weren't matched in this cohort this time."

FLASH_PROGRAMME: Final = "One-off conversation"
