"""User-facing strings of admin digests, the admins' App Home figures and the CSV export.

Slack mrkdwn unless a name or comment says plain text. Programme names are escaped before
they are put in; `{user}` and `{users}` are Slack ids shown as mentions (participation is not
private, answers are). Nothing here ever holds a person's note, step or rating.
"""

from typing import Final

# --- The digest message ----------------------------------------------------------------------

HEADER: Final = "Digest: {programme}"  # plain text, cut to Slack's 150 characters
FALLBACK: Final = "peercoach digest for {programme}: meeting rate {meeting}, check-ins {checkins}"
ROUND_LINE: Final = "Round of *{start}*{end} · {mode}"
ROUND_END: Final = " to {end}"
ROUND_NONE: Final = (
    "*{programme}* has not had a round yet: the first digest comes at the end of its first round."
)
PRIVACY_NOTE: Final = (
    "Counts and rates only: no one's check-in answers, notes or steps appear here. "
    "Functions and levels with fewer than {min} people are not shown."
)
CHANGE_NOTE: Final = "▲▼ change since the previous round, in percentage points."

FIELD_PARTICIPANTS: Final = (
    "*People*\n{active} taking part · {new} new · {paused} paused · {left} left"
)
FIELD_GROUPS: Final = "*Groups this round*\n{groups} ({people} people){change}"
FIELD_MEETING: Final = "*Meeting rate*\n{value}{change}"
FIELD_CHECKINS: Final = "*Check-in response*\n{value}{change}"
FIELD_USEFULNESS: Final = "*Usefulness*\n{value}"
FIELD_ATTAINMENT: Final = "*Goal attainment*\n{value}{change}"
FIELD_GOALS: Final = (
    "*Goal progress*\n{on_track} on track · {some} some progress · {stuck} stuck · "
    "{achieved} achieved"
)
FIELD_GOALS_FEW: Final = "*Goal progress*\nfewer than {min} answers"
FIELD_STEPS: Final = "*Next steps kept*\n{value}{change}"
FIELD_RETENTION: Final = "*Still enrolled after 3 rounds*\n{value}"

RATE: Final = "{percent}% ({part} of {whole})"
NO_DATA: Final = "no data yet"
FEWER_ANSWERS: Final = "fewer than {min} answers"
USEFULNESS: Final = "{mean} / 5 ({count} ratings)"
USEFULNESS_ONE: Final = "{mean} / 5 (1 rating)"
CHANGE_UP: Final = " · ▲ {points}"
CHANGE_DOWN: Final = " · ▼ {points}"
CHANGE_SAME: Final = " · no change"
CHANGE_PEOPLE_UP: Final = " · ▲ {count}"
CHANGE_PEOPLE_DOWN: Final = " · ▼ {count}"

TREND_TITLE: Final = "*Last {rounds} rounds*, oldest first"
TREND_LINE: Final = "{name}  `{spark}`  {first} → {last}"
TREND_MEETING: Final = "Meeting rate"
TREND_CHECKINS: Final = "Check-in response"
TREND_ATTAINMENT: Final = "Goal attainment"
TREND_PEOPLE: Final = "People in groups"
TREND_ONE_ROUND: Final = "The trend starts once there are two rounds."

BREAKDOWN_FUNCTION: Final = "*By function*"
BREAKDOWN_LEVEL: Final = "*By level*"
BREAKDOWN_LINE: Final = "{label}: {people} people · met {meeting} · check-ins {checkins}"
BREAKDOWN_SUPPRESSED: Final = "{label}: fewer than {min}"
BREAKDOWN_SHORT_RATE: Final = "{percent}%"

QUIET_TITLE: Final = "*Groups that have not met for two rounds* ({count})"
QUIET_NONE: Final = "*Groups that have not met for two rounds*: none :tada:"
QUIET_LINE: Final = "{users}"
QUIET_MORE: Final = "…and {count} more; nudge them from your App Home."
BUTTON_NUDGE: Final = "Nudge"  # plain text

THEMES_TITLE: Final = "*Themes from notes shared anonymously* ({count} notes)"

CHART_TITLE: Final = "{programme}: the last {rounds} rounds"  # plain text
CHART_COMMENT: Final = (
    "Trends for *{programme}*: meeting rate, check-in response, goal attainment and people "
    "per round."
)
CHART_FILENAME: Final = "peercoach-digest-{date}.png"

# --- Answers to `/peercoach admin digest` ----------------------------------------------------

QUEUED: Final = ":white_check_mark: The digest for *{programme}* is on its way to <#{channel}>."
QUEUED_MANY: Final = ":white_check_mark: {count} digests are on their way to <#{channel}>."
QUEUED_DM: Final = (
    ":white_check_mark: The digest for *{programme}* is on its way to you in a DM. To post "
    "digests to a channel, pick one in `{slash} admin settings` or name it: "
    "`{slash} admin digest #channel`."
)
QUEUED_DM_MANY: Final = (
    ":white_check_mark: {count} digests are on their way to you in a DM. To post digests to a "
    "channel, pick one in `{slash} admin settings` or name it: `{slash} admin digest #channel`."
)
QUEUED_SPREAD: Final = (
    ":white_check_mark: {count} digests are on their way, each to its programme's channel."
)
NOT_IN_CHANNEL: Final = (
    "I can't post in <#{channel}> because I'm not a member of it. Open the channel and type "
    "`/invite @peercoach`, then run `{slash} admin digest` again. Nothing was lost."
)
NO_PROGRAMMES: Final = "There is no programme yet: the first `{slash} find` creates *Peer pairs*."
SLACK_BUSY: Final = (
    "Slack didn't answer when I checked the channel. Nothing was sent; please try again in a "
    "minute."
)

# --- A scheduled digest that cannot reach its channel (DM to the admins) --------------------

UNDELIVERED_FALLBACK: Final = "The digest for {programme} could not be posted in its channel"
UNDELIVERED: Final = (
    ":warning: I couldn't post the digest for *{programme}* in <#{channel}>: I'm not a member "
    "of it. Open the channel and type `/invite @peercoach`; the next digest will go there. "
    "Here is this one meanwhile."
)

# --- The nudge an admin sends to a quiet group ---------------------------------------------

NUDGE_FALLBACK: Final = "A friendly nudge: time for a coaching conversation?"
NUDGE: Final = (
    ":wave: *A friendly nudge from your programme team.* It's been a while since your group "
    "last met. Even 20 minutes this week makes a difference: pick a time that suits you all."
)
NUDGE_SENT: Final = ":white_check_mark: Nudge on its way to {users}."
NUDGE_ALREADY: Final = "That group has already been nudged from this digest."
NUDGE_GONE: Final = "That group no longer exists, so there is no one to nudge."

# --- App Home (admins) -----------------------------------------------------------------------

HOME_FIGURES_TITLE: Final = "*How programmes are doing*"
HOME_FIGURES_LINE: Final = "*{programme}* · round of {start}{quiet}"
HOME_FIGURES_QUIET: Final = " · :warning: {count} quiet groups"
HOME_FIGURES_QUIET_ONE: Final = " · :warning: 1 quiet group"
HOME_FIGURES_NONE: Final = "*{programme}* · no round yet"
HOME_FIGURES_HINT: Final = (
    "`{slash} admin digest` posts the full digest; `{slash} admin export` sends the figures "
    "as a CSV."
)
HOME_FAILED_TITLE: Final = "*Messages that could not be delivered*"
HOME_FAILED_ROW: Final = "{kind} · {error} · {when}"
HOME_FAILED_MORE: Final = "…and {count} more."
BUTTON_RETRY: Final = "Retry"  # plain text

# --- `/peercoach admin export` ----------------------------------------------------------------

EXPORT_TITLE: Final = "Programme figures, round by round"  # plain text
EXPORT_COMMENT: Final = (
    "Every programme's figures, round by round: counts and rates only, no one's answers."
)
EXPORT_SENT: Final = ":white_check_mark: I've sent you the figures as a CSV in our DM."
EXPORT_EMPTY: Final = "There are no rounds yet, so there is nothing to export."
EXPORT_FILENAME: Final = "peercoach-figures-{date}.csv"
