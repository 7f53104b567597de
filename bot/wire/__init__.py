"""bot/wire."""
