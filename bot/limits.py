"""Discord's documented size limits that its OpenAPI spec cannot express; every message the bot builds
stays within them (the e2e double refuses anything over, as Discord does)."""

CONTENT = 2000  # message content
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000  # title + description + field names and values + footer + author, across a message's embeds
CHOICES = 25  # autocomplete choices
CHOICE_NAME = 100
CHOICE_VALUE = 100
