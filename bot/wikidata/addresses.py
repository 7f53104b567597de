"""Wikidata's addresses, written once: the query service fandex asks (the WIKIDATA_API_BASE setting's
default) and the site a card cites an item on."""

WIKIDATA_API_BASE = "https://query.wikidata.org"
WIKIDATA_SITE = "https://www.wikidata.org"
