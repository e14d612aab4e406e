"""Wire-level fakes of Slack for tests and the offline demo."""

from bot.fakes.files import UploadedFile
from bot.fakes.requests import SentRequest, SlackRequestSender
from bot.fakes.slack import FakeSlack, RecordedCall, RecordedResponse

__all__ = [
    "FakeSlack",
    "RecordedCall",
    "RecordedResponse",
    "SentRequest",
    "SlackRequestSender",
    "UploadedFile",
]
