"""bot/launch."""
