"""Checks over the knowledge base itself: `iamrole-bot kb lint`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.advice import PLACEHOLDER, placeholders
from bot.diagnosis import candidates, compile_matcher, diagnose, prepare
from bot.entities import DENY_CAPTURES
from bot.knowledge import CONFIDENT, Cause, KnowledgeBase, KnowledgeError
from bot.literals import ALWAYS, need
from bot.matcher import Matcher, compile_regex, finder
from bot.values import DERIVED_FROM

_GROUP = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
# Counted repetitions multiply the states of RE2's automaton: past this count a search slows many times over.
_MAX_COUNT = 64
_COUNT = re.compile(r"(?<!\\)\{(\d*),?(\d*)\}")
_PRINCIPAL = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?")
# Values the entity builder derives for every cause that captures an ARN.
_ALWAYS_DERIVED = {"account_id"}


def _pattern_problems(kb: KnowledgeBase) -> Iterator[str]:
    sources = [(c.id, p.regex) for c in kb.causes for p in c.patterns]
    sources += [(c.id, r) for c in kb.causes for r in c.unless]
    sources += [(f"context {name}", p) for name, rule in kb.shared.context.items() for p in rule.patterns]
    for owner, regex in sources:
        try:
            expanded = kb.expand(regex)
            compile_regex(expanded)
            plain = finder(expanded.encode())
        except KnowledgeError as exc:
            yield f"{owner}: {exc}"
            continue
        counts = [int(n) for pair in _COUNT.findall(regex) for n in pair if n]
        if counts and max(counts) > _MAX_COUNT:
            yield f"{owner}: a counted repetition of {max(counts)} (at most {_MAX_COUNT}; use * or lines)"
        if need(expanded) == ALWAYS:
            yield f"{owner}: no literal phrase every match holds, so every message runs it (spell one out)"
        if plain.groups:
            yield f"{owner}: an unnamed capturing group (group with (?:...), capture with (?P<name>...))"
        names = _GROUP.findall(expanded)
        for name in sorted({n for n in names if names.count(n) > 1}):
            yield f"{owner}: capture group {name!r} appears twice (name alternatives {name}__2, ...)"
        for name in sorted({n.split("__", 1)[0] for n in names}):
            if not PLACEHOLDER.fullmatch(f"{{{name}}}"):  # every value can be named in a template
                yield f"{owner}: capture group {name!r}: a value is named in lower case letters and _"


def _captured(cause: Cause, matcher: Matcher) -> set[str]:
    """Every name a cause's patterns and context rules capture, hidden ones (`_name`) included."""
    names = matcher.pattern_groups(cause)
    for rule in cause.context:
        names |= matcher.context_groups(rule)
    return names


def extracted(cause: Cause, matcher: Matcher) -> set[str]:
    """Every value a cause can fill its templates with."""
    names = {name for name in _captured(cause, matcher) if not name.startswith("_")}
    if names & DENY_CAPTURES:
        names = (names - DENY_CAPTURES) | {"deny"}
    names |= _ALWAYS_DERIVED
    if cause.principals:  # a shape standing for a principal gives it
        names.add("service_principal")
    return names | {key for key, sources in DERIVED_FROM.items() if sources & names}


# A command pointed to by its place in words, which another reply's commands would shift: {#id}
# says it (bot.advice).
_PLACE_IN_WORDS = re.compile(
    r"(?i:\b(?:first|second|third|fourth|fifth|sixth|seventh|last)\s+(?:two\s+|three\s+)?commands?\b"
    r"|\b(?:second|third|fourth|fifth|last)\s+(?:one\s+)?(?:runs|prints|shows|lists)\b)"
    r"|(?:最初|最後|\d\s?(?:つ|番)目)(?:と[^。]{0,12})?(?:のコマンド|が|で)|最初の\s?\d\s?つの?コマンド"
)


def _command_problems(cause: Cause) -> Iterator[str]:
    # Commands sharing an id are for different cases: never under one condition.
    cases = [(command.id, repr(sorted(command.when.items()))) for command in cause.commands if command.id]
    if len(cases) != len(set(cases)):
        yield f"{cause.id}: two commands under one condition share an id"
    texts = [t for step in cause.steps for t in (step.en, step.ja)]
    texts += [t for command in cause.commands for t in (command.label.en, command.label.ja)]
    for text in texts:
        found = _PLACE_IN_WORDS.search(text)
        if found:
            yield f"{cause.id}: {found[0]!r} points to a command by its place: name it {{#id}}"


def _template_problems(cause: Cause, matcher: Matcher) -> Iterator[str]:
    known = extracted(cause, matcher)
    pointers = {f"#{c.id}" for c in cause.commands if c.id}
    templates = [cause.title.en, cause.title.ja, cause.summary.en, cause.summary.ja]
    templates += [cause.explanation.en, cause.explanation.ja, *cause.policy]
    templates += [run for command in cause.commands for run in command.run]
    templates += [text for command in cause.commands for text in (command.label.en, command.label.ja)]
    # Steps may also point to a command by its id (a label cannot: the command it names may be hidden).
    pointing = [s.en for s in cause.steps] + [s.ja for s in cause.steps]
    for template, may_point in [(t, False) for t in templates] + [(t, True) for t in pointing]:
        if re.search(r"\{#?[a-z_]+\|[^{}]*\{", template):
            yield f"{cause.id}: a fallback holds another placeholder (not supported): {template[:60]!r}"
        for name in placeholders(template):
            if name.startswith("#") and not may_point:
                yield f"{cause.id}: {{{name}}} outside a step: only steps point to commands"
            elif name not in (known | pointers):
                yield f"{cause.id}: template names {{{name}}}, which this cause never extracts"
    # Steps and commands may also hang on a hidden capture: which shape of the error matched.
    hidden = {name for name in _captured(cause, matcher) if name.startswith("_")}
    # Steps may also hang on whether a command is shown.
    others = [c.when for c in cause.commands] + [cause.policy_when] + [r.when for r in cause.references]
    conditions = [(cause.requires, known)] + [(step.when, known | hidden | pointers) for step in cause.steps]
    conditions += [(condition, known | hidden) for condition in others]
    for condition, names in conditions:
        for name, regex in condition.items():
            if name.startswith(("_", "#")) and regex not in (".", "!."):
                yield f"{cause.id}: condition on {name!r}: a shape or a command is tested for presence only ('.' or '!.')"
            if name not in names:
                yield f"{cause.id}: condition on {name!r}, which this cause never extracts"
            try:
                compile_regex(regex.removeprefix("!"))
            except KnowledgeError as exc:
                yield f"{cause.id}: condition on {name!r}: {exc}"
    if any(step.alone and not step.when for step in cause.steps):
        yield f"{cause.id}: a step standing alone has no condition: it would be every reply's only step"
    for shape, principal in cause.principals.items():
        if shape not in hidden:
            yield f"{cause.id}: principals names {shape!r}, a shape no pattern captures"
        if not _PRINCIPAL.fullmatch(principal):
            yield f"{cause.id}: principals gives {shape!r} {principal!r}, not a service principal"
    for command in cause.commands:
        for run in command.run:
            if any(m.group(2) is not None for m in PLACEHOLDER.finditer(run)):
                yield f"{cause.id}: command {run[:60]!r} has a fallback; add an alternative that looks it up"
    for rule in cause.context:
        if rule not in matcher.kb.shared.context:
            yield f"{cause.id}: unknown context rule {rule!r}"


def _example_problems(cause: Cause, matcher: Matcher) -> Iterator[str]:
    for number, example in enumerate(cause.examples.match, 1):
        triage = diagnose(example.text, asked=example.asked or cause.asked_only, matcher=matcher)
        primary = triage.primary
        if primary is None or primary.cause.id != cause.id:
            got = primary.cause.id if primary else "nothing"
            yield f"{cause.id}: positive example {number} is diagnosed as {got}"
            continue
        if primary.entities != example.entities:
            yield f"{cause.id}: positive example {number} gives entities {primary.entities}"
        rivals = {
            d.cause.id
            for d in candidates(matcher, prepare(example.text)[0])
            if d.cause.id != cause.id and d.cause.level == cause.level and d.confidence >= CONFIDENT
        }
        if rivals:
            yield f"{cause.id}: positive example {number} is also matched by {', '.join(sorted(rivals))}"
    for number, text in enumerate(cause.examples.no_match, 1):
        triage = diagnose(text, asked=True, matcher=matcher)
        if any(d.cause.id == cause.id for d in triage.diagnoses):
            yield f"{cause.id}: negative example {number} is diagnosed as this cause"


def _message_problems(kb: KnowledgeBase) -> Iterator[str]:
    """A denying layer the replies cannot name, or cannot say who owns."""
    messages = kb.messages
    for layer in sorted(set(kb.shared.deny_layers.values())):
        if layer not in messages.layer:
            yield f"messages: layer {layer!r} has no words (layer)"
        if layer not in messages.layer_owner:
            yield f"messages: layer {layer!r} has no owner (layer_owner)"
    for cause in kb.causes:
        for key in sorted(cause.entity_labels.keys() - messages.entity.keys()):
            yield f"{cause.id}: entity_labels names {key!r}, which what failed never shows"


def lint(kb: KnowledgeBase) -> list[str]:
    """Every problem found in the knowledge base; empty when it is clean."""
    problems = [*_message_problems(kb), *_pattern_problems(kb)]
    if problems:
        return problems
    matcher = compile_matcher(kb)
    for cause in kb.causes:
        problems += _template_problems(cause, matcher)
        problems += _command_problems(cause)
        problems += _example_problems(cause, matcher)
    return problems
