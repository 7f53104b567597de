"""Extensions, one per feature. Cogs speak Discord and call db's API; they hold no SQL."""
