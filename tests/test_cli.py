"""The `iamrole-bot diagnose` and `kb` commands, as the contract says, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, run_cli

PASSROLE = (
    "An error occurred (AccessDenied) when calling the PutLifecycleHook operation: User: "
    "arn:aws:sts::111122223333:assumed-role/Testrole/Diego is not authorized to perform: iam:PassRole on resource: "
    "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)


def test_sample_prints_a_filled_reply_offline() -> None:
    result = run_cli("diagnose", "--sample", "passrole-denied")
    assert result.returncode == 0, result.stderr
    assert "AWSServiceRoleForAutoScaling" in result.stdout
    assert "aws iam get-role --role-name AWSServiceRoleForAutoScaling" in result.stdout


def test_json_output_follows_the_contract() -> None:
    result = run_cli("diagnose", "--json", PASSROLE)
    assert result.returncode == 0
    diagnosis = json.loads(result.stdout)["diagnoses"][0]
    assert diagnosis["cause"] == "passrole-denied"
    assert diagnosis["entities"] == {
        "caller_arn": "arn:aws:sts::111122223333:assumed-role/Testrole/Diego",
        "action": "iam:PassRole",
        "role_arn": "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        "account_id": "111122223333",
        "operation": "PutLifecycleHook",
    }
    assert 0 < diagnosis["confidence"] <= 1
    assert diagnosis["steps"] and diagnosis["commands"] and diagnosis["references"]
    assert all(url.startswith("https://docs.aws.amazon.com/") for url in diagnosis["references"])


def test_stdin_is_read_when_no_text_is_given() -> None:
    result = run_cli("diagnose", "--json", stdin=PASSROLE)
    assert json.loads(result.stdout)["diagnoses"][0]["cause"] == "passrole-denied"


def test_chatter_exits_one_with_no_diagnosis() -> None:
    result = run_cli("diagnose", "--json", "deploy went fine, lunch at noon?")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {"diagnoses": []}


def test_repeats_of_one_error_collapse_into_one_diagnosis() -> None:
    result = run_cli("diagnose", "--json", stdin="\n".join(f"[retry {n}] {PASSROLE}" for n in range(12)))
    assert len(json.loads(result.stdout)["diagnoses"]) == 1


def test_language_follows_the_paste_and_the_flag() -> None:
    ja = run_cli("diagnose", "--json", "デプロイで失敗しました: " + PASSROLE)
    assert "拒否" in json.loads(ja.stdout)["diagnoses"][0]["title"]
    en = run_cli("diagnose", "--json", "--lang", "en", "デプロイで失敗しました: " + PASSROLE)
    assert "denied" in json.loads(en.stdout)["diagnoses"][0]["title"]


def test_bad_usage_exits_two() -> None:
    assert run_cli("diagnose", "--sample", "no-such-cause").returncode == 2
    assert run_cli("diagnose", "--json", "--jsonl").returncode == 2
    assert run_cli("diagnose", "--lang", "fr", "x").returncode == 2
    assert run_cli("diagnose", "--jsonl", "x", stdin="").returncode == 2  # --jsonl reads stdin only


def test_jsonl_keeps_going_past_bad_lines_and_never_echoes_text() -> None:
    lines = [
        json.dumps({"id": "a", "text": PASSROLE}),
        "{not json",
        json.dumps({"id": "c", "text": "hello there"}),
        json.dumps(["no", "object"]),
    ]
    result = run_cli("diagnose", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["id"] == "a" and out[0]["diagnoses"][0]["cause"] == "passrole-denied"
    assert "text" not in out[0]
    assert out[1]["line"] == 2 and "error" in out[1]
    assert out[2] == {"id": "c", "diagnoses": []}
    assert out[3]["line"] == 4


def test_jsonl_answers_lines_json_cannot_carry_and_goes_on() -> None:
    lines = [
        "[" * 100_000 + "]" * 100_000,  # deeper than Python's JSON reader goes
        '{"id": "\\ud800", "text": "hello"}',  # a lone surrogate, escaped: echoed back escaped
        '{"n": NaN, "text": "hello"}',  # not JSON, though Python's reader takes it
        '{"text": "hello", "meta": ' + "[" * 988 + "]" * 988 + "}",  # read, but too deep to write back
        json.dumps({"id": "d", "text": PASSROLE}),
    ]
    result = run_cli("diagnose", "--jsonl", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0] == {"line": 1, "error": "nested too deeply to read"}
    assert out[1] == {"id": "\ud800", "diagnoses": []}
    assert out[2]["line"] == 3 and "NaN" in out[2]["error"]
    assert out[3] == {"line": 4, "error": "nested too deeply to write back"}
    assert out[4]["id"] == "d" and out[4]["diagnoses"][0]["cause"] == "passrole-denied"


def test_jsonl_stops_quietly_when_its_reader_leaves() -> None:
    lines = "".join(json.dumps({"text": PASSROLE}) + "\n" for _ in range(5000))
    reader = subprocess.run(
        f'{sys.executable} -m bot diagnose --jsonl | head -1; echo "status ${{PIPESTATUS[0]}}"',
        shell=True,
        executable="/bin/bash",
        input=lines.encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    first, status = reader.stdout.decode().splitlines()
    assert json.loads(first)["diagnoses"][0]["cause"] == "passrole-denied"
    assert reader.stderr == b""
    # As a process that SIGPIPE ended (a shell's 141), not 1, which says nothing was diagnosed.
    assert status == "status 141"


def test_binary_junk_on_stdin_gets_an_answer_not_a_crash() -> None:
    result = run_cli("diagnose", "--json", stdin=b"\xff\xfe\x00\x81" * 1000 + PASSROLE.encode())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["diagnoses"][0]["cause"] == "passrole-denied"


def test_kb_list_and_lint() -> None:
    listing = run_cli("kb", "list")
    assert listing.returncode == 0 and "passrole-denied" in listing.stdout
    linted = run_cli("kb", "lint")
    assert linted.returncode == 0, linted.stdout
