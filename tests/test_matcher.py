"""Where the context rules look: a window's first or last match, found among the occurrences of
one search of the paste, is what a search of the window alone finds."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.knowledge import bundled
from bot.matcher import Expression, Surroundings

_KB = bundled()
_EXPRESSIONS = [
    Expression(_KB.expand(regex))
    for rule in _KB.shared.context.values()
    if rule.look != "after"
    for regex in rule.patterns
]
# Pieces of the context rules' sentences, to be cut and joined anyhow: occurrences then run
# across windows' edges, overlap the places other searches would start, and stop short.
_PIECES = [
    "when calling the ",
    "PutObject",
    " operation",
    ": ",
    "the ",
    "Operation error STS: AssumeRole, ",
    "Encoded authorization failure message: ",
    "A" * 25,
    "--role-arn ",
    "role_arn=",
    "assume role ",
    "arn:aws:iam::123456789012:role/app",
    "arn:aws:iam::",
    "--duration-seconds 7200",
    "switchrole?account=123456789012&roleName=ops",
    "\n",
    " ",
    "filler ",
]


def _searched(expression: Expression, data: bytes, low: int, high: int) -> list[tuple[int, int]]:
    return [s for s in expression.spans(data, max(0, low), min(high, len(data))) if s[1] > s[0]]


@settings(max_examples=300, deadline=None)
# An occurrence running past a window's end: the window's search finds it cut short.
@example("x --role-arn arn:aws:iam::123456789012:role/app y", [(0, 45), (0, 49)], 0)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
    st.lists(st.tuples(st.integers(-50, 700), st.integers(0, 400)), min_size=1, max_size=6),
    st.integers(0, 300),
)
def test_a_windows_first_and_last_match_are_what_searching_the_window_finds(
    text: str, windows: list[tuple[int, int]], margin: int
) -> None:
    data = text.encode()
    lows = [low for low, _ in windows]
    highs = [low + width for low, width in windows]
    # The occurrences are looked for from the first window's start to the last one's end.
    matched = (min(lows) + margin, max(highs))
    around = Surroundings(
        _EXPRESSIONS,
        [[margin, 0]] * len(_EXPRESSIONS),
        data,
        frozenset(range(len(_EXPRESSIONS))),
        matched,
    )
    for index, expression in enumerate(_EXPRESSIONS):
        for low, high in zip(lows, highs, strict=True):
            found = _searched(expression, data, low, high)
            assert around.first_within(index, low, high) == (found[0] if found else None)
            assert around.last_within(index, low, high) == (found[-1] if found else None)
