"""Print the knowledge base's figures on the committed corpus: per cause, totals, every miss.

python benchmarks/corpus_report.py [CORPUS_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.corpus import evaluate

if __name__ == "__main__":
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "tests" / "corpus"
    print("Real pastes (iam.jsonl)")
    print(evaluate(directory).report())
    print("\nConstructed from AWS's documented texts (iam_constructed.jsonl)")
    print(evaluate(directory, "iam_constructed.jsonl").report())
