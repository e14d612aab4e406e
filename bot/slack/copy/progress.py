"""Copy for work that finishes after Slack got its answer: "saving…", "saved", "try again"."""

from typing import Final

# mrkdwn: a reply to a command or button when the database did not answer in time.
DATABASE_BUSY: Final = (
    "peercoach is busy right now and couldn't finish that in time. Nothing was changed; "
    "please try again in a minute."
)

# Plain text: the close buttons of the status modals.
CLOSE: Final = "Close"
DONE: Final = "Done"

PROFILE_SAVING: Final = ":hourglass_flowing_sand: Saving your profile…"
PROFILE_SAVED: Final = (
    ":white_check_mark: Your profile is saved. I've sent you a message with what happens next."
)
PROFILE_NOT_SAVED: Final = (
    ":warning: peercoach is busy and couldn't save your profile just now. Nothing was saved, "
    "and everything you typed is still here: press the button below again in a minute."
)
PROFILE_NOT_SAVED_DM: Final = (
    "peercoach was busy and couldn't save your profile just now. Nothing was saved; "
    "please open your profile again in a minute."
)

SETTINGS_SAVING: Final = ":hourglass_flowing_sand: Checking and saving the settings…"
SETTINGS_SAVED: Final = ":white_check_mark: The programme settings are saved."
SETTINGS_NOT_SAVED: Final = (
    ":warning: Slack or the database didn't answer in time, so the settings were not saved. "
    "Everything you typed is still here: press Save again in a minute."
)
SETTINGS_NOT_ADMIN: Final = (
    "Only workspace admins and owners, and the people listed by whoever runs peercoach here, "
    "can change the programme settings. Nothing was changed."
)
