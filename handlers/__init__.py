"""Slack listeners, one module per kind; each module has a `register(app)`."""

from slack_bolt.async_app import AsyncApp

from handlers import (
    actions,
    checkins,
    commands,
    digests,
    dm,
    events,
    group_actions,
    people_events,
    people_import,
    programmes,
    questions,
    views,
)


def register_all(app: AsyncApp) -> None:
    commands.register(app)
    actions.register(app)
    group_actions.register(app)
    views.register(app)
    # Before events: Bolt runs the first listener that matches, and the file-share listener's
    # matcher (DM, subtype file_share) is narrower than the plain DM listener's.
    people_import.register(app)
    people_events.register(app)
    events.register(app)
    checkins.register(app)
    dm.register(app)
    programmes.register(app)
    questions.register(app)
    digests.register(app)
