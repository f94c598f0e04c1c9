"""Find AWS credentials in a paste and take them out before anything else reads it.

Each kind is recognised by its context (a key prefix, or the name it is assigned to), never by
length alone, and never inside an encoded authorization message, whose base64 can look like a key.
"""

from __future__ import annotations

import re

ACCESS_KEY_ID = "aws-access-key-id"
SECRET_ACCESS_KEY = "aws-secret-access-key"
SESSION_TOKEN = "aws-session-token"
KINDS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)

_ENCODED_MESSAGE = re.compile(
    r"(?:Encoded authorization failure message|EncodedMessage|encoded_message)[\"']?\s*[:=]?\s*[\"']?"
    r"[A-Za-z0-9_+/=-]{20,}"
)
_DETECTORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (ACCESS_KEY_ID, re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])")),
    (
        SECRET_ACCESS_KEY,
        re.compile(
            r"(?i:secret_?access_?key|aws_?secret(?:_?key)?|secretkey)[\"']?\s*[:=]\s*[\"']?"
            r"(?P<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
    ),
    (
        SESSION_TOKEN,
        re.compile(
            r"(?i:session_?token|security_?token|x-amz-security-token)[\"']?\s*[:=]\s*[\"']?"
            r"(?P<value>[A-Za-z0-9/+=%]{40,})"
        ),
    ),
)


# Every detector needs one of these; most messages have none and are done in a few scans.
_KEY_PREFIX = re.compile(r"A(?:KIA|SIA|BIA|CCA|3T)")


def redact(text: str) -> tuple[str, list[str]]:
    """The text with every credential replaced by a marker, and the kinds seen (in KINDS order)."""
    lowered = text.lower()
    if "secret" not in lowered and "token" not in lowered and not _KEY_PREFIX.search(text):
        return text, []
    protected = [m.span() for m in _ENCODED_MESSAGE.finditer(text)]
    spans: list[tuple[int, int, str]] = []
    for kind, detector in _DETECTORS:
        for match in detector.finditer(text):
            group = "value" if "value" in detector.groupindex else 0
            start, end = match.span(group)
            if not any(p_start <= start < p_end for p_start, p_end in protected):
                spans.append((start, end, kind))
    if not spans:
        return text, []
    pieces: list[str] = []
    cursor = 0
    for start, end, kind in sorted(spans):
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        pieces.append(f"[redacted {kind}]")
        cursor = end
    pieces.append(text[cursor:])
    seen = {kind for _, _, kind in spans}
    return "".join(pieces), [kind for kind in KINDS if kind in seen]
