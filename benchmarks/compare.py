"""Time the working tree's engine against a git revision's, in one process, turn by turn.

    python benchmarks/compare.py REV [--case "all examples" ...] [--rounds 30]

This machine's speed drifts by a third between runs a minute apart, so runs of one benchmark
before and after a change cannot tell a few percent. Here both engines are loaded (REV's `bot`
from `git archive`) and each case is diagnosed by one, then the other, in turn: both meet the
same drift, and the median of the rounds' ratios tells the change. A case is one of the
adversarial pastes (benchmarks/adversarial.py), or `messages`: the 20,000 chat-like messages of
benchmarks/throughput.py, in their mixed order, one pass a round. Both engines read the same texts
(the "all examples" and "examples shuffled" pastes are built from the working tree's examples).
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

from adversarial import cases
from messages import messages
from throughput import positive

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CASES = ("all examples", "examples shuffled", "wrapped at 80", "same real error", "messages")
SLICE = 500


def _bot_modules() -> dict[str, ModuleType]:
    return {name: module for name, module in sys.modules.items() if name == "bot" or name.startswith("bot.")}


def _load(root: Path) -> ModuleType:
    """`bot.diagnosis` of the tree at root, its knowledge base compiled; `bot` is then taken out
    of sys.modules again (the loaded modules keep their own references)."""
    saved = _bot_modules()
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        diagnosis = importlib.import_module("bot.diagnosis")
        diagnosis.default_matcher()
    finally:
        sys.path.remove(str(root))
        for name in _bot_modules():
            del sys.modules[name]
        sys.modules.update(saved)
    if not Path(diagnosis.__file__ or "").is_relative_to(root):
        raise SystemExit(f"loaded {diagnosis.__file__}, not the tree at {root}")
    return diagnosis


def _extract(revision: str, into: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(REPOSITORY), "archive", "--format=tar", revision, "bot"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _works(diagnosis: ModuleType, case: str) -> list[Callable[[], None]]:
    """The case as parts timed in turn with the other engine's: a paste, or the messages in
    slices of SLICE (a whole pass lasts long enough for the machine's speed to move within it)."""
    diagnose = diagnosis.diagnose
    if case == "messages":
        texts = [text for text, _ in messages()]
        return [_diagnosing(diagnose, texts[low : low + SLICE]) for low in range(0, len(texts), SLICE)]
    text = cases()[case]

    def paste() -> None:
        diagnose(text, asked=True)

    return [paste]


def _diagnosing(diagnose: Callable[..., object], texts: list[str]) -> Callable[[], None]:
    def part() -> None:
        for text in texts:
            diagnose(text)

    return part


def _timed(work: Callable[[], None]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the git revision to compare the working tree with")
    parser.add_argument("--case", action="append", help=f"default: {', '.join(DEFAULT_CASES)}")
    parser.add_argument("--rounds", type=positive, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        _extract(args.revision, Path(directory))
        engines = {args.revision: _load(Path(directory)), "working tree": _load(REPOSITORY)}
        print(f"{'case':20} {args.revision + ' ms':>14} {'working tree ms':>16} {'change':>8}")
        for case in args.case or DEFAULT_CASES:
            works = {name: _works(diagnosis, case) for name, diagnosis in engines.items()}
            rounds = max(4, args.rounds // 3) if case == "messages" else args.rounds
            for parts in works.values():  # RE2 builds its automata lazily: time the steady state
                for _ in range(3):
                    for part in parts:
                        part()
            times: dict[str, list[float]] = {name: [] for name in works}
            for turn in range(rounds):
                spent = dict.fromkeys(works, 0.0)
                for index in range(len(works[args.revision])):
                    # Each goes first every other time: neither always meets what the other left.
                    for name in sorted(works, reverse=bool((turn + index) % 2)):
                        spent[name] += _timed(works[name][index])
                for name, seconds in spent.items():
                    times[name].append(seconds)
            old, new = (times[name] for name in engines)
            change = statistics.median(b / a for a, b in zip(old, new, strict=True)) - 1
            print(
                f"{case:20} {statistics.median(old) * 1e3:14.2f} {statistics.median(new) * 1e3:16.2f}"
                f" {change * 100:+7.1f}%"
            )


if __name__ == "__main__":
    main()
