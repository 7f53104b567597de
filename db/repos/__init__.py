"""db/repos."""
