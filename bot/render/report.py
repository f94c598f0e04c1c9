"""The `check` report as terminal text (the JSON form is the report itself)."""

from __future__ import annotations

from typing import Any

from bot.render.blocks import SlackMessage, escape

_MARK = {"error": "✗", "warning": "!", "info": "i"}


def render(report: dict[str, Any]) -> str:
    """The fix first: findings by severity, then the role and the verdict."""
    role = report["role"]
    lines = [f"Role {role['arn']}"]
    if role.get("exists") is None:
        lines.append("  not looked up")
    elif role["exists"] is False:
        lines.append("  does not exist")
    else:
        lines.append(
            f"  name {role['name']}, path {role['path']}, max session {role['max_session_duration']} s, "
            f"{len(role['attached_policies'])} attached and {len(role['inline_policies'])} inline policies"
        )
    verdict = report.get("verdict")
    if verdict:
        lines.append(f"AssumeRole by {report['caller']['arn']}: {verdict['assume']}")
        lines += [f"  - {reason}" for reason in verdict["reasons"]]
        if verdict["missing_context"]:
            lines.append(f"  depends on what the bot cannot see: {', '.join(verdict['missing_context'])}")
        if verdict["unread_layers"]:
            lines.append(f"  not read: {', '.join(verdict['unread_layers'])}")
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(report["findings"], key=lambda f: order[f["severity"]])
    lines.append("Findings:" if findings else "No findings.")
    for finding in findings:
        lines.append(f"  {_MARK[finding['severity']]} [{finding['id']}] {finding['message']}")
        lines += [f"      $ {command}" for command in finding["commands"]]
    return "\n".join(lines) + "\n"


def slack_message(report: dict[str, Any]) -> SlackMessage:
    """The report as a Slack message, the fix first, within Slack's limits."""
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(report["findings"], key=lambda f: order[f["severity"]])
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
    context = (
        escape(render(report).splitlines()[1].strip()) if role.get("exists") else "The role was not read."
    )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context[:3000]}]})
    first = findings[0]["message"] if findings else "No findings."
    return SlackMessage(escape(f"{title}: {first}"[:1500]), blocks[:50])
