"""A series' ratings in a server as a PNG bar chart, one bar per episode named by its code only (a file
shows text as it is, so no title — not even a watched one, to keep one rule). CPU work: call it through
asyncio.to_thread, never on the loop. Its words come translated (AXIS, the title, the values' labels):
the thread it is drawn in is handed them, not the reader's language."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.i18n import N_

CHART_BARS = 60  # episodes drawn at most; a longer run is cut to its latest, and the reply says so
AXIS = N_("average stars (1–5)")


def render_ratings(
    title: str, bars: Sequence[tuple[str, float, int]], *, axis: str = AXIS, values: Sequence[str] | None = None,
) -> bytes:
    """`bars`: (episode code, average stars 1–5, how many rated), in episode order; `axis` the y axis's
    label and `values` each bar's label (default: English), both already in the reader's language."""
    import matplotlib  # imported here: it is heavy, and only charts need it

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = list(bars)[-CHART_BARS:]
    labels = list(values)[-CHART_BARS:] if values is not None else [f"{average:.1f}\n({count})" for __, average, count in shown]
    figure = Figure(figsize=(max(6.0, 0.32 * len(shown) + 2), 3.6), dpi=100)
    axes = figure.subplots()
    positions = list(range(len(shown)))
    axes.bar(positions, [average for _, average, _ in shown], color="#d4a017")
    axes.set_xticks(positions, [code for code, _, _ in shown], rotation=90 if len(shown) > 12 else 0, fontsize=8)
    axes.set_ylim(0, 5.4)
    axes.set_ylabel(axis, parse_math=False)
    axes.set_title(title[:70], fontsize=11, loc="left", parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    for x, (__, average, __count), label in zip(positions, shown, labels, strict=True):
        axes.text(x, average + 0.05, label, ha="center", va="bottom", fontsize=7, parse_math=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
