"""Chat-like messages for the benchmarks: ordinary chatter with a share of real IAM errors.

Deterministic for a seed. Chatter mixes English and Japanese, emoji, Slack mentions and links,
code, log lines and multi-line messages; errors are the pastes of tests/corpus/iam.jsonl and the
knowledge base's own examples.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bot.knowledge import bundled

ROOT = Path(__file__).resolve().parent.parent

_SUBJECTS = [
    "the deploy",
    "staging",
    "prod",
    "the nightly build",
    "our terraform plan",
    "the lambda",
    "CI",
    "the new cluster",
]
_VERBS = [
    "is green again",
    "failed twice",
    "looks slow",
    "needs a review",
    "is rolling out",
    "got reverted",
    "is flaky",
]
_TAILS = [
    "can someone take a look?",
    "thanks!",
    ":eyes:",
    "see <https://github.com/acme/app/pull/4211|#4211>",
    "cc <@U024BE7LH>",
    "ETA 10 min",
    "I'll check after lunch",
    "ロールの権限を確認しました、問題なさそうです",
    "デプロイ完了しました :tada:",
    "retrying with --force",
]
_BLOCKS = [
    "```\n$ terraform plan\nNo changes. Your infrastructure matches the configuration.\n```",
    "2026-11-29T10:02:11Z INFO request id=8f2c status=200 latency=12ms\n2026-11-29T10:02:12Z WARN slow query 812ms",
    "Traceback (most recent call last):\n  File \"app.py\", line 12, in <module>\n    main()\nKeyError: 'user_id'",
    "error: failed to push some refs to 'github.com:acme/app.git'",
    "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree",
]


def chatter(rng: random.Random) -> str:
    """One ordinary message: a sentence, sometimes with a code block or log lines."""
    text = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)}, {rng.choice(_TAILS)}"
    if rng.random() < 0.2:
        text += "\n" + rng.choice(_BLOCKS)
    return text


def errors() -> list[str]:
    """Real error pastes: the corpus and every positive example of the knowledge base."""
    corpus = ROOT / "tests" / "corpus" / "iam.jsonl"
    pastes = [
        json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    pastes += [e.text for c in bundled().causes if not c.asked_only for e in c.examples.match]
    return pastes


def messages(count: int = 20_000, error_share: float = 0.05, seed: int = 7) -> list[tuple[str, bool]]:
    """(text, is_error) pairs: `error_share` of them real error pastes, the rest chatter."""
    rng = random.Random(seed)
    pool = errors()
    return [
        (rng.choice(pool), True) if rng.random() < error_share else (chatter(rng), False)
        for _ in range(count)
    ]
