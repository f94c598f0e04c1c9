"""Every example in the knowledge base is a test; the lint over the whole base is one more."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import re2
import yaml

import bot
from bot.diagnosis import compile_matcher, diagnose
from bot.knowledge import Cause, KnowledgeBase, KnowledgeError, bundled, load
from bot.lint import lint

CAUSES = bundled().causes
POSITIVES = [(c, n, e) for c in CAUSES for n, e in enumerate(c.examples.match, 1)]
KB_DIR = Path(bot.__file__).parent / "kb"
NEGATIVES = [(c, n, t) for c in CAUSES for n, t in enumerate(c.examples.no_match, 1)]


@pytest.mark.parametrize(("cause", "number", "example"), POSITIVES, ids=lambda v: getattr(v, "id", str(v)))
def test_positive_example_is_diagnosed_with_its_entities(cause: Cause, number: int, example: object) -> None:
    triage = diagnose(example.text, asked=example.asked or cause.asked_only)  # type: ignore[attr-defined]
    assert triage.primary is not None, "nothing diagnosed"
    assert triage.primary.cause.id == cause.id
    assert triage.primary.entities == example.entities  # type: ignore[attr-defined]


@pytest.mark.parametrize(("cause", "number", "text"), NEGATIVES, ids=lambda v: getattr(v, "id", str(v)))
def test_negative_example_is_not_this_cause(cause: Cause, number: int, text: str) -> None:
    for asked in (False, True):
        assert cause.id not in [d.cause.id for d in diagnose(text, asked=asked).diagnoses]


def test_the_bundled_knowledge_base_is_clean(kb: KnowledgeBase) -> None:
    assert lint(kb) == []


def test_every_seed_cause_is_present(kb: KnowledgeBase) -> None:
    seed = {
        "assume-role-denied",
        "service-linked-role-appeared",
        "service-linked-role-protected",
        "passrole-denied",
        "duration-exceeds-max",
        "role-chaining-limit",
        "switch-role-invalid",
        "default-policy-version",
        "session-policy-denied",
    }
    assert seed <= {c.id for c in kb.causes}


def test_each_cause_has_a_reply_in_both_languages_and_a_wrapped_example(kb: KnowledgeBase) -> None:
    wrappers = ("An error occurred", "│", "Traceback", "Exception", "Error:", "```", "api error")
    for cause in kb.causes:
        assert all(step.en.strip() and step.ja.strip() for step in cause.steps), cause.id
        if not cause.asked_only:
            assert any(any(w in e.text for w in wrappers) for e in cause.examples.match), cause.id


def _write_kb(directory: Path, *causes: dict[str, Any]) -> KnowledgeBase:
    (directory / "causes").mkdir(exist_ok=True)
    for name in ("fragments.yaml", "messages.yaml"):
        shutil.copy(KB_DIR / name, directory / name)
    for cause in causes:
        (directory / "causes" / f"{cause['id']}.yaml").write_text(yaml.safe_dump(cause, allow_unicode=True))
    return load(directory)


def test_lint_names_a_pattern_re2_refuses_and_a_badly_written_group(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    cause = kb.cause("passrole-denied").model_dump(exclude_none=True)
    cause["patterns"].append({"regex": "x(?=z)", "confidence": 0.9})
    cause["patterns"].append({"regex": "(?P<role_arn>x)|(?P<role_arn>y)", "confidence": 0.9})
    cause["patterns"].append({"regex": "Access(Denied|Forbidden)", "confidence": 0.9})
    cause["patterns"].append({"regex": "[A-Z]+:\\s*\\d+", "confidence": 0.9})
    problems = lint(_write_kb(tmp_path, cause))
    assert any("RE2 cannot compile" in p for p in problems)
    assert any("'role_arn' appears twice" in p for p in problems)
    assert any("unnamed capturing group" in p for p in problems)
    assert any("every message runs it" in p for p in problems)


def test_lint_names_a_template_value_the_cause_never_extracts(tmp_path: Path, kb: KnowledgeBase) -> None:
    cause = kb.cause("passrole-denied").model_dump(exclude_none=True)
    cause["steps"][0]["en"] = "Grant it on {policy_arn}."
    assert any("{policy_arn}" in p for p in lint(_write_kb(tmp_path, cause)))


def test_lint_names_an_example_that_fails(tmp_path: Path, kb: KnowledgeBase) -> None:
    cause = kb.cause("passrole-denied").model_dump(exclude_none=True)
    cause["examples"]["match"][0]["entities"]["operation"] = "RunInstances"
    cause["examples"]["no_match"][0] = cause["examples"]["match"][1]["text"]
    problems = lint(_write_kb(tmp_path, cause))
    assert any("positive example 1 gives entities" in p for p in problems)
    assert any("negative example 1 is diagnosed" in p for p in problems)


def test_loading_refuses_a_cause_that_breaks_the_schema(tmp_path: Path, kb: KnowledgeBase) -> None:
    cause = kb.cause("passrole-denied").model_dump(exclude_none=True)
    del cause["title"]["ja"]
    with pytest.raises(KnowledgeError, match=r"passrole-denied\.yaml"):
        _write_kb(tmp_path, cause)


def test_of_causes_sharing_a_weak_pattern_the_first_that_holds_asks_its_question(tmp_path: Path) -> None:
    # Three question causes share one weak pattern; the first is ruled out. The next in the
    # knowledge base's order asks, whatever the levels of those after it.
    template = yaml.safe_load((KB_DIR / "causes" / "switch-role-invalid.yaml").read_text(encoding="utf-8"))
    causes = [
        dict(
            template,
            id=name,
            level=level,
            unless=unless,
            question={"en": f"Question of {name}?", "ja": f"{name} の質問ですか。"},
            patterns=[{"regex": r"zorblax\s+failure", "confidence": 0.5}],
        )
        for name, level, unless in (("a-first", 1, [r"nope\s+here"]), ("b-second", 2, []), ("c-third", 1, []))
    ]
    matcher = compile_matcher(_write_kb(tmp_path, *causes))
    triage = diagnose("zorblax failure, nope here", asked=True, lang="en", matcher=matcher)
    assert (triage.diagnoses, triage.question) == ([], "Question of b-second?")


def test_lint_names_a_shape_tested_for_more_than_presence_and_a_principal_no_shape_stands_for(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    cause = kb.cause("service-cannot-assume-role").model_dump(exclude_none=True)
    cause["steps"][1]["when"] = {"_lambda": "!Lambda"}
    cause["steps"][2]["when"] = {"_ecs_task": "!."}  # "not this shape" is a presence test too
    cause["principals"]["_nowhere"] = "lambda.amazonaws.com"
    cause["principals"]["_lambda"] = "Lambda"
    problems = lint(_write_kb(tmp_path, cause))
    assert any(
        "condition on '_lambda': a shape or a command is tested for presence only" in p for p in problems
    )
    assert not any("'_ecs_task'" in p for p in problems)
    assert any("principals names '_nowhere'" in p for p in problems)
    assert any("'Lambda', not a service principal" in p for p in problems)


def test_a_shared_script_is_written_into_each_command_that_names_it(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    scripts = load().shared.scripts
    for cause_id in ("service-cannot-assume-role", "eks-node-role-invalid"):
        runs = [run for command in kb.cause(cause_id).commands for run in command.run]
        assert sum(scripts["ADD_SERVICE_TRUST"] in run for run in runs) == 2, cause_id
        assert not any("{{" in run for run in runs), cause_id
    cause = kb.cause("delete-conflict").model_dump(exclude_none=True)
    cause["commands"][0]["run"] = ["arn=x; {{NO_SUCH_SCRIPT}}"]
    with pytest.raises(KnowledgeError, match=r"unknown script \{\{NO_SUCH_SCRIPT\}\}"):
        _write_kb(tmp_path, cause)


def test_a_reference_with_a_condition_is_checked_and_one_without_is_required(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    cause = kb.cause("service-cannot-assume-role").model_dump(exclude_none=True)
    cause["references"][3]["when"] = {"_no_such_shape": "."}
    problems = lint(_write_kb(tmp_path, cause))
    assert any("condition on '_no_such_shape', which this cause never extracts" in p for p in problems)
    for reference in cause["references"]:
        reference["when"] = {"_lambda": "."}
    with pytest.raises(KnowledgeError, match="every reference has a condition"):
        _write_kb(tmp_path, cause)


def test_lint_names_a_step_standing_alone_without_a_condition(tmp_path: Path, kb: KnowledgeBase) -> None:
    cause = kb.cause("assume-role-denied").model_dump(exclude_none=True)
    cause["steps"][2]["alone"] = True
    cause["steps"][2]["when"] = {}
    problems = lint(_write_kb(tmp_path, cause))
    assert any("a step standing alone has no condition" in p for p in problems)


def test_lint_names_a_denying_layer_the_replies_cannot_say_who_owns(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    _write_kb(tmp_path, kb.cause("scp-denied").model_dump(exclude_none=True))
    messages = yaml.safe_load((tmp_path / "messages.yaml").read_text())
    del messages["layer_owner"]["scp"]
    (tmp_path / "messages.yaml").write_text(yaml.safe_dump(messages, allow_unicode=True))
    problems = lint(load(tmp_path))
    assert "messages: layer 'scp' has no owner (layer_owner)" in problems


def test_lint_names_a_command_pointed_to_by_its_place_or_an_id_no_command_has(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    cause = kb.cause("policy-version-limit").model_dump(exclude_none=True)
    cause["steps"][0]["en"] = "List the versions (second command)."
    cause["steps"][1]["ja"] = "古いバージョンを削除します ({#nothing}のコマンド)。"
    cause["steps"][2]["when"] = {"#versions": "^first$"}
    cause["title"]["en"] = "Too many versions ({#versions} command)"
    cause["commands"][1]["id"] = cause["commands"][0]["id"]
    problems = lint(_write_kb(tmp_path, cause))
    assert any("'second command' points to a command by its place" in p for p in problems)
    assert any("{#nothing}" in p for p in problems)
    assert any("condition on '#versions'" in p for p in problems)
    assert any("{#versions}" in p for p in problems)  # a title shows no commands
    assert any("two commands under one condition share an id" in p for p in problems)


@pytest.mark.parametrize(
    ("host", "not_aws"),
    [
        ("s3.amazonaws.com", False),
        ("bucket.s3.eu-west-1.amazonaws.com", False),
        ("bucket.vpce-1a2b3c.s3.us-east-1.vpce.amazonaws.com", False),
        ("s3.cn-north-1.amazonaws.com.cn", False),
        ("s3.dualstack.us-east-1.api.aws", False),
        ("S3.AMAZONAWS.COM", False),
        ("abc.lambda-url.us-east-1.on.aws", False),
        ("s3.cn-north-1.api.amazonwebservices.com.cn", False),
        ("s3.us-iso-east-1.c2s.ic.gov", False),
        ("s3.eusc-de-east-1.amazonaws.eu", False),
        ("s3.amazonaws.com.evil.io", True),
        ("evil-amazonaws.com", True),
        ("s3.xyz.com", True),
        ("minioapi.mydomain.xyz", True),
        ("localhost", True),
        ("127.0.0.1", True),
        ("amazonaws.co", True),
        ("mazonaws.com", True),
        ("amazonawsx.com", True),
        ("storage.example.com.cn", True),
        ("my.aws", True),
    ],
)
def test_a_host_is_told_from_aws_s_own(kb: KnowledgeBase, host: str, not_aws: bool) -> None:
    assert bool(re2.fullmatch(f"(?i:{kb.expand('{{NOT_AWS_HOST}}')})", host)) is not_aws
