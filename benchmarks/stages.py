"""Where diagnosing the throughput corpus spends its time: chatter and errors timed apart, and each
error's stages (first look, finders, reading), all in the corpus's mixed order (as a bot meets
them, with caches as cold as that leaves them).

    python benchmarks/stages.py [--passes 3] [--calls]

Timers around every message add a little to each figure; compare runs of this script with each
other, not with throughput.py. Every figure is the best of the passes.

`--calls` also times, in the error pastes, each call the engine makes to RE2 (the first look's set
scan, the patterns' finders, the context rules' and exclusions' expressions, reading captures) and
to normalising and building entities: how many a paste makes and what one costs, in the mixed order
and again with each call repeated at once (as warm as a cache gets: the difference is what the
cold caches of a mixed order cost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from messages import messages

from bot import entities, matcher, paste
from bot.diagnosis import _Reading, _select, default_matcher, diagnose, first_look
from bot.matcher import Matcher

STAGES = ("first look", "finders", "reading")


def staged(matcher: Matcher, text: str, spent: dict[str, float], asked: bool = False) -> None:
    """Diagnose an error paste (a channel message unless `asked`) as `diagnose` does, stage by
    stage."""
    clock = time.perf_counter
    start = clock()
    data, possible, _ = first_look(matcher, text)
    looked = clock()
    found, nearby = matcher.scan(data, possible, asked=asked)
    scanned = clock()
    if found:
        _select(_Reading(matcher, data, found, nearby), asked=asked)
    read = clock()
    for stage, elapsed in zip(STAGES, (looked - start, scanned - looked, read - scanned), strict=True):
        spent[stage] += elapsed


class Calls:
    """Timers put around the engine's calls, counting only while `on` (in error pastes); each
    call's callable and arguments are kept, to be repeated warm."""

    def __init__(self) -> None:
        self.on = False
        self.spent: dict[str, float] = defaultdict(float)
        self.made: list[tuple[str, Callable[..., Any], tuple[Any, ...]]] = []

    def timed(self, kind: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any) -> Any:
            if not self.on:
                return call(*args)
            start = time.perf_counter()
            result = call(*args)
            self.spent[kind] += time.perf_counter() - start
            self.made.append((kind, call, args))
            return result

        return timed_call

    def install(self, engine: Matcher) -> None:
        prefilter = engine._prefilter
        prefilter._set = self.timed("set scan", prefilter._set)
        for pattern in engine._patterns:
            pattern.expression._find = self.timed("finder", pattern.expression._find)
        nearby = [e for rule in engine._context.values() for _, e in rule.expressions]
        nearby += [e for unless in engine._unless.values() for _, e in unless]
        for expression in {id(e): e for e in nearby}.values():
            expression._find = self.timed("context", expression._find)
        matcher.Expression.captures = self.timed("captures", matcher.Expression.captures)  # type: ignore[method-assign]
        paste.undecorate = self.timed("normalise", paste.undecorate)
        paste.rejoin = self.timed("rejoin", paste.rejoin)
        entities.build = self.timed("build", entities.build)

    def report(self, pastes: int) -> None:
        print(f"calls in the error pastes ({pastes}), in the mixed order and repeated at once:")
        print(f"  {'call':10} {'a paste':>8} {'µs a call':>10} {'warm':>7} {'µs a paste':>11}")
        for kind, spent in sorted(self.spent.items(), key=lambda item: -item[1]):
            calls = [(call, args) for k, call, args in self.made if k == kind]
            warm = []
            for call, args in calls:
                call(*args)
                start = time.perf_counter()
                call(*args)
                warm.append(time.perf_counter() - start)
            print(
                f"  {kind:10} {len(calls) / pastes:8.2f} {spent / len(calls) * 1e6:10.2f}"
                f" {statistics.mean(warm) * 1e6:7.2f} {spent / pastes * 1e6:11.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--calls", action="store_true", help="time the engine's calls in error pastes")
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
                staged(matcher, text, spent)
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
    if args.calls:
        calls = Calls()
        calls.install(matcher)
        spent = dict.fromkeys(STAGES, 0.0)
        for text, is_error in corpus:
            calls.on = is_error
            if is_error:
                staged(matcher, text, spent)
            else:
                diagnose(text, matcher=matcher)
        calls.on = False
        calls.report(errors)


if __name__ == "__main__":
    main()
