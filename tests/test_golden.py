"""Golden files: each cause's first example rendered three ways, in both languages.

Run with UPDATE_GOLDEN=1 to rewrite them after a deliberate change, then read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.diagnosis import Triage, diagnose
from bot.knowledge import Cause, KnowledgeBase, Lang, bundled
from bot.render import as_json, blocks, terminal
from tests.conftest import SESSION_NAME

GOLDEN = Path(__file__).parent / "golden"
CASES = [(c, lang) for c in bundled().causes for lang in ("en", "ja")]


def _renderings(cause: Cause, lang: Lang, kb: KnowledgeBase) -> dict[str, str]:
    example = cause.examples.match[0]
    triage = diagnose(example.text, asked=example.asked or cause.asked_only, lang=lang)
    message = blocks.render(triage, kb)
    return {
        "txt": terminal.render(triage, kb),
        "json": json.dumps(as_json.render(triage, kb), ensure_ascii=False, indent=2) + "\n",
        "blocks.json": json.dumps(
            {"text": message.text, "blocks": message.blocks}, ensure_ascii=False, indent=2
        )
        + "\n",
    }


@pytest.mark.parametrize(("cause", "lang"), CASES, ids=[f"{c.id}-{lang}" for c, lang in CASES])
def test_rendering_matches_golden_file(cause: Cause, lang: Lang, kb: KnowledgeBase) -> None:
    for suffix, rendered in _renderings(cause, lang, kb).items():
        path = GOLDEN / f"{cause.id}.{lang}.{suffix}"
        if os.environ.get("UPDATE_GOLDEN"):
            path.write_text(rendered, encoding="utf-8")
        assert path.exists(), f"missing {path.name}: run with UPDATE_GOLDEN=1"
        assert rendered == path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize(("cause", "lang"), CASES, ids=[f"{c.id}-{lang}" for c, lang in CASES])
def test_slack_message_keeps_within_limits(cause: Cause, lang: Lang, kb: KnowledgeBase) -> None:
    for detailed in (False, True):
        example = cause.examples.match[0]
        message = blocks.render(diagnose(example.text, asked=True, lang=lang), kb, detailed=detailed)
        assert message.text and len(message.blocks) <= blocks.MAX_BLOCKS
        assert len(json.dumps(message.blocks, ensure_ascii=False)) <= blocks.BUDGET_CHARS
        for block in message.blocks:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= blocks.HEADER_CHARS
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= blocks.SECTION_CHARS
            if block["type"] == "context":
                assert len(block["elements"]) <= 10


def test_detailed_message_shows_more_than_the_short_one(kb: KnowledgeBase) -> None:
    text = bundled().cause("passrole-denied").examples.match[0].text
    short = blocks.render(diagnose(text), kb)
    detailed = blocks.render(diagnose(text), kb, detailed=True)
    assert len(json.dumps(detailed.blocks)) > len(json.dumps(short.blocks))
    assert "iam:CreateServiceLinkedRole" in json.dumps(detailed.blocks)


def test_a_reply_in_japanese_counts_the_errors_it_does_not_name(kb: KnowledgeBase) -> None:
    examples = [c.examples.match[0].text for c in kb.causes if not c.asked_only][:12]
    triage = diagnose("\n".join(examples), lang="ja")
    assert len(triage.diagnoses) > 7
    also = [
        e["text"]
        for b in blocks.render(triage, kb).blocks
        for e in b.get("elements", [])
        if "他のエラー" in e.get("text", "")
    ]
    assert len(also) == 1 and also[0].endswith(f" ほか {len(triage.diagnoses) - 6} 件")
    assert len(as_json.render(triage, kb)["diagnoses"]) == len(triage.diagnoses)  # the JSON keeps all


def _fields(triage: Triage, kb: KnowledgeBase) -> list[str]:
    return [f["text"] for b in blocks.render(triage, kb).blocks for f in b.get("fields", [])]


def test_a_value_from_the_paste_shows_as_typed_in_slack(kb: KnowledgeBase) -> None:
    # STS quotes the session name it refused: free text, which Slack would read as formatting
    # (*bold*, _italic_, ~struck~) or markup (<...>, &).
    triage = diagnose(SESSION_NAME.format("*hotfix* _now_ ~old~ <b>&c"))
    assert triage.primary is not None and triage.primary.cause.id == "role-session-name-invalid"
    fields = _fields(triage, kb)
    assert "*Session name*\n`*hotfix* _now_ ~old~ &lt;b&gt;&amp;c`" in fields
    # Normalising takes backticks out of a paste; were one left, it could not end the code.
    assert blocks._code("a`b", 100) == "`a\u02cbb`"
    # The denying layer is a sentence about the paste, not a value from it.
    denied = diagnose(bundled().cause("scp-denied").examples.match[0].text)
    fields = _fields(denied, kb)
    assert any(f.startswith("*Denied by*\nexplicit deny") for f in fields), fields


def test_a_value_too_long_for_its_field_is_cut_inside_the_code(kb: KnowledgeBase) -> None:
    key = "reports/" + "q" * 1400 + "&" * 400 + ".csv"
    paste = (
        "An error occurred (AccessDenied) when calling the GetObject operation: User: "
        "arn:aws:iam::111122223333:user/ana is not authorized to perform: s3:GetObject on resource: "
        f"arn:aws:s3:::finance-exports/{key} because no identity-based policy allows the s3:GetObject action"
    )
    triage = diagnose(paste)
    assert triage.primary is not None and "resource_arn" in triage.primary.entities
    resource = next(f for f in _fields(triage, kb) if f.startswith("*Resource*"))
    # The field is as full as it may be (half a section) but for an escape (&amp;) that would not fit.
    assert blocks.SECTION_CHARS // 2 - len("&amp;") < len(resource) <= blocks.SECTION_CHARS // 2
    assert resource.startswith("*Resource*\n`arn:aws:s3:::finance-exports/reports/qqq")
    assert resource.endswith("&amp;…`")
    assert blocks._code("a&b", 5) == "`a…`"
