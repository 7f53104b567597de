"""A poll's result as a PNG bar chart. CPU work: call it through asyncio.to_thread, never on the loop."""

from __future__ import annotations

import io
import textwrap

from cogs.polls.tally import Tally


def render_chart(title: str, result: Tally) -> bytes:
    """Every text is drawn literally (`parse_math=False`): a `$` in a question is a dollar sign, not
    mathtext. Bars sit at their own positions, so two labels that shorten alike stay two bars."""
    import matplotlib  # imported here: it is heavy, and only charts need it

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    options = result.options[::-1]  # the first option on top
    labels = [textwrap.shorten(o.label, 40, placeholder="…") for o in options]
    votes = [o.votes for o in options]
    positions = list(range(len(options)))
    figure = Figure(figsize=(7, 1.2 + 0.5 * len(labels)), dpi=100)
    axes = figure.subplots()
    bars = axes.barh(positions, votes, color="#b11313")
    axes.set_yticks(positions, labels, parse_math=False)
    axes.set_title(textwrap.shorten(title, 70, placeholder="…"), fontsize=11, loc="left", parse_math=False)
    axes.set_xlabel(f"votes ({result.voters} voters)", parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max([*votes, 1]) * 1.2)
    for bar, option in zip(bars, options, strict=True):
        axes.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {option.votes} ({round(option.share * 100)}%)",
                  va="center", fontsize=9, parse_math=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
