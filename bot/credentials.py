"""Find AWS credentials in a paste and take them out before anything else reads it.

Each kind is recognised by its context (a key prefix, or the name it is assigned to), never by
length alone, and never inside an encoded authorization message, whose base64 can look like a key.
"""

from __future__ import annotations

import string
from typing import Any

from bot.matcher import compile_regex

_UPPER_DIGITS = string.ascii_uppercase + string.digits
_BASE64 = string.ascii_letters + string.digits + "/+"

ACCESS_KEY_ID = "aws-access-key-id"
SECRET_ACCESS_KEY = "aws-secret-access-key"
SESSION_TOKEN = "aws-session-token"
KINDS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)


# RE2 (linear time on untrusted text); the boundaries RE2 cannot look around are checked after.
_ENCODED_MESSAGE = compile_regex(
    r"(?:Encoded authorization failure message|EncodedMessage|encoded_message)[\"']?\s*[:=]?\s*[\"']?"
    r"[A-Za-z0-9_+/=-]{20,}"
)
# (kind, expression with the value as group 1, characters that must not follow the value)
_DETECTORS: tuple[tuple[str, Any, str], ...] = (
    (ACCESS_KEY_ID, compile_regex(r"((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})"), _UPPER_DIGITS),
    (
        SECRET_ACCESS_KEY,
        compile_regex(
            r"(?i:secret_?access_?key|aws_?secret(?:_?key)?|secretkey)[\"']?\s*[:=]\s*[\"']?"
            r"([A-Za-z0-9/+]{40})"
        ),
        _BASE64,
    ),
    (
        SESSION_TOKEN,
        compile_regex(
            r"(?i:session_?token|security_?token|x-amz-security-token)[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+=%]{40,})"
        ),
        "",
    ),
)
# Every detector needs one of these: a text holding none of them holds no credential (most
# messages, done in one scan; the first look of a paste looks for them too). The words of an
# error ("The security token included in the request is expired") are not signs: only a name
# assigned a value is. Like the first look's phrases, a sign reads backticks as white space:
# tidying a paste (bot.paste.TIDYING) cannot make one appear.
SIGNS = (
    r"(?i:secret_?access_?key|aws_?secret(?:_?key)?|secretkey|session_?token|security_?token"
    r"|x-amz-security-token)[\"']?[\s`]*[:=]",
    "A(?:KIA|SIA|BIA|CCA|3T)",
)
_SIGN = compile_regex("|".join(SIGNS))


def marker(kind: str) -> str:
    """What stands in a credential's place: a token that keeps an ARN or an assignment whole."""
    return "REDACTED_" + kind.upper().replace("-", "_")


def redact(text: str) -> tuple[str, list[str]]:
    """The text with every credential replaced by a marker, and the kinds seen (in KINDS order)."""
    if not _SIGN.search(text):
        return text, []
    protected = [m.span() for m in _ENCODED_MESSAGE.finditer(text)]
    spans: list[tuple[int, int, str]] = []
    for kind, detector, not_after in _DETECTORS:
        for match in detector.finditer(text):
            start, end = match.span(1)
            if kind == ACCESS_KEY_ID and start > 0 and text[start - 1] in _UPPER_DIGITS:
                continue
            if text[end : end + 1] and text[end] in not_after:
                continue
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
        pieces.append(marker(kind))
        cursor = end
    pieces.append(text[cursor:])
    seen = {kind for _, _, kind in spans}
    return "".join(pieces), [kind for kind in KINDS if kind in seen]
