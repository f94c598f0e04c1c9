"""Expressions split into branches that RE2 skips to: in a long paste, the branches find exactly
the matches the whole expression finds (where, and which one at a place)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.diagnosis import default_matcher, prepare
from bot.knowledge import bundled
from bot.leads import MERGED, split_at_leads
from bot.matcher import _LONG_SPAN, Expression

LONG = 2 * _LONG_SPAN  # a text this long is scanned branch by branch


def _whole(expression: Expression, data: bytes) -> list[tuple[int, int]]:
    """The expression's matches, scanned whole."""
    return list(_without_branches(expression).spans(data))


def _without_branches(expression: Expression) -> Expression:
    whole = Expression.__new__(Expression)
    for slot in Expression.__slots__:
        setattr(whole, slot, getattr(expression, slot))
    whole._branch_scans = None
    return whole


def _split_expressions() -> list[Expression]:
    matcher = default_matcher()
    found = [p.expression for p in matcher._patterns]
    found += [e for rule in matcher._context.values() for _, e in rule.expressions]
    return [e for e in found if e._branch_scans is not None]


def _examples() -> list[str]:
    kb = bundled()
    return [e.text for c in kb.causes for e in c.examples.match] + [
        text for c in kb.causes for text in c.examples.no_match
    ]


def test_the_knowledge_base_has_expressions_worth_splitting() -> None:
    split = _split_expressions()
    assert len(split) >= 15
    # Not the AccessDenied sentence: its branches (the optional caller's "arn:aws", "is not",
    # "not authorized") begin with words common in any error paste.
    kb = bundled()
    sentence = kb.expand("{{ACCESS_DENIED}}").encode()
    assert all(e.regex.pattern != sentence for e in split)


def test_in_pastes_of_the_examples_the_branches_find_what_the_whole_expression_finds() -> None:
    examples = _examples()
    rng = random.Random(7)
    pastes = []
    for _ in range(12):
        rng.shuffle(examples)
        pastes.append(prepare("\n\n".join(examples[:80]))[0].encode())
        pastes.append(prepare(" ".join(examples[:80]))[0].encode())
    compared = 0
    for expression in _split_expressions():
        for data in pastes:
            assert len(data) > LONG
            found = list(expression.spans(data))
            assert found == _whole(expression, data), expression.regex.pattern[:80]
            compared += len(found)
    assert compared > 200  # the pastes hold many matches of the split expressions


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        # A choice at the start is a branch each; what follows goes with every branch.
        ("(?:Unable|Failed)\\s+to", ["Unable\\s+to", "Failed\\s+to"]),
        # An optional part: with it first, then without (leftmost-first prefers taking it).
        ("(?:Error:\\s*)?Token", ["Error:\\s*Token", "Token"]),
        # A lazy one: without first.
        ("(?:Error:\\s*)??Token", ["Token", "Error:\\s*Token"]),
        # Flags hold over each alternative of their group.
        ("(?i:creating|updating)\\s+IAM|Cannot", ["(?i:creating)\\s+IAM", "(?i:updating)\\s+IAM", "Cannot"]),
        # A named group is a plain one for finding.
        ("(?P<x>Abc|Def)ghi", ["Abcghi", "Defghi"]),
        # A few letters in a class: a branch each.
        ("[Tt]he\\s+role|IAM", ["The\\s+role", "the\\s+role", "IAM"]),
        # A word boundary before a literal: RE2 cannot skip to it, the branch can.
        ("\\bUnmodifiableEntity\\b", ["\\bUnmodifiableEntity\\b"]),
    ],
)
def test_branches_of_an_expression_in_the_order_leftmost_first_prefers(
    regex: str, expected: list[str]
) -> None:
    assert split_at_leads(regex) == expected


@pytest.mark.parametrize(
    "regex",
    [
        "Unable\\s+to\\s+locate",  # begins with a literal already: RE2 skips to it
        "(?:Could|Credentials)\\s+x",  # one first byte: RE2 skips to it in the whole
        "(?:is\\s+)?not\\s+authorized",  # "is": a short common word, no skipping
        "(?:ROLE:\\s*)?arn:aws:iam",  # an ARN: they fill IAM error pastes
        "(?:abc?d|Xyz)q",  # "ab" begins the first branch (c may be absent): short and common
        "[a-z]+:Get",  # a class
        "(?:A|B|C|D|E|F|G|H|I)x",  # too many scans
        "(?:Abc)*x",  # a repeated group
        "(?i)Abc|Def",  # flags reaching past a group
        "Abcdef|",  # a branch that may match nothing
        "Abc\\Q|Xyz\\E|Q",  # RE2's quoting: the | is a character
        "\\b?Abcdef|Xyzabc",  # a word boundary made optional
        "(?s:Abc|Xyz)Q",  # flags other than ignoring case
        "新しいロールが|Xyzabc",  # a first byte Japanese text is full of
    ],
)
def test_expressions_that_stay_whole(regex: str) -> None:
    assert split_at_leads(regex) is None


def _merged(expression: Expression, data: bytes) -> tuple[list[tuple[int, int]], int | None]:
    """What the branches find themselves, and where they hand over to the whole expression."""
    assert expression._branch_scans is not None
    looking = expression._branch_scans.spans(data, 0, len(data))
    found = []
    while True:
        try:
            found.append(next(looking))
        except StopIteration as stop:
            return found, stop.value


def _expression(regex: str) -> Expression:
    expression = Expression(regex)
    assert expression._branch_scans is not None
    return expression


def test_at_one_place_the_earlier_branch_wins_and_later_matches_inside_a_match_are_passed() -> None:
    expression = _expression("(?:Abc-long|Abc)(?:-tail)?|Xyz")
    data = (b"." * LONG) + b" Abc-long-tail Abc Xyz Abc-long Xyz"
    assert list(expression.spans(data)) == _whole(expression, data)
    assert [data[s:e] for s, e in expression.spans(data)] == [
        b"Abc-long-tail",
        b"Abc",
        b"Xyz",
        b"Abc-long",
        b"Xyz",
    ]


def test_a_word_boundary_is_checked_where_the_literal_after_it_occurs() -> None:
    expression = _expression("\\bAccessDenied:\\s*Access\\s+Denied")
    data = b"xAccessDenied: Access Denied " + (b"." * LONG) + b" AccessDenied: Access Denied"
    assert [data[s:e] for s, e in expression.spans(data)] == [b"AccessDenied: Access Denied"]
    assert next(iter(expression.spans(data)))[0] == len(data) - len(b"AccessDenied: Access Denied")


def test_where_the_literal_overlaps_itself_each_place_is_checked_for_the_boundary() -> None:
    expression = _expression("\\bA-A|Xyz")
    data = (b"." * LONG) + b" xA-A-A A-A-A"
    assert list(expression.spans(data)) == _whole(expression, data)
    assert [data[s:e] for s, e in expression.spans(data)] == [b"A-A", b"A-A"]


def test_where_the_boundary_fails_again_and_again_the_whole_expression_goes_on() -> None:
    expression = _expression("\\bAbcd[^\\n]*Zed|Xyzq")
    data = b"Xyzq" + (b"xAbcd " * 2000) + b"Abcd Zed" + (b"." * LONG)
    # The first branch misses its boundary at once and again: the whole expression takes over at the start.
    assert _merged(expression, data) == ([], 0)
    assert next(data[s:e] for s, e in expression.spans(data)) == b"Xyzq"
    assert list(expression.spans(data)) == _whole(expression, data)


def test_at_a_place_both_with_and_without_an_optional_part_the_preferred_one_wins() -> None:
    data = (b"." * LONG) + b" AbAbcd Zed"
    for regex, first in (("(?:Ab)??Ab\\w{0,2}|Zed", b"AbAb"), ("(?:Ab)?Ab\\w{0,2}|Zed", b"AbAbcd")):
        expression = _expression(regex)
        assert list(expression.spans(data)) == _whole(expression, data)
        assert [data[s:e] for s, e in expression.spans(data)] == [first, b"Zed"]


def test_past_the_first_matches_the_whole_expression_goes_on() -> None:
    expression = _expression("(?:Unable|Failed)\\s+to")
    data = b"".join([b"Unable to", b"Failed to"] * (MERGED * 2)) + (b"." * LONG)  # back to back
    merged, left = _merged(expression, data)
    assert len(merged) == MERGED and left == merged[-1][1]
    found = list(expression.spans(data))
    assert len(found) == MERGED * 4
    assert found == _whole(expression, data)


_PIECES = st.sampled_from(
    [
        "Unable",
        " to",
        "Failed",
        "IAM Role (",
        'the role "',
        'The role "',
        "arn:aws:iam::1:role/x",
        ")",
        '" cannot be assumed',
        "\n",
        "\n\n",
        " ",
        "AccessDenied",
        ": Access Denied",
        "x",
        "There are a",
        "Error Code: AuthSamlInvalid",
        "Exception",
        "No OpenIDConnect provider found in your account",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(_PIECES, max_size=60),
    cut=st.integers(min_value=0, max_value=LONG),
    short=st.integers(min_value=0, max_value=400),
)
def test_branch_by_branch_equals_whole_on_random_pastes(pieces: list[str], cut: int, short: int) -> None:
    data = (b"." * LONG) + "".join(pieces).encode()
    end = max(cut, len(data) - short)  # the end of a window cuts matches short too
    for expression in _split_expressions():
        assert list(expression.spans(data, cut, end)) == list(
            _without_branches(expression).spans(data, cut, end)
        )
