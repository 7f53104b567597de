"""bot/search."""
