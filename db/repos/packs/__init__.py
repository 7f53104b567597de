"""db/repos/packs."""
