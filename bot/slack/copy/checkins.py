"""User-facing strings for the weekly check-in: the DM, its reminder, the modal, the answers
to buttons and to plain-text replies, and a step shared with a circle.

Slack mrkdwn unless a name says plain text. `{step}` and `{note}` are what the person typed,
escaped before they are put in. Button text (plain) <= 75 characters.
"""

from typing import Final

# --- The check-in DM -------------------------------------------------------------------------

FALLBACK: Final = "Your weekly check-in: 30 seconds, and only you see the answers."
INTRO: Final = (
    ":seedling: *Your weekly check-in.* 30 seconds, and only you see the answers "
    "(a step you choose to share goes to your circle)."
)
PREVIOUS_STEP: Final = "Last week you committed to: *{step}*\nDid you do it?"
RATING_QUESTION: Final = "How useful was coaching for you this week?"
ANSWER_PROMPT: Final = (
    "Press *Answer* for the full check-in (goal progress, did you meet, your next step), "
    "or simply reply here in your own words, e.g. `4, on track, we met, good talk`."
)
REMINDER_FALLBACK: Final = "A gentle reminder: this week's check-in is still open."
REMINDER: Final = (
    ":hourglass_flowing_sand: A gentle reminder: this week's check-in is still open until "
    "Sunday. Reply here in a few words (`4, some progress, met`) or press *Answer*."
)

BUTTON_YES: Final = "Yes"
BUTTON_PARTLY: Final = "Partly"
BUTTON_NO: Final = "No"
BUTTON_ANSWER: Final = "Answer"

# --- The modal (plain text unless noted) ----------------------------------------------------

MODAL_TITLE: Final = "Weekly check-in"
MODAL_SUBMIT: Final = "Save"
MODAL_CLOSE: Final = "Cancel"
MODAL_INTRO: Final = "Only you see these answers, unless you share your step with your circle."
LABEL_RATING: Final = "How useful was coaching this week?"
LABEL_GOAL: Final = "How is your goal going?"
LABEL_MET: Final = "Did you meet your coaching partner(s)?"
LABEL_STEP: Final = "One next step you commit to"
HINT_STEP: Final = "Small and concrete, e.g. “Ask Priya for feedback on Tuesday's demo”."
LABEL_NOTE: Final = "A private note (only you see it)"
LABEL_SHARE: Final = "Share my step with my group"
HINT_SHARE: Final = "Posted to your circle's group DM so you can hold each other to it."
LABEL_NOTE_SHARE: Final = "Your note and the programme team"
OPTION_NOTE_SHARE: Final = "Share my note anonymously with the programme team"
HINT_NOTE_SHARE: Final = (
    "Admins only ever see a short summary of themes drawn from five or more shared notes, "
    "never the notes themselves or who wrote what."
)
LABEL_PREVIOUS: Final = "Did you do last week's step?"
RATING_OPTIONS: Final = {
    "1": "1 · not useful",
    "2": "2",
    "3": "3 · somewhat",
    "4": "4",
    "5": "5 · very useful",
}
GOAL_OPTIONS: Final = {
    "on_track": "On track",
    "some_progress": "Some progress",
    "stuck": "Stuck",
    "achieved": "Achieved",
}
MET_OPTIONS: Final = {"yes": "Yes", "no": "No"}
PREVIOUS_OPTIONS: Final = {"yes": "Yes", "partly": "Partly", "no": "No"}

ERROR_RATING: Final = "Pick how useful coaching was, from 1 to 5."
ERROR_GOAL: Final = "Pick how your goal is going."
ERROR_SHARE_EMPTY: Final = "Write a step to share, or untick sharing."
ERROR_TOO_LONG: Final = "Please keep this under {limit} characters."

# --- Answers ----------------------------------------------------------------------------------

SAVED: Final = ":white_check_mark: Saved — thank you. You can change it until Sunday."
SAVED_RATING: Final = ":white_check_mark: Usefulness {rating}/5 saved. Thanks!"
SAVED_PREVIOUS: Final = (
    ":white_check_mark: Noted — {answer}. Thanks for being honest with yourself."
)
PREVIOUS_WORDS: Final = {"yes": "you did it", "partly": "partly done", "no": "not this time"}
STEP_SHARED: Final = "Your step was shared with your circle."
STEP_KEPT_PRIVATE: Final = "You are not in a circle right now, so your step stays private."
CLOSED: Final = (
    "This week's check-in has closed — thank you! A new one arrives on your check-in day."
)
NOT_YOURS: Final = "This check-in belongs to someone else, so I left it as it was."
SAVING: Final = "Saving your check-in…"
NOT_SAVED: Final = (
    ":warning: Your check-in could not be saved just now. Everything you typed is still "
    "here: press *Save* again in a moment."
)

# --- Plain-text replies in the DM --------------------------------------------------------

TEXT_SAVED: Final = (
    ":white_check_mark: Got it: {summary}. Saved privately; you can change it until Sunday."
)
TEXT_NOTE_ADDED: Final = ":memo: Added to this week's private note."
TEXT_ASK_BOTH: Final = (
    "Thanks, I saved that. One quick question: how useful was coaching this week (1 to 5), "
    "and how is your goal going — on track, some progress, stuck or achieved?"
)
TEXT_ASK_RATING: Final = (
    "Thanks, I saved that. One quick question: how useful was coaching this week, from 1 to 5?"
)
TEXT_ASK_GOAL: Final = (
    "Thanks, I saved that. One quick question: how is your goal going — on track, "
    "some progress, stuck or achieved?"
)
TEXT_STEP_HINT: Final = "Want to commit to a next step? Reply `step: …` or press *Answer*."
SUMMARY_RATING: Final = "usefulness {rating}/5"
SUMMARY_MET: Final = "you met"
SUMMARY_NOT_MET: Final = "no meeting"
SUMMARY_STEP: Final = "next step saved"
NO_CHECKIN_OPEN: Final = (
    "Hi! I answer commands here, with or without the slash: type `help` to see them all "
    "(`{slash} help` works too), e.g. `status` or `pause 2 weeks`."
)
FORM_NEEDED: Final = "`{command}` opens a form: press the button to continue."
BUTTON_CONTINUE: Final = "Open"

# --- A step shared with a circle ----------------------------------------------------------

SHARED_STEP_FALLBACK: Final = "A next step shared with the circle"
SHARED_STEP: Final = ":dart: <@{user}> commits to this next step: *{step}*"
