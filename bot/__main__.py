"""The `iamrole-bot` command: composition root of the CLI."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any, Literal, TextIO

from bot.diagnosis import Triage, default_matcher, diagnose
from bot.knowledge import LANGS, KnowledgeError, Lang, bundled
from bot.lint import lint
from bot.render import as_json, terminal


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iamrole-bot", description="Diagnose AWS IAM role errors and say how to fix them."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    d = commands.add_parser("diagnose", help="diagnose a pasted error (TEXT, or stdin)")
    d.add_argument("text", nargs="*", metavar="TEXT", help="the pasted error; stdin when omitted")
    output = d.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the machine-readable form")
    output.add_argument("--jsonl", action="store_true", help="read JSON Lines on stdin, one result each")
    d.add_argument("--lang", choices=LANGS, help="reply language (default: Japanese if the paste is)")
    d.add_argument("--asked", action="store_true", help="asked mode: answer questions, ask when unsure")
    d.add_argument("--sample", metavar="CAUSE", help="diagnose the first bundled example of CAUSE")
    kb = commands.add_parser("kb", help="the knowledge base")
    kb.add_argument("action", choices=("lint", "list"))
    c = commands.add_parser(
        "check", help="inspect a role read-only (default AWS credential chain as the hub)"
    )
    c.add_argument("role_arn", metavar="ROLE_ARN")
    c.add_argument("--caller", metavar="ARN", help="the principal that tries to assume the role")
    c.add_argument("--duration", metavar="SECONDS", type=int, help="the session length it asks for")
    c.add_argument("--json", action="store_true", help="print the machine-readable report")
    c.add_argument("--fresh", action="store_true", help="ignore cached snapshots")
    commands.add_parser("serve", help="run the Slack app over HTTP (POST /slack/events, /healthz, /metrics)")
    commands.add_parser("socket", help="run the Slack app over Socket Mode (/healthz and /metrics on PORT)")
    return parser


def _check(args: argparse.Namespace) -> int:
    from bot.config import Settings, SettingsError
    from bot.inspect.access import Access, Unreachable
    from bot.inspect.check import BadRequest, CheckRequest, Inspector
    from bot.render import report as report_text
    from bot.store import MemoryStore

    try:
        settings = Settings.from_env(os.environ, "cli")
    except SettingsError as exc:
        print(f"iamrole-bot check: {exc}", file=sys.stderr)
        return 2
    access = Access(
        readonly_role=settings.readonly_role,
        allowed_accounts=settings.allowed_accounts,
        external_id=settings.external_id.get_secret_value() if settings.external_id else None,
    )
    request = CheckRequest(args.role_arn, args.caller, args.duration, fresh=args.fresh)
    try:
        report = asyncio.run(Inspector(access, MemoryStore()).check(request))
    except BadRequest as exc:
        print(f"iamrole-bot check: {exc}", file=sys.stderr)
        return 2
    except Unreachable as exc:
        print(f"iamrole-bot check: no report could be made: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(report_text.render(report), end="")
    return 0


def _run_app(mode: Literal["serve", "socket"]) -> int:
    from bot import service
    from bot.config import Settings, SettingsError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = Settings.from_env(os.environ, mode)
    except SettingsError as exc:
        print(f"iamrole-bot {mode}: {exc}", file=sys.stderr)
        return 2
    default_matcher()
    asyncio.run(service.serve(settings) if mode == "serve" else service.socket(settings))
    return 0


def _emit_triage(triage: Triage, as_machine: bool, out: TextIO) -> None:
    if as_machine:
        out.write(json.dumps(as_json.render(triage, bundled()), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(terminal.render(triage, bundled()))


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _json_line(value: Any) -> str:
    """One line of JSON: UTF-8 where it can be, escaped where a value holds what UTF-8 cannot
    carry (a lone surrogate, which a line may escape)."""
    line = json.dumps(value, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(value)
    return line + "\n"


def _jsonl(lang: Lang | None, asked: bool, source: TextIO, out: TextIO) -> int:
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line, parse_constant=_not_json)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be a JSON object with a string "text"')
        except (ValueError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply to read"
            out.write(_json_line({"line": number, "error": reason}))
            continue
        text = item.pop("text")
        triage = diagnose(text, asked=asked or item.get("asked") is True, lang=lang)
        try:
            answer = _json_line(item | as_json.render(triage, bundled()))
        except RecursionError:  # read, but nested too deeply to be written back
            answer = _json_line({"line": number, "error": "nested too deeply to write back"})
        out.write(answer)
    return 0


def _diagnose(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.jsonl:
        if args.text or args.sample:
            parser.error("diagnose --jsonl reads its pastes from standard input: give it no text or --sample")
        return _jsonl(args.lang, args.asked, _stdin(), sys.stdout)
    asked = args.asked
    if args.sample:
        try:
            cause = bundled().cause(args.sample)
        except KeyError:
            names = ", ".join(c.id for c in bundled().causes)
            print(f"iamrole-bot: no cause {args.sample!r}; known causes: {names}", file=sys.stderr)
            return 2
        text = cause.examples.match[0].text
        asked = asked or cause.asked_only or cause.examples.match[0].asked
    elif args.text:
        text = " ".join(args.text)
    elif sys.stdin is None or sys.stdin.isatty():
        parser.parse_args(["diagnose", "--help"])
        return 2
    else:
        text = _stdin().read()
    triage = diagnose(text, asked=asked, lang=args.lang)
    _emit_triage(triage, args.json, sys.stdout)
    return 0 if triage.diagnoses else 1


def _stdin() -> TextIO:
    """Standard input decoded as UTF-8, undecodable bytes replaced rather than fatal."""
    return open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)


def _kb(action: str) -> int:
    if action == "list":
        for cause in bundled().causes:
            mode = " (asked only)" if cause.asked_only else ""
            print(f"{cause.id:36} level {cause.level}  {cause.title.en}{mode}")
        return 0
    problems = lint(bundled())
    for problem in problems:
        print(problem)
    print(f"{len(bundled().causes)} causes, {len(problems)} problems")
    return 1 if problems else 0


# The status a shell gives a process that SIGPIPE ended (128 + 13), as `cat` or `grep` would end
# when their reader leaves: not 1, which would say that nothing was diagnosed.
_READER_LEFT = 141


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args: Any = parser.parse_args(argv)
    try:
        if args.command == "diagnose":
            default_matcher()
            return _diagnose(args, parser)
        if args.command in ("serve", "socket"):
            return _run_app(args.command)
        if args.command == "check":
            return _check(args)
        return _kb(args.action)
    except KnowledgeError as exc:
        print(f"iamrole-bot: the knowledge base is broken:\n{exc}", file=sys.stderr)
        return 1 if args.command == "kb" else 2
    except BrokenPipeError:
        # The reader left (`| head`): nothing more is read, so nothing more is written, even at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _READER_LEFT


if __name__ == "__main__":
    sys.exit(main())
