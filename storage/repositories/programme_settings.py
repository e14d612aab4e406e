"""Programme settings: one row per workspace, absent until an admin saves them."""

from __future__ import annotations

from storage.models import WorkspaceSettings
from storage.repositories._team_row import TeamRowRepository


class SettingsRepository(TeamRowRepository[WorkspaceSettings]):
    model = WorkspaceSettings
