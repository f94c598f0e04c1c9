"""Instructions per diagnosed message, counted by valgrind's callgrind: a figure that, unlike time,
does not move with a busy machine's neighbours. Use it to tell whether a change does less work.

    python benchmarks/instructions.py [--chatter 2000] [--errors 300]

Each kind is run twice under callgrind, reading the same messages after the same warm-up, once
without and once with the measured ones; the difference divided by their number is the figure.
Needs valgrind on the PATH; takes a few minutes.

The figure repeats exactly for one tree in one place. Two checkouts of the same code can still
differ by a few thousand instructions a chat message: CPython's attribute cache is keyed by
object addresses, which move with everything else in the process. Tell changes apart with
compare.py as well.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

WARM_UP = 2000


def _work(kind: str, count: int) -> None:
    """The measured program: warm up on the messages, then diagnose `count` of them again."""
    from messages import messages

    from bot.diagnosis import diagnose
    from bot.service import settle

    texts = [text for text, is_error in messages() if is_error == (kind == "errors")]
    for text in texts[:WARM_UP]:
        diagnose(text)
    # Every object so far set aside, as the bot does once it is up: a full collection walks them
    # all (tens of millions of instructions), and where one fell, before or among the measured
    # messages, would decide the figure.
    settle()
    # And no collection among the measured ones: where one falls moves the figure by a fifth for
    # error pastes (a full one walks everything they left), which hides the work itself.
    gc.disable()
    for text in texts[:count]:
        diagnose(text)


def _instructions(kind: str, count: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--work",
        kind,
        str(count),
    ]
    environment = os.environ | {"PYTHONHASHSEED": "0"}
    run = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chatter", type=int, default=2000)
    parser.add_argument("--errors", type=int, default=300)
    parser.add_argument("--work", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.work:
        _work(args.work[0], int(args.work[1]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    for kind, count in (("chatter", args.chatter), ("errors", args.errors)):
        per_message = (_instructions(kind, count) - _instructions(kind, 0)) / count
        print(f"{kind:8} {per_message:12,.0f} instructions per message ({count} messages)")


if __name__ == "__main__":
    main()
