"""User-facing strings. Slack mrkdwn; `{placeholders}` are filled by the block builders."""

from typing import Final

SLASH_COMMAND: Final = "/peercoach"

APP_NAME: Final = "peercoach"

HELP_INTRO: Final = (
    "*peercoach* pairs you with a colleague at a similar level in a different function. "
    "You meet regularly and coach each other with simple, open-ended questions."
)
HELP_AVAILABLE_HEADER: Final = "*What you can do*"
HELP_SOON_HEADER: Final = "*Coming soon*"
HELP_SOON_NOTE: Final = "These commands are not available in this version yet."
HELP_ADMIN_HEADER: Final = "*For admins*  _`{slash} admin` lists these with more detail._"
HELP_ADMIN_SOON_HEADER: Final = "*For admins, coming soon*"

ADMIN_INTRO: Final = (
    "*peercoach admin commands.* They work for the workspace's admins and owners and for the "
    "people listed in `PEERCOACH_ADMINS`."
)
ADMIN_AVAILABLE_HEADER: Final = "*Available now*"
ADMIN_SOON_HEADER: Final = "*Not built yet*"
ADMIN_FOOTER: Final = "`{slash} help` lists the commands everyone can use."
HELP_FOOTER: Final = "Questions or ideas? Ask the people who run peercoach in your workspace."

UNKNOWN_COMMAND: Final = "I don't know `{slash} {text}`."
DID_YOU_MEAN: Final = "Did you mean `{slash} {suggestion}`?"
COMMAND_LIST_HEADER: Final = "Here is what I understand:"

MALFORMED_COMMAND: Final = "{problem} Try `{slash} {example}`."
MALFORMED_USAGE: Final = "Usage: `{slash} {usage}`"

NOT_AVAILABLE_YET: Final = (
    "`{slash} {usage}` is not available in this version of peercoach yet. "
    "It is on its way; for now, `{slash} help` lists what works today."
)

APOLOGY: Final = (
    "Sorry, something went wrong on our side and your request was not completed. "
    "Please try again in a minute. If it keeps happening, tell your peercoach admin "
    "and quote reference `{error_id}`."
)
APOLOGY_MODAL_TITLE: Final = "Something went wrong"

HOME_TITLE: Final = "Welcome to peercoach"
HOME_INTRO: Final = HELP_INTRO
HOME_HOW_TO_START: Final = "Type `{slash} help` in any channel or here to see what you can do."
HOME_GOOD_PEER_COACH_TITLE: Final = "*Being a good peer coach*"
HOME_GOOD_PEER_COACH: Final = (
    "• Ask simple, open-ended questions, then listen.\n"
    "• Help your partner step back and see what is working and what is not.\n"
    "• Finish by helping them pick one next step."
)

DM_REPLY: Final = (
    "Hi! I answer commands rather than chat. Type `{slash} help` to see what you can do, "
    "or open the *Home* tab above for an overview."
)

NOTHING_STORED: Final = (
    "peercoach holds nothing about you in this workspace, so there is nothing to export or "
    "delete. `{slash} find` is how to join."
)

# `forget` from someone who never joined but whom an HR import lists.
HR_ENTRY_FORGOTTEN: Final = (
    "You never joined peercoach, but your admins' HR import listed you (function, level, "
    "manager and the like). I deleted that entry. If they import HR data again, it may come "
    "back: ask them to leave you out of the file."
)

SLACK_BUSY_FIELD: Final = "Slack did not answer just now. Nothing was lost: press Save again."
NOT_ADMIN_FIELD: Final = (
    "Only workspace admins and owners, and people your peercoach admin listed, can change "
    "these settings. Nothing was changed."
)
SETTINGS_SAVED: Final = "*Matching settings saved.* They apply from the next round:"

PAUSE_PICK_DATE: Final = "Pick the date your pause ends."
PAUSE_IN_FUTURE: Final = "Pick a date after today."
PAUSE_TOO_LONG: Final = "A pause can last at most a year; leave the programme to stop for longer."
PAUSE_NOT_ENROLLED: Final = "You are not taking part in peercoach, so there is nothing to pause."

PREVIEW_TITLE: Final = "Next round: match preview"
PREVIEW_NOTE: Final = (
    "Shown only to the admin who asked. Nothing has been sent to anyone; the round itself may "
    "differ if people join, pause or edit their profiles before it starts. A score is the sum "
    "of the weighted criteria (programme settings), out of the most a group could reach."
)
PREVIEW_NOBODY: Final = (
    "Nobody with a complete profile is taking part yet, so there is nothing to match. "
    "People join with `/peercoach find`."
)
PREVIEW_REPLAY: Final = (
    "Replay with every reason in full: `peercoach match --dry-run --team {team} --mode {mode} "
    "--seed {seed} --date {date}`"
)
PREVIEW_TRUNCATED: Final = (
    "The preview is longer than one Slack message; `peercoach match --dry-run` prints it all."
)
