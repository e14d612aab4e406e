"""Data access, one repository per aggregate. Repositories flush; callers commit."""

from storage.repositories.do_not_pair import DoNotPairRepository
from storage.repositories.matches import MatchRepository, MembershipRow
from storage.repositories.outbox import OutboxRepository
from storage.repositories.people import PersonRepository
from storage.repositories.privacy import PrivacyRepository
from storage.repositories.processed import ProcessedRequestRepository
from storage.repositories.programme_settings import SettingsRepository
from storage.repositories.programmes import (
    DEFAULT_NAMES,
    FailedDeliveries,
    ProgrammeDefaults,
    ProgrammeRepository,
)
from storage.repositories.workspaces import WorkspaceRepository

__all__ = [
    "DEFAULT_NAMES",
    "DoNotPairRepository",
    "FailedDeliveries",
    "MatchRepository",
    "MembershipRow",
    "OutboxRepository",
    "PersonRepository",
    "PrivacyRepository",
    "ProcessedRequestRepository",
    "ProgrammeDefaults",
    "ProgrammeRepository",
    "SettingsRepository",
    "WorkspaceRepository",
]
