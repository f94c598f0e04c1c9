"""Read-only inspection against moto in server mode on loopback: three accounts (hub, target,
caller), real boto3 calls through the real assume-role chain. moto does not enforce trust, so the
tests assert the bot's own findings and verdicts, never moto's AssumeRole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from bot.inspect.access import Access
from bot.inspect.check import CheckRequest, Inspector
from bot.inspect.guard import WriteRefused
from bot.inspect.snapshot import Reader
from bot.store import MemoryStore
from tests.conftest import run_cli

HUB, TARGET, CALLER = "123456789012", "222222222222", "333333333333"
READONLY = "IamRoleDoctorReadOnly"
NOW = datetime(2026, 11, 29, tzinfo=UTC)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(moto_url: str) -> str:
    requests.post(f"{moto_url}/moto-api/reset", timeout=10)
    return moto_url


def _session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="AKIAHUBTESTKEY000001", aws_secret_access_key="x", region_name="us-east-1"
    )


def admin(url: str, account: str, service: str = "iam") -> Any:
    """A client that sets up fixtures in `account` (moto routes on the x-moto-account-id header)."""
    client = _session().client(service, endpoint_url=url)

    def route(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign", route)
    return client


def access_to(kind: type[Access], url: str, *accounts: str) -> Access:
    """Read-only access (of `kind`, which may stub a client) into `accounts`, with no ExternalId."""
    return kind(
        readonly_role=READONLY,
        allowed_accounts=frozenset(accounts),
        external_id=None,
        hub=_session,
        endpoint_url=url,
    )


def trust(principal: dict[str, Any], condition: dict[str, Any] | None = None, sid: str = "Trust") -> str:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def assume_policy(resource: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}],
        }
    )


def inspector(
    url: str, allowed: tuple[str, ...] = (TARGET, CALLER), store: MemoryStore | None = None
) -> Inspector:
    access = Access(
        readonly_role=READONLY,
        allowed_accounts=frozenset(allowed),
        external_id="ext-123",
        hub=_session,
        endpoint_url=url,
    )
    return Inspector(access, store or MemoryStore(), clock=lambda: NOW)


async def check(
    url: str, role: str, caller: str | None = None, duration: int | None = None, **kw: Any
) -> dict[str, Any]:
    return await inspector(url, **kw).check(CheckRequest(role, caller, duration))


def ids(report: dict[str, Any]) -> list[str]:
    return [f["id"] for f in report["findings"]]


def make_caller_user(
    url: str, name: str = "dev", tags: dict[str, str] | None = None, allow: str | None = "*"
) -> str:
    iam = admin(url, CALLER)
    iam.create_user(UserName=name, Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()])
    if allow:
        iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=assume_policy(allow))
    return f"arn:aws:iam::{CALLER}:user/{name}"


def cli_env(endpoint: str, *allowed: str) -> dict[str, str]:
    """What `iamrole-bot check` runs with: the hub's keys, an endpoint, the accounts it may read."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "AKIAHUBTESTKEY000001",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "IAMROLE_ALLOWED_ACCOUNTS": ",".join(allowed),
    }


def make_app_role(url: str) -> None:
    admin(url, TARGET).create_role(
        RoleName="App", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"})
    )


async def test_wrong_case_role_name_is_found_and_named(aws: str) -> None:
    admin(aws, TARGET).create_role(
        RoleName="DeployRole", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"})
    )
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/deployrole")
    assert report["role"]["exists"] is True and report["role"]["name"] == "DeployRole"
    assert "role-name-case-mismatch" in ids(report)


async def test_missing_role_is_role_not_found(aws: str) -> None:
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/Nope", f"arn:aws:iam::{CALLER}:user/dev")
    assert report["role"]["exists"] is False and ids(report) == ["role-not-found"]
    assert report["verdict"]["assume"] == "undetermined"


async def test_caller_account_not_trusted(aws: str) -> None:
    admin(aws, TARGET).create_role(
        RoleName="App", AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::444455556666:root"})
    )
    caller = make_caller_user(aws)
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/App", caller)
    assert report["verdict"]["assume"] == "denied"
    assert "caller-not-trusted" in ids(report)
    [finding] = [f for f in report["findings"] if f["id"] == "caller-not-trusted"]
    assert f'"AWS": "{caller}"' in finding["message"]


async def test_trusted_caller_with_permission_is_allowed_naming_unread_layers(aws: str) -> None:
    admin(aws, TARGET).create_role(
        RoleName="App", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"})
    )
    caller = make_caller_user(aws, allow=f"arn:aws:iam::{TARGET}:role/App")
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/App", caller)
    assert report["verdict"]["assume"] == "allowed"
    assert "scp" in report["verdict"]["unread_layers"]
    assert "caller-not-trusted" not in ids(report) and "caller-lacks-assume-permission" not in ids(report)


async def test_caller_without_sts_assume_role(aws: str) -> None:
    admin(aws, TARGET).create_role(
        RoleName="App", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"})
    )
    caller = make_caller_user(aws, allow=None)
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/App", caller)
    assert report["verdict"]["assume"] == "denied"
    assert "caller-lacks-assume-permission" in ids(report)


async def test_expired_date_condition(aws: str) -> None:
    condition = {"DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"}}
    admin(aws, TARGET).create_role(
        RoleName="Temp", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"}, condition)
    )
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/Temp", make_caller_user(aws))
    assert "trust-condition-expired" in ids(report)
    assert report["verdict"]["assume"] == "denied"


async def test_external_id_required(aws: str) -> None:
    condition = {"StringEquals": {"sts:ExternalId": "partner-7"}}
    admin(aws, TARGET).create_role(
        RoleName="Partner", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"}, condition)
    )
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/Partner", make_caller_user(aws))
    assert "trust-requires-external-id" in ids(report)
    assert report["verdict"]["assume"] in ("undetermined", "denied")


async def test_principal_tag_required_and_missing(aws: str) -> None:
    condition = {"StringEquals": {"aws:PrincipalTag/department": ["HR", "CS"]}}
    admin(aws, TARGET).create_role(
        RoleName="HrTools", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"}, condition)
    )
    report = await check(
        aws, f"arn:aws:iam::{TARGET}:role/HrTools", make_caller_user(aws, tags={"department": "Eng"})
    )
    [finding] = [f for f in report["findings"] if f["id"] == "trust-requires-principal-tag"]
    assert finding["severity"] == "error" and "'Eng'" in finding["message"]
    assert report["verdict"]["assume"] == "denied"


async def test_duration_over_the_maximum_and_role_chaining(aws: str) -> None:
    admin(aws, TARGET).create_role(
        RoleName="Batch",
        AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"}),
        MaxSessionDuration=3600,
    )
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/Batch", duration=43200)
    [finding] = [f for f in report["findings"] if f["id"] == "duration-exceeds-max"]
    assert "--duration-seconds 3600" in finding["commands"][0]
    admin(aws, TARGET).update_role(RoleName="Batch", MaxSessionDuration=43200)
    chained = await check(
        aws, f"arn:aws:iam::{TARGET}:role/Batch", f"arn:aws:sts::{CALLER}:assumed-role/ci/run-1", 7200
    )
    assert "role-chaining-limit" in ids(chained) and "duration-exceeds-max" not in ids(chained)


async def test_service_linked_role(aws: str) -> None:
    admin(aws, TARGET).create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    report = await check(
        aws,
        f"arn:aws:iam::{TARGET}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    )
    assert report["role"]["service_linked"] is True
    [finding] = [f for f in report["findings"] if f["id"] == "service-linked-role"]
    assert "autoscaling.amazonaws.com" in finding["message"]


async def test_service_policy_whose_default_is_v2(aws: str) -> None:
    iam = admin(aws, TARGET)
    iam.create_role(
        RoleName="codebuild-web-service-role",
        AssumeRolePolicyDocument=trust({"Service": "codebuild.amazonaws.com"}),
    )
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    )
    policy = iam.create_policy(PolicyName="codebuild-web-managed-policy", PolicyDocument=document)["Policy"][
        "Arn"
    ]
    iam.create_policy_version(PolicyArn=policy, PolicyDocument=document, SetAsDefault=True)
    iam.attach_role_policy(RoleName="codebuild-web-service-role", PolicyArn=policy)
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/codebuild-web-service-role")
    [attached] = report["role"]["attached_policies"]
    assert attached == {"arn": policy, "default_version": "v2", "versions": ["v1", "v2"]}
    [finding] = [f for f in report["findings"] if f["id"] == "policy-default-version-changed"]
    assert finding["commands"] == [
        f"aws iam set-default-policy-version --policy-arn {policy} --version-id v1"
    ]


async def test_account_not_allowed_makes_no_aws_call(aws: str) -> None:
    checker = inspector(aws, allowed=(CALLER,))
    report = await checker.check(
        CheckRequest(f"arn:aws:iam::{TARGET}:role/App", f"arn:aws:iam::{CALLER}:user/dev")
    )
    assert ids(report) == ["account-not-allowed"] and report["role"]["exists"] is None
    assert report["verdict"]["assume"] == "undetermined"
    assert checker.access.assumed == 0 and checker.calls == 0


async def test_a_refused_read_only_role_is_inspection_denied(aws: str) -> None:
    class Refused(Access):
        def client(self, session: boto3.Session, service: str) -> Any:
            client = super().client(session, service)
            if service == "sts":
                stub = Stubber(client)
                stub.add_client_error(
                    "assume_role", "AccessDenied", "not authorized to perform: sts:AssumeRole"
                )
                stub.activate()
            return client

    access = Refused(
        readonly_role=READONLY,
        allowed_accounts=frozenset({TARGET}),
        external_id="ext-123",
        hub=_session,
        endpoint_url=aws,
    )
    report = await Inspector(access, MemoryStore()).check(CheckRequest(f"arn:aws:iam::{TARGET}:role/App"))
    [finding] = report["findings"]
    assert finding["id"] == "inspection-denied" and f"role/{READONLY}" in finding["message"]


async def test_a_write_through_the_inspectors_session_is_refused_before_it_is_sent(aws: str) -> None:
    access = access_to(Access, aws, TARGET)
    iam = access.client(access.session(TARGET), "iam")
    with pytest.raises(WriteRefused):
        iam.create_role(RoleName="Sneaky", AssumeRolePolicyDocument=trust({"AWS": "*"}))
    with pytest.raises(WriteRefused):
        access.client(access.session(TARGET), "sts").assume_role(
            RoleArn=f"arn:aws:iam::{TARGET}:role/Admin", RoleSessionName="x"
        )
    assert [r["RoleName"] for r in admin(aws, TARGET).list_roles()["Roles"]] == []


async def test_call_budget_cold_and_warm_and_credentials_cached(aws: str) -> None:
    iam = admin(aws, TARGET)
    iam.create_role(RoleName="Busy", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"}))
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    for n in range(5):
        arn = iam.create_policy(PolicyName=f"p{n}", PolicyDocument=document)["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="Busy", PolicyArn=arn)
    checker = inspector(aws, store=MemoryStore())
    await checker.check(CheckRequest(f"arn:aws:iam::{TARGET}:role/Busy"))
    assert checker.calls <= 10
    cold = checker.calls
    await checker.check(CheckRequest(f"arn:aws:iam::{TARGET}:role/Busy"))
    assert checker.calls == cold
    await checker.check(CheckRequest(f"arn:aws:iam::{TARGET}:role/Busy", fresh=True))
    assert checker.calls == 2 * cold and checker.access.assumed == 1


def test_check_command_exit_statuses(aws: str) -> None:
    make_app_role(aws)
    env = cli_env(aws, TARGET)
    result = run_cli("check", f"arn:aws:iam::{TARGET}:role/app", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["role"]["name"] == "App"
    text = run_cli("check", f"arn:aws:iam::{TARGET}:role/app", env=env)
    assert text.returncode == 0
    assert "name App, path /, max session 3600 s" in text.stdout
    assert "[role-name-case-mismatch]" in text.stdout
    assert run_cli("check", "not-an-arn", env=env).returncode == 2
    unreachable = env | {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    result = run_cli("check", f"arn:aws:iam::{TARGET}:role/App", env=unreachable)
    assert result.returncode == 1 and "no report" in result.stderr


@pytest.mark.parametrize(
    "role, caller, duration",
    [
        (f"arn:aws:iam::{TARGET}:role/", None, None),  # no name
        (f"arn:aws:iam::{TARGET}:role/x>.bashrc", None, None),  # no role can be named so
        (f"arn:aws:iam::{TARGET}:role/App", f"arn:aws:iam::{CALLER}:user/", None),
        (f"arn:aws:iam::{TARGET}:role/App", f"arn:aws:iam::{CALLER}:user/x/../", None),
        (f"arn:aws:iam::{TARGET}:role/App", f"arn:aws:s3:::{CALLER}", None),  # no principal
        (f"arn:aws:iam::{TARGET}:role/App", None, 0),
        (f"arn:aws:iam::{TARGET}:role/App", None, 899),
    ],
)
def test_a_check_aws_cannot_make_is_a_usage_error_before_any_call(
    aws: str, role: str, caller: str | None, duration: int | None
) -> None:
    make_app_role(aws)
    env = cli_env(aws, TARGET, CALLER)
    args = [
        *(["--caller", caller] if caller else []),
        *(["--duration", str(duration)] if duration is not None else []),
    ]
    result = run_cli("check", role, *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.startswith("iamrole-bot check: ")


class _NotAws:
    """A loopback server that answers every request as a proxy or a captive portal would."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        import http.server
        import threading

        answer = (status, body, content_type)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(answer[0])
                self.send_header("Content-Type", answer[2])
                self.send_header("Content-Length", str(len(answer[1])))
                self.end_headers()
                self.wfile.write(answer[1])

            def log_message(self, *_: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.mark.parametrize(
    "status, body, content_type",
    [
        (200, b"<html><body>Sign in to the network</body></html>", "text/html"),
        (403, b"<html><body>Access denied by proxy</body></html>", "text/html"),
        (500, b"upstream failed", "text/plain"),
        (200, b"<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>", "text/xml"),
    ],
)
def test_an_answer_that_is_not_aws_s_is_no_report_not_a_crash(
    status: int, body: bytes, content_type: str
) -> None:
    proxy = _NotAws(status, body, content_type)
    try:
        result = run_cli("check", f"arn:aws:iam::{TARGET}:role/App", env=cli_env(proxy.url, TARGET))
    finally:
        proxy.server.shutdown()
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("iamrole-bot check: no report could be made")


async def _slack_bot(
    aws: str, fake: Any, session: Any, monkeypatch: pytest.MonkeyPatch, **settings: Any
) -> Any:
    from pydantic import SecretStr

    from tests.harness import start_bot

    for name, value in {
        "AWS_ENDPOINT_URL": aws,
        "AWS_ACCESS_KEY_ID": "AKIAHUBTESTKEY000001",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    return await start_bot(
        fake,
        session,
        allowed_accounts=frozenset({TARGET, CALLER}),
        external_id=SecretStr("ext-123"),
        **settings,
    )


async def test_slash_check_reports_privately_and_refuses_guests_and_outsiders(
    aws: str, fake: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin(aws, TARGET).create_role(
        RoleName="App", AssumeRolePolicyDocument=trust({"AWS": "arn:aws:iam::444455556666:root"})
    )
    caller = make_caller_user(aws)
    bot = await _slack_bot(aws, fake, session, monkeypatch)
    try:
        status, seconds = await bot.command(f"check arn:aws:iam::{TARGET}:role/App as {caller}")
        assert status == 200 and seconds < 3
        [answer] = await fake.wait_for("response_url", timeout=30)
        assert answer.params["response_type"] == "ephemeral"
        assert "caller-not-trusted" in json.dumps(answer.params)
        fake.guests.add("U0GUEST")
        await bot.command(f"check arn:aws:iam::{TARGET}:role/App", user="U0GUEST")
        answers = await fake.wait_for("response_url", 2, timeout=30)
        assert "Only members" in answers[1].params["text"]
        fake.outsiders.add("U0PARTNER")
        await bot.command(f"check arn:aws:iam::{TARGET}:role/App", user="U0PARTNER")
        answers = await fake.wait_for("response_url", 3, timeout=30)
        assert "Only members" in answers[2].params["text"]
        await bot.command("check not-an-arn")
        answers = await fake.wait_for("response_url", 4, timeout=30)
        assert "not a role ARN" in answers[3].params["text"]
    finally:
        await bot.stop()


async def test_inspect_button_on_a_diagnosis_and_public_results(
    aws: str, fake: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin(aws, TARGET).create_role(
        RoleName="app-role", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"})
    )
    bot = await _slack_bot(aws, fake, session, monkeypatch, public_inspect_channels=frozenset({"C0AWSHELP"}))
    from tests.harness import message_event

    try:
        paste = (
            f"User: arn:aws:iam::{TARGET}:user/dev is not authorized to perform: iam:PassRole "
            f"on resource: arn:aws:iam::{TARGET}:role/App-Role"
        )
        await bot.event(message_event(paste))
        [post] = await fake.wait_for("chat.postMessage")
        [actions] = [b for b in post.params["blocks"] if b["type"] == "actions"]
        [inspect] = [e for e in actions["elements"] if e["action_id"] == "iamrole_inspect"]
        await bot.click(
            {"action_id": inspect["action_id"], "value": inspect["value"]},
            message={"blocks": post.params["blocks"]},
        )
        [answer] = await fake.wait_for("response_url", timeout=30)
        assert answer.params["response_type"] == "in_channel" and answer.params["replace_original"] is True
        updated = json.dumps(answer.params["blocks"])
        assert updated.index("role-name-case-mismatch") < updated.index("iam:PassRole")  # the fix first
        assert "iamrole_inspect" not in updated
    finally:
        await bot.stop()


async def test_callers_own_policy_requires_a_principal_tag(aws: str) -> None:
    admin(aws, TARGET).create_role(
        RoleName="Hr", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{CALLER}:root"})
    )
    iam = admin(aws, CALLER)
    iam.create_user(UserName="ana", Tags=[{"Key": "department", "Value": "Sales"}])
    statement = {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/department": ["HR", "CS"]}},
    }
    iam.put_user_policy(
        UserName="ana",
        PolicyName="hr",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    report = await check(aws, f"arn:aws:iam::{TARGET}:role/Hr", f"arn:aws:iam::{CALLER}:user/ana")
    assert "identity-requires-principal-tag" in ids(report)
    assert report["verdict"]["assume"] == "denied"


DECODED = {
    "allowed": False,
    "explicitDeny": True,
    "matchedStatements": {
        "items": [{"statementId": "DenyLargeInstances", "effect": "DENY", "sourcePolicyType": "IAM Policy"}]
    },
    "failures": {"items": []},
    "context": {"action": "ec2:RunInstances", "resource": f"arn:aws:ec2:us-east-1:{TARGET}:instance/*"},
}
ENCODED_PASTE = (
    "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to "
    f"perform this operation. User: arn:aws:sts::{TARGET}:assumed-role/dev/ana is not authorized to perform: "
    f"ec2:RunInstances on resource: arn:aws:ec2:us-east-1:{TARGET}:instance/* with an explicit deny. "
    "Encoded authorization failure message: Xq0nY-8d3a_Qw9Lr7Tb2Vc5Hk1Mz4Pe6Sg0Ju8Ni3Ox7Ka2Fy5Dh9"
)


class StubbedDecoding(Access):
    """moto lacks DecodeAuthorizationMessage: the STS client answers from a Stubber."""

    expected_blob = "Xq0nY-8d3a_Qw9Lr7Tb2Vc5Hk1Mz4Pe6Sg0Ju8Ni3Ox7Ka2Fy5Dh9"

    def client(self, session: boto3.Session, service: str) -> Any:
        client = super().client(session, service)
        if service == "sts" and session is not self._hub:
            stub = Stubber(client)
            stub.add_response(
                "decode_authorization_message",
                {"DecodedMessage": json.dumps(DECODED)},
                {"EncodedMessage": self.expected_blob},
            )
            stub.activate()
        return client


async def test_an_encoded_message_is_decoded_in_the_denying_account_and_said_where_not_allowed(
    aws: str,
) -> None:
    from bot.diagnosis import diagnose
    from bot.inspect.decode import Decoder

    [diagnosis] = diagnose(ENCODED_PASTE).diagnoses
    assert "_encoded" in diagnosis.hidden and "Xq0nY" not in json.dumps(diagnosis.entities)
    access = access_to(StubbedDecoding, aws, TARGET)
    summary = await Decoder(access)(diagnosis)
    assert summary is not None
    assert f"Decoded in account {TARGET}: ec2:RunInstances" in summary and "explicit deny" in summary
    assert "DenyLargeInstances" in summary
    elsewhere = access_to(Access, aws, CALLER)
    note = await Decoder(elsewhere)(diagnosis)
    assert note is not None and f"Only account {TARGET}" in note and elsewhere.assumed == 0


async def test_the_thread_reply_carries_the_decoded_message(
    aws: str, fake: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.inspect.decode import Decoder
    from tests.harness import message_event

    bot = await _slack_bot(aws, fake, session, monkeypatch)
    access = access_to(StubbedDecoding, aws, TARGET)
    bot.services.responder.decode = Decoder(access)
    try:
        await bot.event(message_event(ENCODED_PASTE))
        [post] = await fake.wait_for("chat.postMessage", timeout=30)
        text = json.dumps(post.params["blocks"])
        assert f"Decoded in account {TARGET}: ec2:RunInstances" in text
        assert "Xq0nY" not in text
    finally:
        await bot.stop()


async def test_identity_center_role_unverifiable_conditions_and_the_audit_line(
    aws: str, caplog: pytest.LogCaptureFixture
) -> None:
    iam = admin(aws, TARGET)
    iam.create_role(
        RoleName="AWSReservedSSO_Admin_0123456789abcdef",
        Path="/aws-reserved/sso.amazonaws.com/",
        AssumeRolePolicyDocument=trust(
            {"Federated": f"arn:aws:iam::{TARGET}:saml-provider/AWSSSO_x_DO_NOT_DELETE"}
        ),
    )
    iam.create_role(
        RoleName="Office",
        AssumeRolePolicyDocument=trust(
            {"AWS": f"arn:aws:iam::{CALLER}:root"}, {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
        ),
    )
    caplog.set_level("INFO", logger="bot.audit")
    sso = await check(
        aws,
        f"arn:aws:iam::{TARGET}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
    )
    assert "identity-center-role" in ids(sso) and sso["role"]["service_linked"] is False
    office = await check(aws, f"arn:aws:iam::{TARGET}:role/Office", make_caller_user(aws))
    assert "trust-condition-unverifiable" in ids(office)
    assert (
        office["verdict"]["assume"] == "undetermined"
        and "aws:SourceIp" in office["verdict"]["missing_context"]
    )
    audit = [r.getMessage() for r in caplog.records if r.name == "bot.audit"]
    assert len(audit) == 2 and "role=arn:aws:iam::222222222222:role/Office" in audit[1]
    assert "findings=" in audit[1] and "trust-condition-unverifiable" in audit[1]


AUTHORIZATION_ID = "c0ffee00-1111-2222-3333-444455556666"
TROUBLESHOOTER = {
    "requestContext": {},
    "evaluations": [
        {
            "action": "s3:GetObject",
            "resource": "arn:aws:s3:::logs/app.gz",
            "context": {},
            "evaluatedEffect": "EXPLICIT_DENY",
            "matchedPolicies": [],
            "checks": [
                {
                    "checkType": "SERVICE_CONTROL_POLICY",
                    "evaluatedEffect": "EXPLICIT_DENY",
                    "targetArn": f"arn:aws:organizations::{CALLER}:account/o-x/{TARGET}",
                    "relevantPolicyTypes": [],
                    "matchedPolicies": [
                        {
                            "uri": "arn:aws:organizations::333333333333:policy/o-x/service_control_policy/p-deny",
                            "matchedStatements": [],
                        }
                    ],
                },
                {
                    "checkType": "PRINCIPAL",
                    "evaluatedEffect": "IMPLICIT_DENY",
                    "targetArn": "x",
                    "relevantPolicyTypes": [],
                    "matchedPolicies": [],
                },
                {
                    "checkType": "RESOURCE",
                    "evaluatedEffect": "NO_IMPACT",
                    "targetArn": "x",
                    "relevantPolicyTypes": [],
                    "matchedPolicies": [],
                },
            ],
        }
    ],
    "policies": [],
}


class StubbedTroubleshooter(Access):
    """moto lacks IAM Access Troubleshooter: its client answers from a Stubber."""

    def client(self, session: boto3.Session, service: str) -> Any:
        client = super().client(session, service)
        if service == "iam-toolbox":
            stub = Stubber(client)
            stub.add_response(
                "get_request_authorization_details", TROUBLESHOOTER, {"authorizationId": AUTHORIZATION_ID}
            )
            stub.activate()
        return client


async def test_an_authorization_id_is_resolved_naming_every_denying_check(aws: str) -> None:
    from bot.diagnosis import diagnose
    from bot.inspect.decode import Decoder

    paste = (
        f"User: arn:aws:sts::{TARGET}:assumed-role/app/worker is not authorized to perform: s3:GetObject on resource: "
        "arn:aws:s3:::logs/app.gz with an explicit deny in a service control policy. Go to "
        "https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/"
        f"{AUTHORIZATION_ID} for complete details, or call the GetRequestAuthorizationDetails API with the "
        f"following authorization id: {AUTHORIZATION_ID}"
    )
    [diagnosis] = diagnose(paste).diagnoses
    assert diagnosis.entities["authorization_id"] == AUTHORIZATION_ID
    access = access_to(StubbedTroubleshooter, aws, TARGET)
    summary = await Decoder(access)(diagnosis)
    assert summary is not None
    assert "s3:GetObject on arn:aws:s3:::logs/app.gz: explicit deny" in summary
    assert (
        "service control policy: explicit deny (arn:aws:organizations::333333333333:policy/o-x/service_control_policy/p-deny)"
        in summary
    )
    assert "principal: implicit deny" in summary and "resource" not in summary.split("\n", 2)[-1]


def test_an_endpoint_that_pages_roles_without_end_is_not_followed_for_ever() -> None:
    """A proxy or a broken endpoint answering ListRoles as truncated, again and again (moto cannot):
    the case-insensitive search stops where an account's roles would end, or at a repeated marker."""

    def reader(markers: list[str]) -> tuple[Reader, Stubber]:
        client = boto3.client(
            "iam",
            region_name="us-east-1",
            aws_access_key_id="AKIAHUBTESTKEY000001",
            aws_secret_access_key="x",
        )
        stub = Stubber(client)
        stub.add_client_error("get_role", "NoSuchEntity", "The role with name app cannot be found.", 404)
        for marker in markers:
            page = {"Roles": [], "IsTruncated": True, "Marker": marker}
            stub.add_response("list_roles", page)
        stub.activate()
        return Reader(client), stub

    endless, stub = reader([f"m{n}" for n in range(5)])
    assert endless.role("app") is None
    assert endless.calls == 6  # GetRole, then five pages: 5,000 roles, IAM's most
    stub.assert_no_pending_responses()
    repeating, stub = reader(["same", "same"])
    assert repeating.role("app") is None
    assert repeating.calls == 3
    stub.assert_no_pending_responses()
