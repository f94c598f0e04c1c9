"""Random and mutated pastes through normalisation, matching and every renderer: nothing breaks,
Slack's limits hold, and no credential in the paste ever comes back out."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.diagnosis import diagnose
from bot.knowledge import bundled
from bot.render import as_json, blocks, terminal

KB = bundled()
EXAMPLES = [e.text for c in KB.causes for e in c.examples.match]
KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"

access_keys = st.text(KEY_CHARS, min_size=16, max_size=16).map(lambda s: "AKIA" + s)
secret_keys = st.text(SECRET_CHARS, min_size=40, max_size=40)
noise = st.text(st.characters(codec="utf-8"), max_size=300)


@st.composite
def mutated_paste(draw: st.DrawFn) -> str:
    """A real example cut, repeated, case-flipped, wrapped or spliced with random text."""
    text = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(0, 4))):
        operation = draw(st.sampled_from(["cut", "insert", "repeat", "upper", "wrap", "escape"]))
        position = draw(st.integers(0, len(text)))
        if operation == "cut":
            text = text[:position] + text[position + draw(st.integers(0, 40)) :]
        elif operation == "insert":
            text = text[:position] + draw(noise) + text[position:]
        elif operation == "repeat":
            text = text * draw(st.integers(1, 5))
        elif operation == "upper":
            text = text.upper()
        elif operation == "wrap":
            width = draw(st.integers(20, 120))
            text = "\n".join(text[i : i + width] for i in range(0, len(text), width))
        else:
            text = text.replace("<", "&lt;").replace(">", "&gt;").replace('"', '\\"')
    return text


def _outputs(text: str, asked: bool) -> list[str]:
    triage = diagnose(text, asked=asked)
    short = blocks.render(triage, KB)
    detailed = blocks.render(triage, KB, detailed=True)
    for message in (short, detailed):
        assert message.text
        assert len(message.blocks) <= blocks.MAX_BLOCKS
        assert len(json.dumps(message.blocks, ensure_ascii=False)) <= blocks.BUDGET_CHARS
        for block in message.blocks:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= blocks.SECTION_CHARS
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= blocks.HEADER_CHARS
    return [
        terminal.render(triage, KB),
        json.dumps(as_json.render(triage, KB), ensure_ascii=False),
        json.dumps([short.blocks, detailed.blocks, short.text, detailed.text], ensure_ascii=False),
    ]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(noise, mutated_paste()), asked=st.booleans())
def test_any_paste_renders_within_limits(text: str, asked: bool) -> None:
    _outputs(text, asked)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=mutated_paste(),
    key=access_keys,
    secret=secret_keys,
    where=st.floats(0, 1),
    form=st.sampled_from(
        ["aws_secret_access_key = {}", '"SecretAccessKey": "{}"', "AWS_SECRET_ACCESS_KEY={}"]
    ),
)
def test_no_pasted_credential_is_echoed(text: str, key: str, secret: str, where: float, form: str) -> None:
    # The same characters elsewhere in the paste, with no credential context, are not a credential.
    assume(key not in text and secret not in text)
    position = int(len(text) * where)
    pasted = f"{text[:position]} {key} {form.format(secret)} {text[position:]}"
    for output in _outputs(pasted, asked=True):
        assert key not in output
        assert secret not in output


@settings(max_examples=100, deadline=None)
@given(key=access_keys, prefix=noise, suffix=noise)
def test_a_key_used_as_a_session_name_is_not_echoed_in_the_caller(key: str, prefix: str, suffix: str) -> None:
    paste = (
        f"{prefix}\nUser: arn:aws:sts::123456789012:assumed-role/dev/{key} is not authorized to perform: "
        f"iam:PassRole on resource: arn:aws:iam::123456789012:role/app\n{suffix}"
    )
    triage = diagnose(paste)
    assert triage.primary is not None and triage.primary.cause.id == "passrole-denied"
    assert "aws-access-key-id" in triage.secrets_seen
    for output in _outputs(paste, asked=False):
        assert key not in output
