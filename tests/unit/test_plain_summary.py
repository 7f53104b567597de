"""TVmaze's HTML summaries as plain text: tags gone, entities decoded, words apart and punctuation
against the word before it, whatever tags the words were wrapped in."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.tvmaze.pack import plain_summary


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        ("<p><b>Severance</b> is a show.</p>", "Severance is a show."),
        ("<p>A lawyer by day, <i>Daredevil</i>.</p>", "A lawyer by day, Daredevil."),
        ("<p>Who is <a href='https://www.tvmaze.com/people/1'>Matt</a>?</p>", "Who is Matt?"),
        ("<p>One.</p><p>Two.</p>", "One. Two."),
        ("line<br>break<br/>and<BR />more", "line break and more"),
        ("<p>Tom &amp; Jerry&nbsp;&mdash; &lt;b&gt; stays text</p>", "Tom & Jerry — <b> stays text"),
        ("<p>Friends (<i>and</i>) foes ; all of them .</p>", "Friends (and) foes; all of them."),
        ("<p> </p>", None),
        ("", None),
        (None, None),
    ],
)
def test_summaries_become_clean_text(summary: str | None, text: str | None) -> None:
    assert plain_summary(summary) == text


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=8)
STOP = st.sampled_from(list(".,;:!?"))
INLINE = st.sampled_from(["b", "i", "em", "strong", "span", "a href='https://www.tvmaze.com/x'"])
BREAKING = st.sampled_from(["<p>", "</p>", "<br>", "<br />", "</p><p>", "<div>"])


@st.composite
def summaries(draw: st.DrawFn) -> tuple[str, str]:
    """An HTML summary and the text a reader sees in it: words wrapped in any tags, spaces where the
    words are apart (inside or outside the tags), punctuation right after its word."""
    tokens = draw(st.lists(st.one_of(WORD, STOP), min_size=1, max_size=30).filter(lambda t: t[0] not in ".,;:!?"))
    expected, parts = "", []
    for i, token in enumerate(tokens):
        stop = token in ".,;:!?"
        if i and not stop:
            expected += " "
            gap = draw(st.sampled_from([" ", "  ", "\n", "BREAK"]))
            parts.append(draw(BREAKING) if gap == "BREAK" else gap)
        expected += token
        if draw(st.booleans()):
            tag = draw(INLINE)
            parts.append(f"<{tag}>{token}</{tag.split()[0]}>")
        else:
            parts.append(token)
    return "<p>" + "".join(parts) + "</p>", expected


@given(summaries())
def test_any_tagging_of_words_reads_as_the_words(case: tuple[str, str]) -> None:
    summary, expected = case
    assert plain_summary(summary) == expected
