"""The `check` report as terminal text (the JSON form is the report itself)."""

from __future__ import annotations

from typing import Any

from bot.render.blocks import SlackMessage, escape

_MARK = {"error": "✗", "warning": "!", "info": "i"}


_SEVERITY = {"error": 0, "warning": 1, "info": 2}


def _by_severity(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(findings, key=lambda f: _SEVERITY[f["severity"]])


def role_summary(role: dict[str, Any]) -> str:
    """One line on what was read of the role."""
    if role.get("exists") is None:
        return "The role was not looked up."
    if role["exists"] is False:
        return "The role does not exist."
    return (
        f"name {role['name']}, path {role['path']}, max session {role['max_session_duration']} s, "
        f"{len(role['attached_policies'])} attached and {len(role['inline_policies'])} inline policies"
    )


def render(report: dict[str, Any]) -> str:
    """The role, the AssumeRole verdict, then the findings with their fixes, errors first."""
    role = report["role"]
    lines = [f"Role {role['arn']}", f"  {role_summary(role)}"]
    verdict = report.get("verdict")
    if verdict:
        lines.append(f"AssumeRole by {report['caller']['arn']}: {verdict['assume']}")
        lines += [f"  - {reason}" for reason in verdict["reasons"]]
        if verdict["missing_context"]:
            lines.append(f"  depends on what the bot cannot see: {', '.join(verdict['missing_context'])}")
        if verdict["unread_layers"]:
            lines.append(f"  not read: {', '.join(verdict['unread_layers'])}")
    findings = _by_severity(report["findings"])
    lines.append("Findings:" if findings else "No findings.")
    for finding in findings:
        lines.append(f"  {_MARK[finding['severity']]} [{finding['id']}] {finding['message']}")
        lines += [f"      $ {command}" for command in finding["commands"]]
    return "\n".join(lines) + "\n"


def slack_message(report: dict[str, Any]) -> SlackMessage:
    """The report as a Slack message, the fix first, within Slack's limits."""
    findings = _by_severity(report["findings"])
    role = report["role"]
    title = f"Inspection of {role['name']}"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for finding in findings[:12]:
        text = f"{_MARK[finding['severity']]} *{finding['id']}*: {escape(finding['message'])}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
        if finding["commands"]:
            code = "\n".join(finding["commands"])[:2900]
            blocks.append(
                {
                    "type": "rich_text",
                    "elements": [
                        {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": code}]}
                    ],
                }
            )
    verdict = report.get("verdict")
    if verdict:
        summary = f"*AssumeRole by* `{escape(report['caller']['arn'])}`: *{verdict['assume']}*"
        details = [escape(r) for r in verdict["reasons"][:5]]
        if verdict["missing_context"]:
            details.append("Depends on: " + ", ".join(verdict["missing_context"]))
        if verdict["unread_layers"]:
            details.append("Not read: " + ", ".join(verdict["unread_layers"]))
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join([summary, *details])[:3000]}}
        )
    if not findings:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "No findings."}})
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(role_summary(role))[:3000]}]}
    )
    first = findings[0]["message"] if findings else "No findings."
    return SlackMessage(escape(f"{title}: {first}"[:1500]), blocks[:50])
