"""The errors that mean Slack did not answer at all (as opposed to answering "no")."""

from __future__ import annotations

from aiohttp import ClientError
from slack_sdk.errors import SlackClientError

SLACK_NETWORK_ERRORS = (SlackClientError, ClientError, TimeoutError, OSError)
