"""Keeping within Slack's rate limits: per-method budgets, per-channel spacing, pauses on 429.

All times come from the dispatcher's clock. A caller asks for a turn and gets the time at which
it may call (now, or a little later), or a refusal when that time lies beyond what it is willing
to wait; a refused caller puts its row back until then, so nothing waits in memory for long.

The state is per process: two processes dispatching for one workspace each keep their own
budgets, and Slack's 429 answers (honoured as pauses) keep the sum in bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

POST_METHOD = "chat.postMessage"
OPEN_METHOD = "conversations.open"
HISTORY_METHOD = "conversations.history"
REPLIES_METHOD = "conversations.replies"  # a thread's history; Tier 3 like the channel's
# The file upload flow: a ticket, the bytes to its URL, the completion that shares the file.
UPLOAD_URL_METHOD = "files.getUploadURLExternal"
UPLOAD_BYTES = "upload_url"  # not a Web API method: no budget, but a 429 pauses it too
COMPLETE_METHOD = "files.completeUploadExternal"
FILE_INFO_METHOD = "files.info"
# Calls that post a message into a channel, so share its one-a-second spacing.
POSTING_METHODS = frozenset({POST_METHOD, COMPLETE_METHOD})
_TIER4_METHODS = frozenset({UPLOAD_URL_METHOD, COMPLETE_METHOD, FILE_INFO_METHOD})


@dataclass(frozen=True, slots=True)
class Limits:
    """How fast and how hard the dispatcher works; every time is in clock seconds.

    Slack's figures are "about" figures, so the defaults stay a little under them."""

    # chat.postMessage: about one message per second per channel.
    post_interval: float = 1.0
    # conversations.open, .history and .replies are Tier 3: about 50 calls a minute.
    open_per_minute: float = 48.0
    open_burst: int = 5
    history_per_minute: float = 40.0
    history_burst: int = 3
    # files.getUploadURLExternal, files.completeUploadExternal and files.info are Tier 4:
    # about 100 calls a minute each.
    files_per_minute: float = 90.0
    files_burst: int = 5
    # How long a reply waits before looking again at a message it answers that is not out yet.
    parent_wait: float = 5.0
    # Rows in flight at once: many conversations are written to in parallel.
    concurrency: int = 12
    # How long a claimed row is the dispatcher's; past it, another may take the row over.
    lease: float = 90.0
    # How long a running dispatcher holds a claimed row while waiting for its turn; a later
    # turn puts the row back until then. dispatch_once waits for nothing.
    max_wait: float = 20.0
    poll_interval: float = 1.0
    max_attempts: int = 8
    backoff_base: float = 10.0
    backoff_cap: float = 15 * 60.0
    # How far before a message's due time its channel's history is read back.
    history_margin: float = 120.0
    # Posting is abandoned (and retried later) when less than this is left of the lease.
    lease_margin: float = 20.0

    def per_minute(self, method: str) -> tuple[float, int] | None:
        if method == OPEN_METHOD:
            return self.open_per_minute, self.open_burst
        if method in (HISTORY_METHOD, REPLIES_METHOD):
            return self.history_per_minute, self.history_burst
        if method in _TIER4_METHODS:
            return self.files_per_minute, self.files_burst
        return None


class _Schedule:
    """Generic cell rate algorithm: calls `interval` apart, `burst` of them back to back.

    `tat` is the theoretical arrival time of the next call; a call may go at
    ``tat - (burst - 1) * interval`` or later, and each one moves `tat` on by `interval`."""

    __slots__ = ("interval", "tat", "tolerance")

    def __init__(self, interval: float, burst: int) -> None:
        self.interval = timedelta(seconds=interval)
        self.tolerance = self.interval * max(burst - 1, 0)
        self.tat: datetime | None = None

    def earliest(self, now: datetime) -> datetime:
        if self.tat is None:
            return now
        return max(now, self.tat - self.tolerance)

    def take(self, at: datetime) -> None:
        self.tat = max(self.tat or at, at) + self.interval


# Channels whose spacing is remembered; past this, channels idle for a while are forgotten.
_CHANNELS_KEPT = 20_000


class Pacer:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._methods: dict[tuple[str, str], _Schedule] = {}
        self._channels: dict[tuple[str, str], _Schedule] = {}
        self._paused: dict[tuple[str, str], datetime] = {}

    def pause(self, team_id: str, method: str, until: datetime) -> None:
        """Slack said 429: no call to `method` for this team before `until`."""
        key = (team_id, method)
        current = self._paused.get(key)
        if current is None or until > current:
            self._paused[key] = until

    def paused_until(self, team_id: str, method: str, now: datetime) -> datetime | None:
        until = self._paused.get((team_id, method))
        if until is None or until <= now:
            self._paused.pop((team_id, method), None)
            return None
        return until

    def reserve(
        self,
        team_id: str,
        method: str,
        now: datetime,
        *,
        channel_id: str | None = None,
        max_wait: float = 0.0,
    ) -> tuple[bool, datetime]:
        """A turn to call `method` (in `channel_id`, for posts and file shares): ``(True,
        at)`` reserves the turn at `at`, no later than `max_wait` seconds from `now`;
        ``(False, at)`` reserves nothing and says when to ask again."""
        schedules: list[_Schedule] = []
        budget = self.limits.per_minute(method)
        if budget is not None:
            rate, burst = budget
            schedules.append(
                self._methods.setdefault((team_id, method), _Schedule(60.0 / rate, burst))
            )
        if channel_id is not None and method in POSTING_METHODS:
            if len(self._channels) > _CHANNELS_KEPT:
                self._forget_idle_channels(now)
            schedules.append(
                self._channels.setdefault(
                    (team_id, channel_id), _Schedule(self.limits.post_interval, 1)
                )
            )
        at = now
        paused = self.paused_until(team_id, method, now)
        if paused is not None:
            at = paused
        for schedule in schedules:
            at = max(at, schedule.earliest(now))
        if at - now > timedelta(seconds=max_wait):
            return False, at
        for schedule in schedules:
            schedule.take(at)
        return True, at

    def _forget_idle_channels(self, now: datetime) -> None:
        idle = [key for key, schedule in self._channels.items() if (schedule.tat or now) <= now]
        for key in idle:
            del self._channels[key]
