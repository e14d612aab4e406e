"""Persistence: models, migrations, sessions and repositories."""
