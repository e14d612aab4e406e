"""Import an HR export into the directory: check the whole file, find everyone in Slack,
then write it all in one transaction (or nothing, on a dry run).

An import never creates people or enrols anyone: the data waits in `directory_entries` until
the person joins. The file is the whole directory: a re-import updates what changed, adds
who is new and removes who is no longer in it, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.enrolment.service import ensure_workspace
from bot.people.hr_file import HrFile, HrFileError, HrRow, decode, parse_hr_file
from bot.people.lookup import Pacer, lookup_email
from storage.repositories.directory import DirectoryRepository

# The directory fields an import writes, in the order a change report lists them.
FIELDS: tuple[str, ...] = (
    "email",
    "function",
    "level",
    "title",
    "location",
    "time_zone",
    "manager_slack_id",
    "department",
    "start_date",
)
MAX_LISTED_CHANGES = 20

Value = str | int | date | None


@dataclass(frozen=True, slots=True)
class Change:
    slack_user_id: str
    fields: tuple[str, ...]  # names only: the values may be private (level, manager)


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    added: tuple[str, ...]
    changed: tuple[Change, ...]
    unchanged: int
    removed: tuple[str, ...]
    dry_run: bool
    lookups: int = 0

    def lines(self) -> list[str]:
        """What happened, for the admin: ids and field names only, never the values."""
        verb = "would be" if self.dry_run else "were"
        head = "Dry run, nothing written: " if self.dry_run else "Imported: "
        lines = [
            f"{head}{self.rows} rows checked; {len(self.added)} {verb} added, "
            f"{len(self.changed)} {verb} updated, {self.unchanged} unchanged, "
            f"{len(self.removed)} {verb} removed (no longer in the file)."
        ]
        for change in self.changed[:MAX_LISTED_CHANGES]:
            lines.append(f"  {change.slack_user_id}: {', '.join(change.fields)}")
        if len(self.changed) > MAX_LISTED_CHANGES:
            lines.append(f"  and {len(self.changed) - MAX_LISTED_CHANGES} more updated")
        return lines


@dataclass
class Resolved:
    """Slack ids for the rows of a checked file, or the rows Slack did not know."""

    ids: dict[int, str] = field(default_factory=dict)  # row number -> Slack user id
    problems: list[str] = field(default_factory=list)
    lookups: int = 0


async def resolve(client: AsyncWebClient, hr: HrFile, pacer: Pacer) -> Resolved:
    """Each row's Slack user id: as given, or looked up by email (one call per row)."""
    out = Resolved()
    seen: dict[str, int] = {}
    for row in hr.rows:
        user_id = row.slack_id
        if user_id is None:
            assert row.email is not None
            out.lookups += 1
            found = await lookup_email(client, row.email, pacer)
            if found is None:
                out.problems.append(
                    f"row {row.row}: nobody in this Slack workspace has the email {row.email!r}"
                )
                continue
            if found.is_bot:
                out.problems.append(f"row {row.row}: {row.email!r} belongs to a bot, not a person")
                continue
            user_id = found.user_id
        first = seen.get(user_id)
        if first is not None:
            out.problems.append(
                f"row {row.row}: is the same Slack account as row {first}; each person once"
            )
            continue
        seen[user_id] = row.row
        out.ids[row.row] = user_id
    return out


def _values(row: HrRow, ids: dict[int, str]) -> dict[str, Value]:
    return {
        "email": row.email,
        "function": row.function,
        "level": row.level,
        "title": row.title,
        "location": row.location,
        "time_zone": row.time_zone,
        "manager_slack_id": ids.get(row.manager_row) if row.manager_row is not None else None,
        "department": row.department,
        "start_date": row.start_date,
    }


async def check_file(client: AsyncWebClient, data: bytes, pacer: Pacer) -> tuple[HrFile, Resolved]:
    """The file checked and everyone found in Slack; raises `HrFileError` with every problem."""
    hr = parse_hr_file(decode(data))
    resolved = await resolve(client, hr, pacer)
    if resolved.problems:
        raise HrFileError(resolved.problems)
    return hr, resolved


async def write_directory(
    session: AsyncSession,
    team_id: str,
    hr: HrFile,
    resolved: Resolved,
    *,
    now: datetime,
    dry_run: bool,
) -> ImportReport:
    """Add, update and remove entries so the directory matches the file. Flushes, never
    commits; on a dry run nothing is changed (the caller rolls back either way on error)."""
    repo = DirectoryRepository(session)
    existing = {entry.slack_user_id: entry for entry in await repo.all(team_id)}
    added: list[str] = []
    new_rows: list[dict[str, Value | datetime]] = []
    changed: list[Change] = []
    unchanged = 0
    in_file: set[str] = set()
    for row in hr.rows:
        user_id = resolved.ids[row.row]
        in_file.add(user_id)
        values = _values(row, resolved.ids)
        entry = existing.get(user_id)
        if entry is None:
            added.append(user_id)
            new_rows.append(
                {
                    "team_id": team_id,
                    "slack_user_id": user_id,
                    "imported_at": now,
                    "updated_at": now,
                    **values,
                }
            )
            continue
        # A column left out of the file keeps what an earlier import said.
        differing = tuple(
            name
            for name in FIELDS
            if _in_file(name, hr.columns) and getattr(entry, name) != values[name]
        )
        if not differing:
            unchanged += 1
            continue
        changed.append(Change(user_id, differing))
        if not dry_run:
            for name in differing:
                setattr(entry, name, values[name])
            entry.imported_at = now
            entry.updated_at = now
    removed = sorted(set(existing) - in_file)
    if not dry_run:
        await repo.remove(team_id, removed)
        await repo.add_many(new_rows)
        await session.flush()
    return ImportReport(
        rows=len(hr.rows),
        added=tuple(sorted(added)),
        changed=tuple(sorted(changed, key=lambda c: c.slack_user_id)),
        unchanged=unchanged,
        removed=tuple(removed),
        dry_run=dry_run,
        lookups=resolved.lookups,
    )


def _in_file(name: str, columns: frozenset[str]) -> bool:
    # The manager may come as manager_email or manager_slack_id.
    if name == "manager_slack_id":
        return bool(columns & {"manager_email", "manager_slack_id"})
    return name in columns


def problems_text(problems: Sequence[str], limit: int | None = None) -> list[str]:
    shown = list(problems if limit is None else problems[:limit])
    if limit is not None and len(problems) > limit:
        shown.append(f"and {len(problems) - limit} more problems")
    return shown


async def import_people(
    sessions: async_sessionmaker[AsyncSession],
    client: AsyncWebClient,
    *,
    team_id: str,
    team_name: str | None,
    data: bytes,
    now: datetime,
    dry_run: bool,
    pacer: Pacer | None = None,
) -> ImportReport:
    """Check, look up, then write in one transaction; raises `HrFileError` with every problem
    (nothing written then). A dry run does everything but the commit."""
    hr, resolved = await check_file(client, data, pacer or Pacer())
    async with sessions() as session:
        await ensure_workspace(session, team_id, team_name, now=now)
        report = await write_directory(session, team_id, hr, resolved, now=now, dry_run=dry_run)
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return report
