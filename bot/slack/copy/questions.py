"""User-facing strings of reflective questions: the weekly question, `/peercoach question`
and the admin's question bank modal.

Slack mrkdwn unless a name or comment says plain text. Question texts are escaped before they
are put into `{question}`. Slack limits: modal titles and button text <= 24 characters,
option text and labels <= 75, hints and placeholders <= 150.
"""

from typing import Final

# --- The weekly question (group DM) ----------------------------------------------------------

WEEKLY_FALLBACK: Final = "This week's question: {question}"
WEEKLY: Final = ":thought_balloon: *This week's question:* {question}"
WEEKLY_HINT: Final = "Take it into your next conversation: one of you answers, the other listens."

# --- A mentorship's intro (its first question, from the bank) ----------------------------------

MENTORSHIP_FIRST: Final = "*A first question to start with:* {question}"

# --- /peercoach question ---------------------------------------------------------------------

ON_DEMAND: Final = ":thought_balloon: *A question for you:* {question}"
ON_DEMAND_HINT: Final = (
    "Bring it to your next peer-coaching conversation, or think it over on your own. "
    "Ask again for another one."
)
NONE_LEFT: Final = (
    "Your workspace has no reflective questions in use right now. "
    "An admin can add some with `{slash} admin questions`."
)

# --- The admin's modal -------------------------------------------------------------------------

MODAL_TITLE: Final = "Questions"  # plain text, <= 24
MODAL_SUBMIT: Final = "Save"
MODAL_CLOSE: Final = "Close"
SUMMARY: Final = (
    "*{active} questions in use*, {retired} retired. Each group gets one a week, never one "
    "anybody in it was sent in the past year while others remain; themes follow the group's "
    "shared goals."
)
THEME_LINE: Final = "*{theme}* ({count})"
THEME_EMPTY: Final = "_none in use_"
ADDED_HERE: Final = " _(added here)_"
MORE: Final = "_…and {count} more_"
ADD_THEME_LABEL: Final = "Theme of the new question"
ADD_THEME_PLACEHOLDER: Final = "Pick a theme"
ADD_TEXT_LABEL: Final = "Add a question"
ADD_TEXT_HINT: Final = "Open-ended, 10 to 200 characters, ending with a question mark."
ADD_TEXT_PLACEHOLDER: Final = "What would make next week feel like progress?"
RETIRE_LABEL: Final = "Retire questions"
RETIRE_HINT: Final = "Retired questions are not sent again. Adding the same words brings one back."
RETIRE_PLACEHOLDER: Final = "Pick questions to retire"

ERROR_NOTHING: Final = "Type a question to add, or pick questions to retire."
ERROR_THEME: Final = "Pick a theme for the new question."
ERROR_TEXT_MISSING: Final = "Type the question to add, or clear the theme."
ERROR_QUESTION_MARK: Final = "End the question with a question mark."
ERROR_LENGTH: Final = "A question is 10 to 200 characters; this one has {length}."
ERROR_ONE_LINE: Final = "Keep the question to one line."

SAVING: Final = "Saving…"
DUPLICATE: Final = ":warning: That question is in use already, so nothing was changed."
NOT_SAVED: Final = ":warning: Couldn't save just now, nothing was changed. Please try again."
YOUR_QUESTION: Final = "Your question was: {question}"
NOT_ADMIN: Final = "Only peercoach admins can change the questions."
SAVED_ADDED: Final = "Added your question."
SAVED_RESTORED: Final = "Brought back your question, which had been retired."
SAVED_RETIRED: Final = "Retired {count}."
SAVED_NOTHING: Final = "Nothing changed: those questions were retired already."
