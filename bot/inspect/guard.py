"""Read-only by construction: every boto3 session the inspector uses refuses, before anything is
sent, each operation outside an allow-list of reads (and AssumeRole to any role but the read-only
one). A second check on the wire catches anything that slipped past the first."""

from __future__ import annotations

from importlib import resources
from typing import Any
from urllib.parse import parse_qs

import boto3

from bot.arn import Arn

# The reads the read-only role allows (the same file the CloudFormation template is tested
# against), plus the hub's own STS calls.
READ_ACTIONS = frozenset(
    (resources.files("bot") / "inspect" / "readonly_actions.txt").read_text(encoding="utf-8").split()
)
_HUB_ACTIONS = frozenset({"sts:GetCallerIdentity", "sts:AssumeRole"})
# The IAM action prefix of each boto3 service name the inspector uses.
_PREFIX = {"iam": "iam", "sts": "sts", "cloudtrail": "cloudtrail", "iam-toolbox": "iam"}


class WriteRefused(Exception):
    """The inspector tried an operation that is not a read: refused before it left the process."""


def allowed(service: str, operation: str, params: dict[str, Any], readonly_role: str) -> bool:
    """Whether `operation` of `service` is one the inspector may call."""
    action = f"{_PREFIX.get(service, service)}:{operation}"
    if action not in READ_ACTIONS and action not in _HUB_ACTIONS:
        return False
    if action == "sts:AssumeRole":
        arn = Arn.parse(str(params.get("RoleArn", "")))
        return arn is not None and arn.resource == f"role/{readonly_role}"
    return True


def install(session: boto3.Session, readonly_role: str) -> boto3.Session:
    """Guard `session` (and every client made from it afterwards); returns it."""

    def before_build(params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        if not allowed(service, model.name, params, readonly_role):
            raise WriteRefused(f"{service}:{model.name} is not a read; the inspector never calls it")

    def before_send(request: Any, **_: Any) -> None:
        # Query-protocol services (IAM, STS) name the operation in the body; JSON ones in a header.
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        operation = target.rsplit(".", 1)[-1] if target else ""
        if not operation and request.body:
            body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
            operation = (parse_qs(body).get("Action") or [""])[0]
        known = {action.split(":", 1)[1] for action in READ_ACTIONS | _HUB_ACTIONS}
        if operation and operation not in known:
            raise WriteRefused(f"{operation} is not a read; refused on the wire")

    session.events.register("before-parameter-build", before_build)
    session.events.register("before-send", before_send)
    return session
