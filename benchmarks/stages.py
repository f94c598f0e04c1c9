"""Where diagnosing the throughput corpus spends its time: chatter and errors timed apart, and each
error's stages (first look, finders, reading), all in the corpus's mixed order (as a bot meets
them, with caches as cold as that leaves them).

    python benchmarks/stages.py [--passes 3]

Timers around every message add a little to each figure; compare runs of this script with each
other, not with throughput.py. Every figure is the best of the passes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from messages import messages

from bot.diagnosis import _Reading, _select, default_matcher, diagnose, first_look
from bot.matcher import Matcher

STAGES = ("first look", "finders", "reading")


def _error(matcher: Matcher, text: str, spent: dict[str, float]) -> None:
    """Diagnose an error paste (a channel message) as `diagnose` does, stage by stage."""
    clock = time.perf_counter
    start = clock()
    data, possible, _ = first_look(matcher, text)
    looked = clock()
    found, nearby = matcher.scan(data, possible, asked=False)
    scanned = clock()
    if found:
        _select(_Reading(matcher, data, found, nearby), asked=False)
    read = clock()
    for stage, elapsed in zip(STAGES, (looked - start, scanned - looked, read - scanned), strict=True):
        spent[stage] += elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    corpus = messages()
    matcher = default_matcher()
    for text, _ in corpus:
        diagnose(text, matcher=matcher)  # RE2 builds its automata lazily
    errors = sum(is_error for _, is_error in corpus)
    best: dict[str, float] = {}
    for _ in range(args.passes):
        spent = dict.fromkeys(("chatter", *STAGES), 0.0)
        for text, is_error in corpus:
            if is_error:
                _error(matcher, text, spent)
            else:
                start = time.perf_counter()
                diagnose(text, matcher=matcher)
                spent["chatter"] += time.perf_counter() - start
        if not best or sum(spent.values()) < sum(best.values()):
            best = spent
    chatter = len(corpus) - errors
    print(
        f"chatter: {best['chatter'] * 1e3:6.1f} ms in all, {best['chatter'] / chatter * 1e6:6.2f} µs a message"
    )
    total = sum(best[stage] for stage in STAGES)
    print(f"errors:  {total * 1e3:6.1f} ms in all, {total / errors * 1e6:6.1f} µs a paste, of which:")
    for stage in STAGES:
        print(f"  {stage:11} {best[stage] / errors * 1e6:6.1f} µs")


if __name__ == "__main__":
    main()
