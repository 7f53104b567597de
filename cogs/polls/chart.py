"""A poll's result as a PNG bar chart. CPU work: call it through asyncio.to_thread, never on the loop."""

from __future__ import annotations

import io
import textwrap

from bot.i18n.formats import number
from bot.i18n.speech import _, ngettext
from cogs.polls.tally import Tally


def render_chart(title: str, result: Tally) -> bytes:
    """Every text is drawn literally (`parse_math=False`): a `$` in a question is a dollar sign, not
    mathtext. Bars sit at their own positions, so two labels that shorten alike stay two bars.

    Its words are in the language being spoken: call it through asyncio.to_thread, which copies the
    context (an executor does not; translate `chart_words` first there)."""
    axis, bar_texts = chart_words(result)
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
    axes.set_xlabel(axis, parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max([*votes, 1]) * 1.2)
    for bar, text in zip(bars, bar_texts[::-1], strict=True):
        axes.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=9, parse_math=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_words(result: Tally) -> tuple[str, list[str]]:
    """The x axis's label and each option's bar text (in the result's order), in the language being spoken."""
    # English has always said "1 voters": both English forms are the plural, the other languages' are their own.
    axis = ngettext("votes ({voters} voters)", "votes ({voters} voters)", result.voters, voters=number(result.voters))
    bars = [" " + _("{votes} ({percent}%)", votes=number(o.votes), percent=round(o.share * 100)) for o in result.options]
    return axis, bars
