"""db/backends."""
