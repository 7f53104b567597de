"""bot/input."""
