"""Errors the command line turns into one line for the operator.

Kept apart from `runtime` so that a command that never starts the server (a dry run, a check)
does not import the whole app to catch them."""

from __future__ import annotations


class StartupError(Exception):
    """Something the operator must fix before peercoach can start, said in one line."""
