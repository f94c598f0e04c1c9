"""Measure the knowledge base on a corpus of labelled pastes (tests/corpus/).

A labelled IAM paste counts as correct when the primary diagnosis has the expected cause, and as
exact when its entities are also the expected ones. A non-IAM paste counts as a false positive
when anything at all is diagnosed in passive mode.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class CauseFigures:
    pastes: int = 0
    correct: int = 0
    exact: int = 0


@dataclass
class Figures:
    """What a corpus run measured, with every miss named."""

    causes: dict[str, CauseFigures] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    look_alikes: int = 0
    false_positives: list[str] = field(default_factory=list)

    @property
    def pastes(self) -> int:
        return sum(c.pastes for c in self.causes.values())

    @property
    def correct(self) -> int:
        return sum(c.correct for c in self.causes.values())

    @property
    def exact(self) -> int:
        return sum(c.exact for c in self.causes.values())

    def report(self) -> str:
        """A table per cause, totals, and every miss."""
        lines = [f"{'cause':36} {'pastes':>6} {'cause ok':>8} {'entities ok':>11}"]
        for cause, figures in sorted(self.causes.items()):
            lines.append(f"{cause:36} {figures.pastes:6} {figures.correct:8} {figures.exact:11}")
        if self.pastes:
            lines.append(
                f"{'all':36} {self.pastes:6} {self.correct:8} {self.exact:11}"
                f"   ({self.correct / self.pastes:.1%} cause, {self.exact / self.pastes:.1%} entities)"
            )
        lines.append(f"non-IAM pastes: {self.look_alikes}, false positives: {len(self.false_positives)}")
        lines += [f"MISS {miss}" for miss in self.misses]
        lines += [f"FALSE POSITIVE {fp}" for fp in self.false_positives]
        return "\n".join(lines)


def read_jsonl(lines: Iterable[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.strip()]


def score(
    labelled: Sequence[Mapping[str, Any]],
    results: Sequence[Mapping[str, Any]],
    look_alikes: Sequence[Mapping[str, Any]],
    look_alike_results: Sequence[Mapping[str, Any]],
) -> Figures:
    """Compare `diagnose --jsonl` results with the labels, line by line."""
    figures = Figures()
    for item, result in zip(labelled, results, strict=True):
        cause = item["cause"]
        tally = figures.causes.setdefault(cause, CauseFigures())
        tally.pastes += 1
        diagnoses = result.get("diagnoses", [])
        got = diagnoses[0] if diagnoses else None
        if got is None or got["cause"] != cause:
            found = got["cause"] if got else ("a question" if result.get("question") else "nothing")
            figures.misses.append(f"{item['id']}: expected {cause}, got {found}")
            continue
        tally.correct += 1
        if got["entities"] == item.get("entities", {}):
            tally.exact += 1
        else:
            expected = json.dumps(item.get("entities", {}))
            figures.misses.append(f"{item['id']}: entities {json.dumps(got['entities'])} != {expected}")
    figures.look_alikes = len(look_alikes)
    for item, result in zip(look_alikes, look_alike_results, strict=True):
        causes = Counter(d["cause"] for d in result.get("diagnoses", []))
        if causes:
            figures.false_positives.append(f"{item['id']}: {', '.join(sorted(causes))}")
    return figures


def _diagnose_jsonl(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Run the real `diagnose --jsonl` command over the items (id, text, asked)."""
    payload = "".join(
        json.dumps({"id": i["id"], "text": i["text"], "asked": bool(i.get("asked"))}) + "\n" for i in items
    )
    process = subprocess.run(
        [sys.executable, "-m", "bot", "diagnose", "--jsonl"],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
    )
    return read_jsonl(process.stdout.splitlines())


def _read_all(directory: Path, pattern: str) -> list[dict[str, Any]]:
    paths = sorted(directory.glob(pattern))
    return [item for path in paths for item in read_jsonl(path.read_text(encoding="utf-8").splitlines())]


def evaluate(directory: Path, labelled_files: str = "iam.jsonl") -> Figures:
    """Score the labelled pastes (real ones by default; "iam_constructed.jsonl" for those built
    from AWS's documented texts) and every look-alike file (non_iam*.jsonl) in `directory`."""
    labelled = _read_all(directory, labelled_files)
    look_alikes = _read_all(directory, "non_iam*.jsonl")
    return score(labelled, _diagnose_jsonl(labelled), look_alikes, _diagnose_jsonl(look_alikes))
