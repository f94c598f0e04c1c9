"""The knowledge base: one YAML file per cause under bot/kb/causes, validated when loaded.

A cause file carries everything about one documented cause: how to recognise it (patterns), what the
reply says in English and Japanese, the commands and policy statement to offer, references, and
its own examples. Shared pieces of pattern, and of shell in commands, live in bot/kb/fragments.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.hosts import not_under

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")
CAUSE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRAGMENT_REF = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")
# Passive mode reports only matches at least this confident; weaker ones become questions when asked.
CONFIDENT = 0.7


class KnowledgeError(Exception):
    """The knowledge base cannot be loaded: a file is malformed or breaks the schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A sentence in each language the bot speaks."""

    en: Annotated[str, Field(min_length=1)]
    ja: Annotated[str, Field(min_length=1)]

    def __call__(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.ja


class Pattern(_Strict):
    """A regular expression (RE2 syntax, {{FRAGMENT}} references allowed) and how sure a match is."""

    regex: str
    confidence: Annotated[float, Field(gt=0, le=1)] = 0.95


class _Conditional(_Strict):
    """A part of a reply shown only where its condition holds: each value `when` names matches its
    RE2 expression (an expression after `!`: where the value is absent or does not match; '!.':
    absent). No condition: shown in every reply."""

    when: dict[str, str] = Field(default_factory=dict)


class Step(Text, _Conditional):
    """A fix step. With `alone`, where it applies it is the reply's only step: the others assume
    what it rules out."""

    alone: bool = False


class Command(_Conditional):
    """A shell command: the first alternative whose placeholders are all known is offered. With an
    `id`, steps point to it as {#id}, and their conditions test whether it is shown.
    Commands for different cases (one per kind of resource) may share an id: the pointer names the
    first of them shown (the lint refuses a shared id only under conditions written alike)."""

    id: Annotated[str, Field(pattern="^[a-z_]+$")] | None = None
    label: Text
    run: Annotated[list[str], Field(min_length=1)]


class Reference(_Conditional):
    """A page the reply links to: a service's own guide, say, only under that service's error. A
    plain URL stands for a reference linked under every reply."""

    url: str

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return {"url": value} if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"reference {value!r} is not an https URL")
        return value


class Example(_Strict):
    """A text that must be diagnosed as this cause (primary), with exactly these entities."""

    text: str
    entities: dict[str, Any] = Field(default_factory=dict)
    asked: bool = False
    source: str | None = None


class Examples(_Strict):
    match: Annotated[list[Example], Field(min_length=3)]
    no_match: Annotated[list[str], Field(min_length=2)]


class Cause(_Strict):
    """One documented cause of an IAM/STS error, and the reply that fixes it."""

    id: str
    level: Literal[1, 2, 3]
    asked_only: bool = False
    title: Text
    summary: Text
    explanation: Text
    question: Text | None = None
    patterns: Annotated[list[Pattern], Field(min_length=1)]
    context: list[str] = Field(default_factory=list)
    # A match counts only where these values (entities or derived) match their RE2 expressions (as
    # a Step's `when`): how one shared pattern, such as the AccessDenied sentence, serves a cause per
    # denying layer.
    requires: dict[str, str] = Field(default_factory=dict)
    # RE2 expressions that, found anywhere in the paste, rule the cause out (e.g. "Server: MinIO"
    # for an S3-shaped AccessDenied that did not come from AWS).
    unless: list[str] = Field(default_factory=list)
    steps: Annotated[list[Step], Field(min_length=1)]
    commands: list[Command] = Field(default_factory=list)
    policy: list[str] = Field(default_factory=list)
    # When the policy statement applies (as a step's `when`): an Allow does not lift an explicit deny.
    policy_when: dict[str, str] = Field(default_factory=dict)
    # The service principal each hidden shape stands for, where the message names its service only
    # in words ("cannot be assumed by Lambda"): templates see it as `service_principal` when the
    # message names no principal itself.
    principals: dict[str, str] = Field(default_factory=dict)
    references: Annotated[list[Reference], Field(min_length=1)]
    examples: Examples
    # What failed's labels where this cause reads a value otherwise (the principal in a policy,
    # not the role in question): by entity key, over messages.yaml's.
    entity_labels: dict[str, Text] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _kebab(cls, value: str) -> str:
        if not CAUSE_ID.match(value):
            raise ValueError(f"cause id {value!r} is not kebab-case")
        return value

    @field_validator("references")
    @classmethod
    def _one_for_every_reply(cls, value: list[Reference]) -> list[Reference]:
        if all(reference.when for reference in value):
            raise ValueError("every reference has a condition: a reply may have none")
        return value

    @property
    def conditions(self) -> list[dict[str, str]]:
        """What each part of the reply hangs on: its steps', its commands', its policy
        statement's and its references' conditions."""
        return (
            [s.when for s in self.steps]
            + [c.when for c in self.commands]
            + [self.policy_when]
            + [r.when for r in self.references]
        )

    @property
    def shapes(self) -> frozenset[str]:
        """The hidden values (`_name`) the reply hangs on, those its conditions test and those
        standing for a principal: which shape of the error matched. Only their presence counts."""
        tested = {name for condition in self.conditions for name in condition if name.startswith("_")}
        return frozenset(tested | self.principals.keys())

    def principal(self, hidden: Mapping[str, str]) -> str | None:
        """The service principal the first shape of the error read (`hidden`) stands for, if any."""
        return next((self.principals[shape] for shape in self.principals if shape in hidden), None)

    @property
    def rank(self) -> int:
        """Precedence among causes matching one place: the level; question-type causes after
        every error."""
        return self.level + (10 if self.asked_only else 0)

    @model_validator(mode="after")
    def _weak_needs_question(self) -> Cause:
        if any(p.confidence < CONFIDENT for p in self.patterns) and self.question is None:
            raise ValueError("a cause with weak patterns needs a clarifying question")
        return self


class ContextRule(_Strict):
    """Where to look, around a match, for values the error sentence itself does not carry."""

    look: Literal["before", "after", "around"]
    window: Annotated[int, Field(gt=0, le=2000)] = 600
    patterns: Annotated[list[str], Field(min_length=1)]
    # Looking before: the nearest hit counts only if it reaches the match's own line (a command line
    # read up to the error it caused, never an earlier command's).
    to_hit: bool = False

    @model_validator(mode="after")
    def _to_hit_before(self) -> ContextRule:
        if self.to_hit and self.look != "before":
            raise ValueError("to_hit applies to a rule that looks before")
        return self


class Fragments(_Strict):
    fragments: dict[str, str]
    context: dict[str, ContextRule]
    deny_layers: dict[str, str]
    passed_to_service: dict[str, str]
    # Shell pieces commands share, as {{NAME}} in a command's `run` (written in place on loading).
    scripts: dict[str, str] = Field(default_factory=dict)
    # AWS's own domains: the fragment NOT_AWS_HOST, a host under none of them, is made from them.
    aws_domains: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_aws_host(self) -> Fragments:
        if self.aws_domains:
            self.fragments["NOT_AWS_HOST"] = not_under(self.aws_domains)
        return self


class Messages(_Strict):
    """The words around every reply (headings, labels), from bot/kb/messages.yaml."""

    what_failed: Text
    likely_cause: Text
    steps: Text
    commands: Text
    policy: Text
    references: Text
    confidence: Text
    also_found: Text
    more: Text
    more_commands: Text
    no_diagnosis: Text
    one_layer_only: Text
    layer_owner: dict[str, Text]
    explicit_overrides: Text
    secrets_seen: Text
    entity: dict[str, Text]
    deny_kind: dict[str, Text]
    layer: dict[str, Text]


class KnowledgeBase(BaseModel):
    """All causes, in file-name order, and the shared fragments."""

    model_config = ConfigDict(frozen=True)

    causes: tuple[Cause, ...]
    shared: Fragments
    messages: Messages

    def cause(self, cause_id: str) -> Cause:
        for cause in self.causes:
            if cause.id == cause_id:
                return cause
        raise KeyError(cause_id)

    def expand(self, regex: str) -> str:
        """Replace every {{NAME}} reference with its fragment (fragments may nest)."""
        for _ in range(5):
            if not FRAGMENT_REF.search(regex):
                return regex
            regex = FRAGMENT_REF.sub(lambda m: self._fragment(m.group(1)), regex)
        raise KnowledgeError(f"fragments nest too deeply in {regex[:80]!r}")

    def _fragment(self, name: str) -> str:
        try:
            return "(?:" + self.shared.fragments[name] + ")"
        except KeyError:
            raise KnowledgeError(f"unknown fragment {{{{{name}}}}}") from None


def _read_yaml(path: Path | Any) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from None


def _with_scripts(raw: Any, scripts: Mapping[str, str]) -> Any:
    """A cause as read, with every {{NAME}} in its commands' `run` replaced by the shared script."""

    def script(match: re.Match[str]) -> str:
        try:
            return scripts[match.group(1)]
        except KeyError:
            raise KnowledgeError(f"unknown script {{{{{match.group(1)}}}}}") from None

    for command in raw.get("commands", []) if isinstance(raw, dict) else []:
        if isinstance(command, dict) and isinstance(command.get("run"), list):
            command["run"] = [
                FRAGMENT_REF.sub(script, run) if isinstance(run, str) else run for run in command["run"]
            ]
    return raw


def load(directory: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the bundled one unless `directory` is given)."""
    root: Any = directory if directory is not None else resources.files("bot") / "kb"
    try:
        shared = Fragments.model_validate(_read_yaml(root / "fragments.yaml"))
        messages = Messages.model_validate(_read_yaml(root / "messages.yaml"))
    except ValidationError as exc:
        raise KnowledgeError(str(exc)) from None
    causes: list[Cause] = []
    problems: list[str] = []
    files = sorted((p for p in (root / "causes").iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    for path in files:
        try:
            cause = Cause.model_validate(_with_scripts(_read_yaml(path), shared.scripts))
        except (ValidationError, KnowledgeError) as exc:
            problems.append(f"causes/{path.name}: {exc}")
            continue
        if path.name != f"{cause.id}.yaml":
            problems.append(f"causes/{path.name}: file name must be {cause.id}.yaml")
        if any(c.id == cause.id for c in causes):
            problems.append(f"causes/{path.name}: duplicate cause id {cause.id}")
        causes.append(cause)
    if problems:
        raise KnowledgeError("\n".join(problems))
    return KnowledgeBase(causes=tuple(causes), shared=shared, messages=messages)


@cache
def bundled() -> KnowledgeBase:
    """The knowledge base shipped with the package, loaded once."""
    return load()
