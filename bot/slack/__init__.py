"""bot/slack."""
