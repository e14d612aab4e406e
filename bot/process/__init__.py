"""bot/process."""
