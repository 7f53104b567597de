"""db/packs."""
