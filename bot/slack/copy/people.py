"""What people read about HR data, eligibility and deactivated partners."""

from __future__ import annotations

from typing import Final

PARTNER_DEACTIVATED: Final = (
    "A quick note: <@{user}>'s Slack account has been deactivated, so they won't be able to "
    "meet this round. Sorry about that! Nothing for you to do: you'll be matched again in the "
    "next round."
)

IMPORT_NOT_ADMIN: Final = (
    "Thanks for the file! Only workspace admins can import people data, so I haven't read it. "
    "If it's meant for peercoach, ask an admin to share it with me."
)
IMPORT_NOT_CSV: Final = (
    "I can only import a CSV file (comma-separated, UTF-8). Export the people list from your "
    "HR system as CSV and share it with me here."
)
IMPORT_TOO_LARGE: Final = "That file is larger than {limit} MB; split it and share the parts."
IMPORT_UNREADABLE: Final = (
    "I couldn't download that file from Slack just now. Please share it again in a minute."
)
IMPORT_STARTED: Final = (
    "Got it: checking {rows} and finding everyone in Slack. Slack lets me look up about 50 "
    "people a minute, so this takes a while for a large file; I'll write here when it's done."
)
IMPORT_PROBLEMS: Final = (
    "I didn't import anything: the file has {count} problem(s). Fix them and share it again:"
)
IMPORT_SLACK_BUSY: Final = (
    "Slack stopped answering the lookups, so I didn't import anything. Please share the file "
    "again in a few minutes."
)
IMPORT_DONE_NOTE: Final = "I didn't keep a copy of your file."
