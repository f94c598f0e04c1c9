"""The knowledge base measured on the committed corpus of real pastes, through `diagnose --jsonl`:
at least 95% right primary cause, 98% exact entities, and no diagnosis at all on look-alikes.
`python benchmarks/corpus_report.py` prints the table per cause and every miss.
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


def test_real_pastes_are_diagnosed_right(figures: Figures) -> None:
    report = figures.report()
    assert figures.correct / figures.pastes >= 0.95, report
    assert figures.exact / figures.pastes >= 0.98, report


def test_every_cause_of_the_contract_is_known(figures: Figures, kb: KnowledgeBase) -> None:
    assert set(figures.causes) <= {c.id for c in kb.causes}


def test_no_look_alike_is_diagnosed(figures: Figures) -> None:
    assert figures.false_positives == [], figures.report()
