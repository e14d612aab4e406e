"""User-facing strings for a group's life after its intro: reminders, "did you meet?", the
answers to the group's buttons, the "stay, pause or leave?" DM and the mentor's request.

Slack mrkdwn unless a name or comment says plain text. `{user}`, `{mentor}`, `{mentee}` are
Slack ids shown as mentions; everything a person typed is escaped before it is put in.
Button text (plain) <= 75 characters.
"""

from typing import Final

# --- Buttons (plain text) -------------------------------------------------------------------

BUTTON_MET: Final = "We met"
BUTTON_SKIP: Final = "Skip this round"
BUTTON_PAUSE: Final = "Pause me"
BUTTON_MET_YES: Final = "Yes"
BUTTON_NOT_MET: Final = "Not this time"
BUTTON_STAY: Final = "Stay"
BUTTON_GHOST_PAUSE: Final = "Pause for 4 weeks"
BUTTON_LEAVE: Final = "Leave"
BUTTON_ACCEPT: Final = "Accept"
BUTTON_DECLINE: Final = "Decline"

# --- Reminders -------------------------------------------------------------------------------

MIDPOINT_FALLBACK: Final = "Halfway through the round: have you found a time to talk?"
MIDPOINT: Final = (
    ":wave: *Halfway through the round.* Have you found a time to talk yet? Even 30 minutes "
    "makes a difference.\nMet already? Press *We met*. Not happening this time? "
    "*Skip this round* is fine too."
)
END_FALLBACK: Final = "The round is over: did you manage to meet?"
END: Final = (
    "*The round is over.* Did you manage to meet? One answer from any of you is enough, "
    "and it helps us make better matches."
)

# --- Answers to the group's buttons (replace the buttons in the message) --------------------

MET_RECORDED: Final = ":white_check_mark: Met — recorded by <@{user}>"
SKIPPED_RECORDED: Final = ":fast_forward: Skipped this round — recorded by <@{user}>"
NOT_MET_RECORDED: Final = ":thumbsup: Not this time — recorded by <@{user}>"
# Ephemeral, to the person who pressed.
PAUSE_OPENED: Final = (
    "Choose until when you would like a break in the window that just opened. "
    "The rest of your group keeps their buttons."
)
NOT_A_MEMBER: Final = (
    "These buttons are for the people in this group, so nothing was changed. "
    "Your own matches come to you in a message of their own."
)
GROUP_OVER: Final = (
    "This round is over, so there is nothing left to record here. Thanks, and see you "
    "in the next round!"
)
ALREADY_MET: Final = "Already recorded: <@{user}> said you met. Thanks!"
ALREADY_SKIPPED: Final = "Already recorded: <@{user}> said this round is skipped."

# --- Gone quiet --------------------------------------------------------------------------

GHOST_FALLBACK: Final = "Would you like to stay in peercoach, take a break or leave?"
GHOST: Final = (
    "We haven't heard from you in the last {rounds} rounds, so we have stopped matching you "
    "for now. No worries, that happens! Would you like to *stay*, take a *break* for 4 weeks, "
    "or *leave* this programme?"
)
GHOST_STAYED: Final = "Great to have you! You are back in the next round."
GHOST_PAUSED: Final = "Paused until {date}. You resume by yourself on that day."
GHOST_LEFT: Final = (
    "You left this programme and we won't match you in it any more. You are welcome back any time."
)
GHOST_LEFT_ALL: Final = (
    "You left peercoach: we won't match you or send you messages. You are welcome back any time."
)
GHOST_NOT_YOURS: Final = "This question was for someone else, so nothing was changed."
GHOST_ALREADY: Final = "You already answered this one. Thanks!"

# --- Mentorship ------------------------------------------------------------------------------

MENTOR_ASK_FALLBACK: Final = "Would you mentor a colleague?"
MENTOR_ASK: Final = (
    "*Would you mentor <@{mentee}>?* We think you would be a good fit. Here is what they shared:"
)
MENTOR_ASK_FUNCTION: Final = "*Function:* {function}"
MENTOR_ASK_GOALS: Final = "*Goals:*\n{goals}"
MENTOR_ASK_NO_GOALS: Final = "*Goals:* not shared yet"
MENTOR_ASK_UNKNOWN: Final = "not shared"
MENTOR_ASK_DEADLINE: Final = (
    "If we don't hear from you within 3 days, we will ask someone else. No hard feelings "
    "either way."
)
MENTEE_WAIT: Final = (
    "We have asked a mentor for you. You will hear from us within 3 days, and we will tell "
    "you what happens at each step."
)
MENTEE_NEXT: Final = (
    "The mentor we asked can't take this on right now, so we have asked another one. You will "
    "hear from us within 3 days."
)
MENTEE_NONE: Final = (
    "We are sorry: none of the mentors we asked can take this on right now. This is about "
    "their time, not about you. We will look again when the next round is matched."
)
MENTOR_ACCEPTED: Final = "Thank you! We are introducing you to <@{mentee}> in a group DM."
MENTOR_DECLINED: Final = "No problem, thanks for letting us know. We will ask someone else."
MENTOR_MOVED_ON: Final = "This request has already moved on. Thanks all the same!"
MENTOR_NOT_YOURS: Final = "This request was for someone else, so nothing was changed."

# --- The mentorship intro ------------------------------------------------------------------

INTRO_FALLBACK: Final = "Meet your mentorship match"
INTRO: Final = ":tada: *Meet your mentorship match!* <@{mentor}> has agreed to mentor <@{mentee}>."
INTRO_HOW: Final = (
    "*How to run the conversation*\n"
    "• The mentee talks about a goal or a challenge; the mentor asks open questions and listens.\n"
    "• Share what has worked for you, without telling the other what to do.\n"
    "• End with one next step each."
)
INTRO_QUESTION: Final = "*A first question:* what would make this mentorship worth it for you?"
INTRO_BUTTONS: Final = "Once you have met, one of you presses *We met*."
