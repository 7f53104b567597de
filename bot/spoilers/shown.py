"""How a reply names an episode past its reader's position: its code stays plain, its own title goes
inside Discord's spoiler bars (hidden until clicked), and its summary is never shown. One function, so
every reply bars a title the same way and none can let a title close the bars early."""

from __future__ import annotations

from bot.formatting import literal, truncate
from bot.i18n import _


def barred_title(title: str, limit: int = 200) -> str:
    """`||“Title”||`: the title escaped (a `|` in it cannot end the bars) and cut to `limit` characters."""
    # i18n: the title inside Discord's spoiler bars; keep the || on both sides, the quotation marks are yours.
    return _("||“{title}”||", title=literal(truncate(title, limit)))
