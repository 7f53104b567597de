"""db/facts."""
