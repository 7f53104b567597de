"""TVmaze's addresses, written once: the API fandex reads (the TVMAZE_API_BASE setting's default) and the
site a card cites when a show has no page of its own."""

TVMAZE_API_BASE = "https://api.tvmaze.com"
TVMAZE_SITE = "https://www.tvmaze.com"
