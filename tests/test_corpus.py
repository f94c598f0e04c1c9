"""The knowledge base measured on the committed corpus of real pastes, through `diagnose --jsonl`.

Only pastes whose expected cause the knowledge base has are counted, so the bar covers every cause
as soon as it is added. `python benchmarks/corpus_report.py` prints the full table and each miss.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.corpus import Figures, evaluate
from bot.knowledge import KnowledgeBase

CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture(scope="module")
def figures() -> Figures:
    return evaluate(CORPUS)


def test_the_corpus_is_large_enough_to_mean_something(figures: Figures) -> None:
    assert figures.pastes >= 150
    assert figures.look_alikes >= 60


def test_known_causes_are_recognised_on_real_pastes(figures: Figures, kb: KnowledgeBase) -> None:
    known = {c.id for c in kb.causes}
    counted = [f for cause, f in figures.causes.items() if cause in known]
    pastes = sum(f.pastes for f in counted)
    correct = sum(f.correct for f in counted)
    exact = sum(f.exact for f in counted)
    report = figures.report()
    assert pastes >= 80, report
    assert correct / pastes >= 0.95, report
    assert exact / pastes >= 0.90, report


def test_no_look_alike_is_diagnosed(figures: Figures) -> None:
    assert figures.false_positives == [], figures.report()
