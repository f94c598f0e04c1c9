"""Time to diagnose 40,000-character adversarial pastes (target: under 10 ms each).

    python benchmarks/adversarial.py [--stages]

The last column is the median time to build the Slack reply to the triage (what the bot does
next). `--stages` also prints where each case's median time goes: the first look (normalising
included), the patterns' finders, and reading the matches (context rules included).

The last lines time every knowledge base example diagnosed on its own, and what the examples
that the two pastes of real errors hold cost so: the part of those cases' time that is the
errors themselves, not the length of the paste.

Near-misses, long runs of one character, nested repetition, many real errors (in the
knowledge base's order, and shuffled), escaped and wrapped text: the shapes that make
backtracking engines and careless normalisation slow.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stages import STAGES, staged

from bot.diagnosis import default_matcher, diagnose
from bot.knowledge import KnowledgeBase, bundled
from bot.render import blocks
from bot.service import settle

SIZE = 40_000
ROUNDS = 7  # timed diagnoses of each case; the median is printed
ERROR = (
    "An error occurred (AccessDenied) when calling the PutLifecycleHook operation: User: "
    "arn:aws:sts::111122223333:assumed-role/Testrole/Diego is not authorized to perform: iam:PassRole on resource: "
    "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling\n"
)


def _fill(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


def cases() -> dict[str, str]:
    rng = random.Random(3)
    examples = [e.text for c in bundled().causes for e in c.examples.match]
    return {
        "one character": "a" * SIZE,
        "newlines": "\n" * SIZE,
        "colons": ":" * SIZE,
        "slashes": "/" * SIZE,
        "backticks": "`" * SIZE,
        "angle brackets": "<" * SIZE,
        "escapes": _fill("\\u00"),
        "entities": _fill("&amp;lt;"),
        "ARN prefixes": _fill("arn:aws:iam::"),
        "one long ARN": "arn:aws:iam::123456789012:role/" + "x" * (SIZE - 31),
        "near-miss sentence": _fill("User: arn:aws:iam::123456789012:user/bob is not authorized to perfor "),
        "nested principals": _fill("User: User: arn:aws:sts::1:assumed-role/ "),
        "repeated verbs": _fill("is not authorized to perform: is not authorized to perform "),
        "open parentheses": "(" * SIZE,
        # Error words glued to the word before: every place fails the word boundary they need.
        "glued words": _fill("xAccessDenied: Access Denied xUnmodifiableEntity xS3 error: Access Denied "),
        "deny tails": _fill(
            " because no identity-based policy allows the x:y action with an explicit deny in"
        ),
        "same real error": _fill(ERROR),
        "all examples": _fill("\n".join(examples)),
        # The same in another order: every pattern's phrases spread over the whole paste.
        "examples shuffled": _fill("\n".join(random.Random(5).sample(examples, len(examples)))),
        "Japanese near-miss": _fill("1 つ以上のフィールドに無効な"),
        "wrapped at 80": "\n".join(_fill(ERROR)[i : i + 80] for i in range(0, SIZE, 80)),
        "box margins": _fill("│ " + ERROR),
        "random unicode": "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(SIZE)),
        "random ASCII": "".join(chr(rng.randrange(32, 127)) for _ in range(SIZE)),
    }


def _stages(text: str) -> str:
    """The median time of each stage of diagnosing the paste (asked), as printed."""
    timings: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for _ in range(ROUNDS):
        spent = dict.fromkeys(STAGES, 0.0)
        staged(default_matcher(), text, spent, asked=True)
        for stage in STAGES:
            timings[stage].append(spent[stage] * 1000)
    return "  ".join(f"{stage} {statistics.median(timings[stage]):.2f}" for stage in STAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", action="store_true", help="also time each case's stages")
    args = parser.parse_args()
    diagnose(ERROR)  # load and compile the knowledge base first
    settle()  # as the bot does once it is up
    worst = 0.0
    kb = bundled()
    print(f"{'case':22} {'chars':>7} {'median ms':>10} {'max ms':>8} diagnoses reply ms")
    for name, text in cases().items():
        for _ in range(2):
            diagnose(text)  # RE2 builds its automaton lazily; time the steady state
        timings, replies = [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            triage = diagnose(text, asked=True)
            timings.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            blocks.render(triage, kb)
            replies.append((time.perf_counter() - start) * 1000)
        worst = max(worst, statistics.median(timings))
        print(
            f"{name:22} {len(text):7} {statistics.median(timings):10.2f} {max(timings):8.2f} "
            f"{len(triage.diagnoses):9} {statistics.median(replies):8.2f}"
        )
        if args.stages:
            print(f"{'':22} ms: {_stages(text)}")
    print(f"worst median: {worst:.2f} ms (target: under 10 ms)")
    _errors_one_by_one(kb)


def _errors_one_by_one(kb: KnowledgeBase) -> None:
    """What the pastes of many real errors cost without their length: the errors they hold (every
    example whole within the 40,000 characters), each diagnosed on its own."""
    examples = [e.text for c in kb.causes for e in c.examples.match]
    for text in examples:
        diagnose(text, asked=True)
    each = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for text in examples:
            diagnose(text, asked=True)
        each.append((time.perf_counter() - start) / len(examples) * 1000)
    median = statistics.median(each)
    shuffled = random.Random(5).sample(examples, len(examples))
    held = {"all examples": examples, "examples shuffled": shuffled}
    print(
        f"one example at a time: {median * 1000:.1f} µs each (median of {ROUNDS} passes over {len(examples)})"
    )
    for name, order in held.items():
        count = sum(1 for end in itertools.accumulate(len(t) + 1 for t in order) if end <= SIZE + 1)
        print(f"  {name!r} holds {count} whole examples: {count * median:.2f} ms of errors read one by one")


if __name__ == "__main__":
    main()
