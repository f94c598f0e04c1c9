"""Find AWS credentials in a paste and take them out before anything else reads it.

Each kind is recognised by its context (a key prefix, or the name it is assigned to), never by
length alone, and never inside an encoded authorization message, whose base64 can look like a key.
"""

from __future__ import annotations

import string
from typing import Any

from bot.matcher import compile_regex

_UPPER_DIGITS = (string.ascii_uppercase + string.digits).encode()
# What a base64 key or token holds and a hex digest does not.
_MIXED = compile_regex(rb"[A-Z/+]")
_BASE64 = (string.ascii_letters + string.digits + "/+").encode()

ACCESS_KEY_ID = "aws-access-key-id"
SECRET_ACCESS_KEY = "aws-secret-access-key"
SESSION_TOKEN = "aws-session-token"
KINDS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)


# RE2 (linear time on untrusted text), on UTF-8 bytes (the binding's str interface re-encodes the
# text on every call); the boundaries RE2 cannot look around are checked after.
_ENCODED_MESSAGE = compile_regex(
    rb"(?:Encoded authorization failure message|EncodedMessage|encoded_message)[\"']?\s*[:=]?\s*[\"']?"
    rb"[A-Za-z0-9_+/=-]{20,}"
)
# The names a secret key and a session token go by: in code and configuration (secret_key,
# aws_secret_access_key, SecretAccessKey, aws-secret-access-key), and in words (the CLI's
# "AWS Secret Access Key", the console's "Secret access key").
_SECRET_NAME = rb"(?i:secret[_ -]?(?:access[_ -]?)?key|aws[_-]?secret)"
_TOKEN_NAME = rb"(?i:session[_ -]?token|security[_-]token|x-amz-security-token)"
# Between a name and its value: a quote, the CLI's prompt default ("[None]"), then `:`, `=` or
# `=>` (assigned), or only white space, one line break at most (spaced: `aws configure set NAME
# VALUE`; the console's and the access portal's label above its value), then a quote.
_NAMED = rb"[\"']?(?:[ \t]*\[[^\]\n]{0,40}\])?"
_ASSIGNED = _NAMED + rb"\s*(?:=>|[:=>])\s*[\"']?"
_SPACED = _NAMED + rb"(?:[ \t]*\n[ \t]*|[ \t]+)[\"']?"
# A key's and a token's characters; JSON may escape their slashes (\/).
_KEY_CHARS = rb"(?:[A-Za-z0-9+]|\\?/)"
_KEY = rb"(" + _KEY_CHARS + rb"{40})"
_ACCESS_KEY = rb"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}"
_TOKEN_CHARS = rb"(?:[A-Za-z0-9+=%]|\\?/)"
_TOKEN = rb"(" + _TOKEN_CHARS + rb"{40,})"
# The base64 of the header every STS session token starts with (today's, and the older one).
_TOKEN_START = rb"(?:IQoJb3JpZ2luX2|FwoGZXIvYXdzE)"
# (kind, expression with the value as group 1, characters that must not follow the value, whether
# the value must look like base64: where only white space follows a name, a hex digest may too)
_DETECTORS: tuple[tuple[str, Any, bytes, bool], ...] = (
    (ACCESS_KEY_ID, compile_regex(rb"(" + _ACCESS_KEY + rb")"), _UPPER_DIGITS, False),
    (SECRET_ACCESS_KEY, compile_regex(_SECRET_NAME + _ASSIGNED + _KEY), _BASE64, False),
    (SECRET_ACCESS_KEY, compile_regex(_SECRET_NAME + _SPACED + _KEY), _BASE64, True),
    # A secret key given right after its key id, unnamed: a credentials CSV, a constructor's arguments.
    (SECRET_ACCESS_KEY, compile_regex(_ACCESS_KEY + rb"[\"']?\s*[,;]\s*[\"']?" + _KEY), _BASE64, False),
    (SESSION_TOKEN, compile_regex(_TOKEN_NAME + _ASSIGNED + _TOKEN), b"", False),
    (SESSION_TOKEN, compile_regex(_TOKEN_NAME + _SPACED + _TOKEN), b"", True),
    # STS's session tokens open alike, whatever they are assigned to (Terraform's `token = "..."`).
    (SESSION_TOKEN, compile_regex(rb"(" + _TOKEN_START + _TOKEN_CHARS + rb"{40,})"), b"", False),
)
# Every detector needs one of these: a text holding none of them holds no credential (most
# messages, done in one scan; the first look of a paste looks for them too). The words of an
# error ("The security token included in the request is expired") are not signs. Like the first
# look's phrases, a sign reads backticks as white space: tidying a paste (bot.paste.TIDYING) cannot
# make one appear.
SIGNS = (
    r"(?i:secret[_\s`-]*(?:access[_\s`-]*)?key|aws[_-]?secret|session[_\s`-]*token|security[_-]token"
    r"|x-amz-security-token)",
    "A(?:KIA|SIA|BIA|CCA|3T)",
    "IQoJb3JpZ2luX2|FwoGZXIvYXdzE",
)
_SIGN = compile_regex("|".join(SIGNS).encode())


def marker(kind: str) -> str:
    """What stands in a credential's place: a token that keeps an ARN or an assignment whole."""
    return "REDACTED_" + kind.upper().replace("-", "_")


def redact(text: str) -> tuple[str, list[str]]:
    """The text with every credential replaced by a marker, and the kinds seen (in KINDS order)."""
    data = text.encode("utf-8", "surrogatepass")
    redacted, seen = redact_data(data)
    return (text, seen) if redacted is data else (redacted.decode("utf-8", "surrogatepass"), seen)


def redact_data(data: bytes) -> tuple[bytes, list[str]]:
    """`redact` on UTF-8 bytes: the same bytes object back when there is nothing to take out."""
    if not _SIGN.search(data):
        return data, []
    protected = [m.span() for m in _ENCODED_MESSAGE.finditer(data)]
    spans: list[tuple[int, int, str]] = []
    for kind, detector, not_after, base64 in _DETECTORS:
        for match in detector.finditer(data):
            start, end = match.span(1)
            if kind == ACCESS_KEY_ID and start > 0 and data[start - 1] in _UPPER_DIGITS:
                continue
            if end < len(data) and data[end] in not_after:
                continue
            if base64 and not _MIXED.search(data, start, end):
                continue  # no upper case, / or +: a hex digest (a commit, a checksum)
            if not any(p_start <= start < p_end for p_start, p_end in protected):
                spans.append((start, end, kind))
    if not spans:
        return data, []
    pieces: list[bytes] = []
    cursor = 0
    for start, end, kind in sorted(spans):
        if start < cursor:
            continue
        pieces.append(data[cursor:start])
        pieces.append(marker(kind).encode())
        cursor = end
    pieces.append(data[cursor:])
    seen = {kind for _, _, kind in spans}
    return b"".join(pieces), [kind for kind in KINDS if kind in seen]
