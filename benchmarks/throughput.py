"""Diagnosis throughput on chat-like messages, against a baseline that runs every pattern with
Python's `re.search` in a loop. Both must give identical diagnoses.

    python benchmarks/throughput.py [--count 20000] [--error-share 0.05]

Run it on an otherwise idle machine; it uses one core. The speeds are each the best pass. The
ratio is measured over the same seconds for both: while the baseline makes one pass, in (at most)
`--turns` parts, the engine makes one whole pass after each part, and the ratio is the baseline's time over
the engine's mean; the median of `--passes` such ratios is printed (this machine's speed drifts by a
tenth and more, for seconds, with its neighbours' load: a ratio of two best passes, one short and
one long, would read the drift as speed).
"""

from __future__ import annotations

import argparse
import itertools
import re
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from messages import messages

from bot.diagnosis import default_matcher, diagnose
from bot.matcher import Hit, Matcher, Uses


class BaselineMatcher(Matcher):
    """The same knowledge base, matched the plain way: every pattern, `re.search` in a loop."""

    def __init__(self, base: Matcher) -> None:
        self.__dict__.update(base.__dict__)
        # Each pattern as text, its classes read by character as RE2 reads them in UTF-8 (a bytes
        # pattern's class holds bytes: `[’']` would take one byte of the three), and \w, \s, \b
        # as ASCII, as in RE2.
        self._plain = [
            (Uses.of([use])[0], re.compile(regex.pattern.decode(), re.ASCII))
            for regex, uses in base.patterns
            for use in uses
        ]
        self._everything = list(range(base.expressions))
        self.texts_searched = 0
        self.look = self._look_everywhere

    def _look_everywhere(self, data: bytes) -> tuple[list[int], tuple[int, ...]]:
        # Every pattern and context expression may occur, whatever the phrases found; only the
        # signs that a paste needs preparing are taken from the look.
        return self._everything, self._prefilter.look(data)[1]

    def hits(self, data: bytes, candidates: Iterable[int]) -> list[Hit]:
        # Every cause's pattern, one after the other.
        self.texts_searched += 1
        text = data.decode("utf-8", "replace")
        offsets: list[int] = []

        def at(index: int) -> int:  # a character's offset as the UTF-8 byte offset the engine gives
            if text.isascii():
                return index
            if not offsets:
                offsets.extend(itertools.accumulate((len(c.encode()) for c in text), initial=0))
            return offsets[index]

        found: list[Hit] = []
        for use, regex in self._plain:
            position = 0
            while (match := regex.search(text, position)) is not None:
                if match.end() > match.start():
                    captures: dict[str, str] = {}
                    for name, value in match.groupdict().items():
                        key = name.split("__", 1)[0]
                        if value and key not in captures:
                            captures[key] = value
                    found.append(Hit(use, at(match.start()), at(match.end()), lambda c=captures: c))
                position = max(match.end(), position + 1)
        return found


def _timed(texts: list[str], matcher: Matcher) -> float:
    """Seconds to diagnose the messages, each answer dropped as a bot drops it once replied (kept,
    20,000 answers would have the garbage collector walk them again and again, on the clock)."""
    start = time.perf_counter()
    for text in texts:
        diagnose(text, matcher=matcher)
    return time.perf_counter() - start


def _diagnoses(texts: list[str], matcher: Matcher) -> list[Any]:
    return [[(d.cause.id, d.entities) for d in diagnose(text, matcher=matcher).diagnoses] for text in texts]


def _paired(texts: list[str], engine: Matcher, baseline: Matcher, turns: int) -> tuple[list[float], float]:
    """The times of the engine's passes over the messages and of the baseline's one, taken in turn:
    the baseline's pass is cut into `turns` parts, each followed by a whole pass of the engine
    (long enough that the caches the baseline's part took over are soon the engine's again)."""
    engine_times: list[float] = []
    baseline_time = 0.0
    size = -(-len(texts) // turns)
    for low in range(0, len(texts), size):
        baseline_time += _timed(texts[low : low + size], baseline)
        engine_times.append(_timed(texts, engine))
    return engine_times, baseline_time


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=positive, default=20_000)
    parser.add_argument("--error-share", type=float, default=0.05)
    parser.add_argument("--passes", type=positive, default=5)
    parser.add_argument("--turns", type=positive, default=10, help="engine passes within a baseline pass")
    args = parser.parse_args()
    corpus = messages(args.count, args.error_share)
    texts = [text for text, _ in corpus]
    chatter = [text for text, is_error in corpus if not is_error]
    engine = default_matcher()
    baseline = BaselineMatcher(engine)
    _timed(texts, engine)  # warm up: RE2 builds its automata lazily, as a long-running bot would have
    engine_time = chatter_time = baseline_time = float("inf")
    ratios = []
    for _ in range(args.passes):
        baseline.texts_searched = 0
        engine_passes, baseline_pass = _paired(texts, engine, baseline, args.turns)
        if baseline.texts_searched != len(texts):
            raise SystemExit(f"the baseline searched {baseline.texts_searched} of {len(texts)} messages")
        ratios.append(baseline_pass / statistics.mean(engine_passes))
        engine_time = min(engine_time, *engine_passes)
        baseline_time = min(baseline_time, baseline_pass)
        chatter_time = min(chatter_time, _timed(chatter, engine))
    engine_results, baseline_results = _diagnoses(texts, engine), _diagnoses(texts, baseline)
    differing = sum(1 for a, b in zip(engine_results, baseline_results, strict=True) if a != b)
    diagnosed = sum(1 for r in engine_results if r)
    print(f"messages: {len(texts)} ({len(texts) - len(chatter)} errors, {diagnosed} diagnosed)")
    print(f"engine, all messages:   {len(texts) / engine_time:10,.0f} messages/s")
    print(f"engine, chatter only:   {len(chatter) / chatter_time:10,.0f} messages/s")
    print(f"baseline, all messages: {len(texts) / baseline_time:10,.0f} messages/s")
    print(f"ratio engine/baseline:  {statistics.median(ratios):10.1f}x")
    print(f"  (pass by pass: {', '.join(f'{r:.1f}x' for r in ratios)})")
    print(f"messages with different diagnoses: {differing}")


if __name__ == "__main__":
    main()
