"""The diagnosis as plain text for a terminal."""

from __future__ import annotations

import textwrap

from bot.advice import Advice
from bot.diagnosis import Triage
from bot.knowledge import KnowledgeBase
from bot.render import advices, deny_notes, facts, secrets_note

_WIDTH = 100


def _wrap(text: str, indent: str = "") -> list[str]:
    wrapped = textwrap.wrap(
        text,
        _WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or [indent]


def _advice(advice: Advice, kb: KnowledgeBase) -> list[str]:
    m = kb.messages
    lang = advice.lang
    lines = [f"{advice.title}  [{advice.cause.id}, {m.confidence(lang)} {advice.confidence:.2f}]", ""]
    rows = facts(advice, m)
    if rows:
        lines.append(f"{m.what_failed(lang)}:")
        width = max(len(row.label) for row in rows)
        lines += [f"  {row.label.ljust(width)}  {row.value}" for row in rows]
        lines.append("")
    lines.append(f"{m.likely_cause(lang)}:")
    lines += _wrap(advice.summary, "  ")
    lines.append("")
    lines += _wrap(advice.explanation, "  ")
    for note in deny_notes(advice, m):
        lines += _wrap(note, "  ")
    lines += ["", f"{m.steps(lang)}:"]
    for number, step in enumerate(advice.steps, 1):
        wrapped = _wrap(step, "     ")
        wrapped[0] = f"  {number}. {wrapped[0].lstrip()}"
        lines += wrapped
    if advice.commands:
        lines += ["", f"{m.commands(lang)}:"]
        for command in advice.commands:
            lines += [f"  # {command.label}", f"  {command.run}"]
    if advice.policy:
        lines += ["", f"{m.policy(lang)}:"]
        lines += [f"  {line}" for line in advice.policy.splitlines()]
    lines += ["", f"{m.references(lang)}:"]
    lines += [f"  {url}" for url in advice.references]
    return lines


def render(triage: Triage, kb: KnowledgeBase) -> str:
    """Every diagnosis in full, the primary first; the question or a 'nothing found' line otherwise."""
    blocks: list[list[str]] = []
    note = secrets_note(triage.secrets_seen, triage.lang, kb.messages)
    if note:
        blocks.append(_wrap("!! " + note))
    blocks += [_advice(a, kb) for a in advices(triage, kb)]
    if not triage.diagnoses:
        blocks.append([triage.question or kb.messages.no_diagnosis(triage.lang)])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
