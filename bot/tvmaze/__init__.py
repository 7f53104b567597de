"""bot/tvmaze."""
