"""Data access, one repository per aggregate. Repositories flush; callers commit."""

from storage.repositories.people import PersonRepository
from storage.repositories.workspaces import WorkspaceRepository

__all__ = ["PersonRepository", "WorkspaceRepository"]
