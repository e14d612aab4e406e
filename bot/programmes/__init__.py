"""bot/programmes."""
