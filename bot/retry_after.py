"""Reading an outside service's Retry-After header, the one way both HTTP clients (TVmaze, Wikidata) honour it."""

from __future__ import annotations

MOST = 60.0  # seconds: a longer wait is not worth holding a request for; the next sync tries again


def retry_after(header: str | None) -> float | None:
    """Seconds from a Retry-After header in seconds (what TVmaze's load balancer and Wikidata's query service
    send), capped at a minute; None when absent or not a number (an HTTP date is read as absent)."""
    if header is None:
        return None
    try:
        return min(max(float(header), 0.0), MOST)
    except ValueError:
        return None
