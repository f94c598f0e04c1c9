"""The phrases an expression cannot match without: never missing a match is what counts (an
expression whose condition fails is not run), then staying out of ordinary chat."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.diagnosis import default_matcher, prepare
from bot.knowledge import bundled
from bot.literals import ALWAYS, Need, alternatives, need, phrase_expression, phrases
from bot.matcher import compile_regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from messages import chatter, errors  # noqa: E402


def _occurs(regex: str, text: str) -> bool:
    return compile_regex(regex).search(text) is not None


def _holds(condition: Need, text: str) -> bool:
    present = {p for p in phrases(condition) if _occurs(phrase_expression(p), text)}
    return any(choice <= present for choice in alternatives(condition))


def _expressions() -> list[str]:
    kb = bundled()
    regexes = [kb.expand(p.regex) for c in kb.causes for p in c.patterns]
    regexes += [kb.expand(r) for c in kb.causes for r in c.unless]
    regexes += [kb.expand(p) for rule in kb.shared.context.values() for p in rule.patterns]
    return list(dict.fromkeys(regexes))


def _texts() -> list[str]:
    kb = bundled()
    texts = errors()
    texts += [text for c in kb.causes for text in c.examples.no_match]
    for name in ("non_iam.jsonl",):
        path = ROOT / "tests" / "corpus" / name
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return [prepare(text)[0] for text in texts]


def test_every_expression_of_the_knowledge_base_needs_a_phrase() -> None:
    assert all(need(regex) != ALWAYS for regex in _expressions())


def test_where_an_expression_matches_a_real_paste_its_phrases_are_there() -> None:
    texts = _texts()
    checked = 0
    for regex in _expressions():
        condition = need(regex)
        for text in texts:
            if _occurs(regex, text):
                checked += 1
                assert _holds(condition, text), (regex[:80], text[:200])
    assert checked > 300


def test_ordinary_chat_runs_no_pattern() -> None:
    import random

    rng = random.Random(3)
    matcher = default_matcher()
    patterns = len(matcher.patterns)  # the look numbers the patterns first
    for _ in range(500):
        data = prepare(chatter(rng))[0].encode()
        assert [index for index in matcher.look(data)[0] if index < patterns] == []


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        (r"not\s+authori[sz]ed\s+to\s+perform", "User: x is not \n authorised to  perform: s3:GetObject"),
        (r"(?i)(?:Access|Auth)Denied(?:Exception)?", "accessdeniedexception"),
        (
            r"(?i:role_?arn)\s*[=:]\s*(?P<role_arn>arn:aws:iam::\d{12}:role/\S+)",
            "ROLEARN = arn:aws:iam::123456789012:role/x",
        ),
        (r"\bMaxSessionDuration\b|DurationSeconds\s+exceeds", "DurationSeconds\texceeds"),
        (r"フィールド\s*に\s*無効", "フィールドに無効"),
        (r"abc\s*Bca", "abcBca"),
        (r"abc(?:\s+|-)?Bca", "abcBca"),
        (r"wxyz(?:Exception)?:", "wxyz:"),
        (r"(?:ab|cd)+wxyz", "cdabwxyz"),
        (r"q{0,2}wxyz", "wxyz"),
    ],
)
def test_a_match_holds_its_phrases(regex: str, text: str) -> None:
    assert _occurs(regex, text)
    assert need(regex) != ALWAYS
    assert _holds(need(regex), text)


@pytest.mark.parametrize(
    "regex",
    [r"[A-Z]+:\s*\d+", r"(?:foo)?\w+", r"a|bc", r"\p{Lu}+error", r"error[[:digit:]]+]code", r"\Qa.b\E"],
)
def test_an_expression_without_a_usable_phrase_is_always_run(regex: str) -> None:
    assert need(regex) == ALWAYS


# Random expressions in the syntax the knowledge base uses, and texts that match them.
_ATOMS = st.sampled_from(
    [
        "a",
        "ab",
        "abc",
        "Bca",
        "xa:",
        "-",
        "[ab]",
        "[a-c]",
        "[^a]",
        ".",
        r"\s",
        r"\s*",
        r"\s+",
        r"\s?",
        r"\d",
        r"\b",
    ]
)


def _quantified(part: tuple[str, str]) -> str:
    """A group repeated; unboundedly only around a part that matches one way: Python's engine,
    which Hypothesis checks a drawn text with, backtracks exponentially on `(?:\\s*)*` or
    `(?:\\s?\\s?)+` where it fails (a run spun a full test run for a quarter of an hour)."""
    inner, quantifier = part
    if quantifier.rstrip("?") in ("*", "+") and any(mark in inner for mark in "*+?{|"):
        quantifier = "{1,3}"
    return f"(?:{inner}){quantifier}"


def _expression() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.lists(inner, min_size=2, max_size=4).map("".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda parts: "(?:" + "|".join(parts) + ")"),
            inner.map(lambda r: f"(?i:{r})"),
            inner.map(lambda r: f"({r})"),
            st.tuples(inner, st.sampled_from(["?", "*", "+", "+?", "*?", "{1,3}", "{2}", "{0,2}"])).map(
                _quantified
            ),
            inner.map(lambda r: r + r"\s+"),
        )

    return st.recursive(_ATOMS, extend, max_leaves=12)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(data=st.data(), regex=_expression())
def test_a_random_expression_never_matches_where_its_condition_fails(data: st.DataObject, regex: str) -> None:
    try:
        compile_regex(regex)
        re.compile(regex)
    except Exception:
        return
    core = data.draw(st.from_regex(regex, fullmatch=True, alphabet="abcABC :-x1\n\t"), label="match")
    text = data.draw(st.text("abcAB x-\n", max_size=6)) + core + data.draw(st.text("abcAB x-\n", max_size=6))
    if _occurs(regex, text):
        assert _holds(need(regex), text)
