"""bot/privacy."""
