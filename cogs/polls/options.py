"""What `/poll create` accepts: a question and 2–25 distinct options separated by `;`, and how many picks."""

from __future__ import annotations

from bot.input.options import clean_text
from bot.input.whole_numbers import read_whole_number

QUESTION_MAX = 300
OPTION_MAX = 80
MIN_OPTIONS, MAX_OPTIONS = 2, 25  # 25: the most options a Discord string select lists


class PollInputError(ValueError):
    """Poll text that can't be used; the message says what is accepted."""


def parse_question(text: str) -> str:
    question = clean_text(text)
    if not 1 <= len(question) <= QUESTION_MAX or len(text) > QUESTION_MAX:
        raise PollInputError(f"The question must be 1–{QUESTION_MAX} visible characters.")
    return question


def parse_options(text: str) -> list[str]:
    """`Yes; No; Maybe` → ["Yes", "No", "Maybe"]; blank, duplicate, too long or too few/many refused."""
    raw = text.split(";")
    options = [clean_text(part) for part in raw]
    if any(not o for o in options):
        raise PollInputError(
            f"Options are separated by `;`, like `Yes; No; Maybe`, and none may be blank "
            f"(you gave {len(raw)} part(s), {sum(1 for o in options if not o)} blank)."
        )
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise PollInputError(f"A poll needs {MIN_OPTIONS} to {MAX_OPTIONS} options separated by `;` (you gave {len(options)}).")
    if too_long := [o for o in options if len(o) > OPTION_MAX]:
        raise PollInputError(f"Each option may be at most {OPTION_MAX} characters; “{too_long[0][:40]}…” is {len(too_long[0])}.")
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            raise PollInputError(f"“{option}” is listed twice; each option must be different.")
        seen.add(option.casefold())
    return options


def parse_poll_ref(text: str) -> int | None:
    """A poll id as autocomplete sends it (`12`) or as typed (`#12`); None for anything else."""
    return read_whole_number(text.strip().removeprefix("#"), low=1)
