"""What `/poll create` accepts: a question and 2–25 distinct options separated by `;`, and how many picks."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.i18n.speech import N_, _
from bot.input.db_errors import worded
from bot.input.options import clean_text
from bot.input.whole_numbers import read_whole_number
from db.facts.dates import DateParseError, Precision, parse_partial_date

QUESTION_MAX = 300
OPTION_MAX = 80
MIN_OPTIONS, MAX_OPTIONS = 2, 25  # 25: the most options a Discord string select lists


class PollInputError(ValueError):
    """Poll text that can't be used; the message says what is accepted."""


def parse_question(text: str) -> str:
    question = clean_text(text)
    if not 1 <= len(question) <= QUESTION_MAX or len(text) > QUESTION_MAX:
        raise PollInputError(_("The question must be 1–{max} visible characters.", max=QUESTION_MAX))
    return question


def parse_options(text: str) -> list[str]:
    """`Yes; No; Maybe` → ["Yes", "No", "Maybe"]; blank, duplicate, too long or too few/many refused."""
    raw = text.split(";")
    options = [clean_text(part) for part in raw]
    if any(not o for o in options):
        raise PollInputError(
            _(
                "Options are separated by `;`, like `Yes; No; Maybe`, and none may be blank "
                "(you gave {parts} part(s), {blank} blank).",
                parts=len(raw), blank=sum(1 for o in options if not o),
            )
        )
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise PollInputError(
            _(
                "A poll needs {min} to {max} options separated by `;` (you gave {given}).",
                min=MIN_OPTIONS, max=MAX_OPTIONS, given=len(options),
            )
        )
    if too_long := [o for o in options if len(o) > OPTION_MAX]:
        raise PollInputError(
            _(
                "Each option may be at most {max} characters; “{start}…” is {length}.",
                max=OPTION_MAX, start=too_long[0][:40], length=len(too_long[0]),
            )
        )
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            raise PollInputError(_("“{option}” is listed twice; each option must be different.", option=option))
        seen.add(option.casefold())
    return options


def parse_poll_ref(text: str) -> int | None:
    """A poll id as autocomplete sends it (`12`) or as typed (`#12`); None for anything else."""
    return read_whole_number(text.strip().removeprefix("#"), low=1)


BUTTON_OPTIONS = 5  # a single-pick poll with at most this many options gets one button per option
RANKS = 4  # a ranked ballot ranks at most this many options (one select per rank in its ephemeral step)


def ballot_picks(options: int, picks: int | None, ranked: bool) -> int:
    """How many options one ballot may hold: `picks` (default 1) for a poll of `options` options, or —
    ranked — how many it may rank, min(options, RANKS). A ranked poll takes no `picks`: its ballots
    already hold several options, in order, and one number could not say both how many and which rank."""
    if ranked:
        if picks is not None:
            raise PollInputError(
                _(
                    "A ranked poll takes no `picks`: voters rank up to {ranks} of its options. "
                    "Leave `picks` out, or set `ranked` to False for a pick-several poll.",
                    ranks=min(options, RANKS),
                )
            )
        return min(options, RANKS)
    chosen = 1 if picks is None else picks
    if not 1 <= chosen <= options:
        raise PollInputError(
            _("`picks` may be 1 to {options} for a poll of {options} options (you gave {given}).", options=options, given=chosen)
        )
    return chosen


def ballot_kind(options: int, picks: int, ranked: bool) -> str:
    """How members vote: "buttons" (one pick among at most BUTTON_OPTIONS), "select" (several picks, or
    more options than buttons fit), or "ranked" (a Rank button opening one select per rank)."""
    if ranked:
        return "ranked"
    return "buttons" if picks == 1 and options <= BUTTON_OPTIONS else "select"


OPENS_AHEAD = timedelta(days=30)  # how far ahead a poll may be scheduled to open
# `opens` given a date vaguer than a day: one whole sentence per precision (each language words "not a month" its own way)
TOO_VAGUE = {
    Precision.MONTH: N_(
        "`opens` needs a day and time like `2026-05-01 21:00` (in this server's zone) or `2026-05-01T21:00+02:00`, not a month."
    ),
    Precision.QUARTER: N_(
        "`opens` needs a day and time like `2026-05-01 21:00` (in this server's zone) or `2026-05-01T21:00+02:00`, not a quarter."
    ),
    Precision.SEASON: N_(
        "`opens` needs a day and time like `2026-05-01 21:00` (in this server's zone) or `2026-05-01T21:00+02:00`, not a season."
    ),
    Precision.YEAR: N_(
        "`opens` needs a day and time like `2026-05-01 21:00` (in this server's zone) or `2026-05-01T21:00+02:00`, not a year."
    ),
    Precision.UNKNOWN: N_(
        "`opens` needs a day and time like `2026-05-01 21:00` (in this server's zone) or `2026-05-01T21:00+02:00`, not a unknown."
    ),
}


def parse_opening(text: str, zone: str, now: datetime) -> datetime:
    """`opens`: a date-time as /release set reads it — an ISO 8601 time with an offset, or a day and time
    (or a day, from midnight) in the server's zone — in the next 30 days. Vaguer dates have no instant."""
    try:
        parsed = parse_partial_date(text, zone)
    except DateParseError as exc:
        raise PollInputError(
            _("`opens` takes a date and time like `2026-05-01 21:00` or `2026-05-01T21:00+02:00`. {reason}", reason=worded(exc))
        ) from None
    if parsed.precision not in (Precision.EXACT, Precision.DAY) or parsed.starts_at is None:
        raise PollInputError(_(TOO_VAGUE.get(parsed.precision, TOO_VAGUE[Precision.UNKNOWN])))
    if not now < parsed.starts_at <= now + OPENS_AHEAD:
        when = parsed.starts_at.strftime("%Y-%m-%d %H:%M")
        raise PollInputError(_("`opens` must be in the next 30 days (it was {when} UTC).", when=when))
    return parsed.starts_at
