"""What AWS itself says about a denied request, asked in the account where the denial happened,
through the read-only role: the encoded authorization failure message (sts:DecodeAuthorizationMessage)
and the authorization id of the newer messages (IAM Access Troubleshooter's
GetRequestAuthorizationDetails, which names every policy type that denied, not just one)."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from bot.arn import Arn
from bot.diagnosis import Diagnosis
from bot.inspect.access import Access, Unreachable, answered

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decoded:
    """What AWS says about the denied request, from the decoded message."""

    account: str
    allowed: bool | None
    explicit_deny: bool | None
    action: str | None
    resource: str | None
    statements: list[str]

    def summary(self) -> str:
        verdict = "an explicit deny" if self.explicit_deny else "no statement allowed it (implicit deny)"
        what = f"{self.action or 'the action'} on {self.resource or 'the resource'}"
        lines = [f"Decoded in account {self.account}: {what} was refused by {verdict}."]
        if self.statements:
            lines.append("Matching statements: " + "; ".join(self.statements[:5]))
        return "\n".join(lines)


def denial_account(diagnosis: Diagnosis) -> str | None:
    """The account where the denial happened: the caller's, else the one the error names."""
    caller = Arn.parse(str(diagnosis.entities.get("caller_arn", "")))
    if caller is not None and caller.account_id:
        return caller.account_id
    account = diagnosis.entities.get("account_id")
    return account if isinstance(account, str) else None


def _statement(item: dict[str, Any]) -> str:
    source = item.get("statementId") or item.get("sourcePolicyId") or "a statement"
    effect = item.get("effect", "")
    policy = item.get("sourcePolicyType") or item.get("sourcePolicyName") or ""
    return " ".join(part for part in (str(effect), str(source), f"({policy})" if policy else "") if part)


def decode(access: Access, account: str, blob: str) -> Decoded:
    """Ask STS in `account` to decode `blob`; raises AccountNotAllowed or botocore's ClientError."""
    sts = access.client(access.session(account), "sts")
    raw = json.loads(sts.decode_authorization_message(EncodedMessage=blob)["DecodedMessage"])
    context = raw.get("context") or {}
    items = (raw.get("matchedStatements") or {}).get("items") or []
    return Decoded(
        account=account,
        allowed=raw.get("allowed"),
        explicit_deny=raw.get("explicitDeny"),
        action=context.get("action"),
        resource=context.get("resource"),
        statements=[_statement(i) for i in items if isinstance(i, dict)],
    )


_DENYING = ("IMPLICIT_DENY", "EXPLICIT_DENY")


def authorization_details(access: Access, account: str, authorization_id: str) -> str:
    """The evaluation behind an authorization id, as short lines: each check that denied."""
    client = access.client(access.session(account), "iam-toolbox")
    answer = client.get_request_authorization_details(authorizationId=authorization_id)
    lines = [f"AWS's evaluation of request {authorization_id} (account {account}):"]
    for evaluation in answer.get("evaluations") or []:
        effect = str(evaluation.get("evaluatedEffect", "")).replace("_", " ").lower()
        lines.append(f"{evaluation.get('action')} on {evaluation.get('resource')}: {effect}")
        for check in evaluation.get("checks") or []:
            if check.get("evaluatedEffect") in _DENYING:
                uris = [p.get("uri") for p in check.get("matchedPolicies") or [] if p.get("uri")]
                where = f" ({', '.join(uris[:3])})" if uris else ""
                kind = str(check.get("checkType", "")).replace("_", " ").lower()
                lines.append(f"  {kind}: {str(check['evaluatedEffect']).replace('_', ' ').lower()}{where}")
    return "\n".join(lines)


class Decoder:
    """Explains a diagnosis from AWS's own records when its account is allowed, off the event loop:
    the encoded message, else the authorization id."""

    def __init__(self, access: Access) -> None:
        self.access = access

    async def __call__(self, diagnosis: Diagnosis) -> str | None:
        """The decoded summary, or where it can be decoded; None when there is nothing to say."""
        blob = diagnosis.hidden.get("_encoded")
        account = denial_account(diagnosis)
        authorization_id = diagnosis.entities.get("authorization_id")
        if account is None:
            return None
        if not blob and isinstance(authorization_id, str) and account in self.access.allowed_accounts:
            try:
                with answered():
                    return await asyncio.to_thread(
                        authorization_details, self.access, account, authorization_id
                    )
            except (ClientError, Unreachable) as exc:
                log.warning("authorization details in %s failed: %s", account, type(exc).__name__)
                return None
        if not blob:
            return None
        if account not in self.access.allowed_accounts:
            return (
                f"Only account {account} (where the request was denied) can decode this message: "
                'aws sts decode-authorization-message --encoded-message "$ENCODED" --query DecodedMessage --output text'
            )
        try:
            with answered():
                decoded = await asyncio.to_thread(decode, self.access, account, blob)
        except (ClientError, Unreachable) as exc:
            log.warning("decoding in %s failed: %s", account, type(exc).__name__)
            return None
        return decoded.summary()
