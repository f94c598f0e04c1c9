"""Normalisation: what Slack, terminals and tools do to an error must not hide it."""

from __future__ import annotations

import html
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import paste
from bot.diagnosis import default_matcher, diagnose, first_look, prepare
from bot.paste import normalise

ERROR = (
    "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:PassRole "
    "on resource: arn:aws:iam::123456789012:role/app-role"
)
ROLE = "arn:aws:iam::123456789012:role/app-role"


def _role(text: str) -> str | None:
    primary = diagnose(text).primary
    return primary.entities.get("role_arn") if primary else None


def test_slack_escaping_and_links_are_undone() -> None:
    assert (
        normalise("a &lt;b&gt; &amp; <https://x.example/a|x.example/a> <@U123>")
        == "a <b> & x.example/a @U123"
    )
    assert _role(ERROR.replace("User:", "&lt;User&gt;:")) == ROLE


def test_a_markdown_mail_link_is_its_label_and_its_glued_tail_goes() -> None:
    assert (
        normalise("write to [jo@example.com](mailto:jo@example.com) today") == "write to jo@example.com today"
    )
    # Copied from a rendered page, the tail stays glued to an ARN's last part, a role's as a caller's.
    assert _role(ERROR.replace("app-role", "app-role](mailto:app-role)")) == ROLE
    assert normalise("(bob](mailto:bob)) x") == "(bob) x"


def test_code_fences_and_backticks_are_removed() -> None:
    assert _role(f"```text\n{ERROR}\n```") == ROLE
    assert _role(ERROR.replace("iam:PassRole", "`iam:PassRole`")) == ROLE
    # A block glued to its backticks keeps its first word; a fence's language alone on its line goes.
    assert normalise("```Cannot assume role provided.```") == "\nCannot assume role provided.\n"
    assert normalise("```python\nx\n```") == "\n\nx\n\n"
    assert _role(f"```yaml  \n{ERROR}```") == ROLE


def test_terraform_box_margins_are_removed_and_a_wrapped_sentence_still_matches() -> None:
    boxed = "╷\n│ Error: api error AccessDenied: User: arn:aws:iam::123456789012:user/bob is not\n│ authorized to perform: iam:PassRole on resource:\n│ arn:aws:iam::123456789012:role/app-role\n╵"
    assert _role(boxed) == ROLE


def test_a_box_margin_is_taken_off_every_line_it_opens_and_nowhere_else() -> None:
    # The first line and the others alike; a bar alone on its line goes, one glued to a word or
    # inside a line stays.
    boxed = "| a\n│ b\n  ┃\tc\n|\n|x\n \t╵ \nkeep | this\n│"
    assert paste.normalise(boxed) == "a\nb\nc\n\n|x\n\nkeep | this\n"


def test_an_error_quoted_or_commented_line_by_line_still_matches() -> None:
    lines = [
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform:",
        "iam:PassRole on resource:",
        "arn:aws:iam::123456789012:role/app-role",
    ]
    # A Slack quote (each line sent as "&gt; "), a mail quote in two levels, a quoted Terraform box,
    # a script's comments.
    for margin in ("&gt; ", ">> ", "> │ ", "# "):
        assert _role("\n".join(margin + line for line in lines)) == ROLE, margin
    # A margin only opens a line, and needs the space after it; a run of marks is one. A quote's or
    # comment's goes where it continues the line before's: a lone line, or a block's first, keeps it.
    assert normalise("x\n>>> a\n>>> b\n#!/bin/sh\n#1 b\na > c\n## d\n>") == (
        "x\n>>> a\nb\n#!/bin/sh\n#1 b\na > c\n## d\n>"
    )
    # So a heading or a remark after an ARN cut at a slash is not read as the ARN's end.
    cut = ERROR.replace("role/app-role", "role/")
    for after in ("## Expected Behavior", "# any idea?\n# thanks", "> any idea?"):
        assert _role(f"{cut}\n{after}") == "arn:aws:iam::123456789012:role/", after


def test_json_escaped_error_text_is_read() -> None:
    escaped = '{"message": "' + ERROR.replace(":", "\\u003a", 1) + '\\n\\"quoted\\""}'
    assert _role(escaped) == ROLE


def test_xml_error_body_is_read_and_masks_in_angle_brackets_survive() -> None:
    body = (
        '<?xml version="1.0"?><ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
        "<Message>User: arn:aws:iam::&lt;account-id&gt;:user/bob is not authorized to perform: "
        "iam:PassRole on resource: arn:aws:iam::&lt;account-id&gt;:role/app-role</Message></Error></ErrorResponse>"
    )
    assert _role(body) == "arn:aws:iam::<account-id>:role/app-role"


def test_full_width_punctuation_is_folded() -> None:
    assert _role(ERROR.replace(": ", "： ").replace("perform:", "perform：")) == ROLE


def test_every_full_width_form_and_the_ideographic_space_are_folded_in_japanese_text() -> None:
    # Each on its own, in Japanese text whose punctuation (、。「」) stays; a folded backtick goes,
    # as every backtick does.
    for code in range(0xFF01, 0xFF5F):
        folded = chr(code - 0xFF01 + 0x21).replace("`", "")
        assert paste.normalise(f"「ロール」、x{chr(code)}y。") == f"「ロール」、x{folded}y。", hex(code)
    # The ideographic space is folded before box margins are looked for: it may indent one.
    assert paste.normalise("「ロール」、\n\u3000│ x。") == "「ロール」、\nx。"


def test_an_arn_broken_across_lines_by_a_terminal_is_joined() -> None:
    broken = ERROR.replace("role/app-role", "role/\napp-role")
    assert _role(broken) == ROLE
    wide = "x" * 20 + " " + ERROR
    lines = [wide[i : i + 70] for i in range(0, len(wide), 70)]
    assert _role("\n".join(lines)) == ROLE


def test_a_line_ending_with_an_arn_is_not_glued_to_the_next_line() -> None:
    text = ERROR + "\nPlease help, this blocks our deploy"
    assert _role(text) == ROLE


def test_control_characters_and_binary_junk_do_not_break_matching() -> None:
    junk = "\x00\x01\ufffe" + ERROR + "\x7f\x1b[31m"
    assert _role(junk) == ROLE


@pytest.mark.parametrize(
    "text",
    [
        ERROR.replace(" not ", " not ``` "),
        ERROR.replace(" not ", " not\r\n\t"),
        "```\n" + ERROR.replace(" ", "  ") + "\n```",
    ],
)
def test_an_error_whose_white_space_or_code_fences_need_tidying_is_still_read(text: str) -> None:
    assert _role(text) == ROLE


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        # A fence inside a line starts a new one, which a box margin may open.
        ("Unable to ``` | locate credentials", "credentials-not-found"),
        ("AccessDenied: Access ``` │ Denied", "access-denied-unspecified"),
        # A fence splitting a long line makes two lines a terminal may have wrapped.
        (
            "b" * 51 + " NoCreden ``` tialsError: unable to find credentials for the s3 client ok\nend",
            "credentials-not-found",
        ),
    ],
)
def test_an_error_a_code_fence_splits_is_read_as_normalising_joins_it(text: str, cause: str) -> None:
    primary = diagnose(text).primary
    assert primary is not None and primary.cause.id == cause


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("aws_secret_access_key ` = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-access-key"),
        ("session_token\n```\n: " + "A" * 44, "aws-session-token"),
    ],
)
def test_a_credential_split_by_a_backtick_or_a_fence_is_still_seen(text: str, kind: str) -> None:
    assert diagnose(text).secrets_seen == [kind]


# Characters every normalising step reacts to.
_TRICKY = [
    *'ab:/=-_ |<>@#!&`\\"\t\r\n\x00\x1b\u00a0\u3000\uff1a\uff5c│╷',
    "http://x",
    "<@U1>",
    "&amp;",
    "\\n",
]


_PIECES = [
    *_TRICKY,
    *"abcé. ロール",
    " ",
    "\n",
    "\u2028",
    "\u200d",
    "\ud800",
    "\ud83d\ude00",  # both halves of one character, unescaped
    "\uff5c",
    "secret",
    "ToKeN",
    "AKIA",
    "</Error>",
    "<?xml",
    "<https://x|y>",
    "<@U1|a\nb>",
    "<#C1>",
    "\\u0041",
    "\\ud83d",
    "\\ude00",
    "a" * 61,
    # Margins: a Slack quote, a mail quote, a comment, a full-width mark that folds into one.
    "&gt; ",
    "\n> ",
    "\n# ",
    "\uff1e",
    "key=",
    "arn:aws:iam::1:role/",
    # Pieces of phrases, which tidying or joining might bring together.
    "Access",
    "Denied",
    "AccessDenied",
    "not",
    "authorized",
    " is not authorized to perform: ",
    "```",
    " ``` | ",
    "``` │",
    "aws_secret_access_key ` = ",
    "\u3000",
]


def _first_look_agrees_with_preparing(text: str) -> None:
    # Most messages skip preparing: no sign of anything to change, or only Slack's links.
    # A paste in which nothing can match may be left as it is (only its white space untidied).
    matcher = default_matcher()
    data, possible, secrets_seen = first_look(matcher, text)
    prepared, secrets = prepare(text)
    assert secrets_seen == secrets
    if possible == []:
        assert matcher.look(prepared.encode("utf-8", "replace"))[0] == []
    else:
        assert data == prepared.encode("utf-8", "replace")
        assert possible is None or possible == matcher.look(data)[0]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_the_first_look_gives_what_preparing_would(text: str) -> None:
    _first_look_agrees_with_preparing(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join))
def test_the_first_look_at_a_long_paste_gives_what_preparing_would(text: str) -> None:
    # Long pastes that normalising likely changes skip the look at the text as it is.
    _first_look_agrees_with_preparing((text + " ") * (4000 // (len(text) + 1) + 1))


@pytest.mark.parametrize(
    "text",
    [
        "assume arn:aws:iam::\n123456789012:role/app now",
        "under a/b/\nc please",
        "path /a/b-\nc please",
        "set key=\nvalue please",
        "set a=b_\nc please",
        # Inline code: the line ends inside the token only once its backtick is gone.
        "assume `arn:aws:iam::123456789012:role/`\napp now",
    ],
)
def test_a_token_broken_at_a_line_end_is_joined_though_nothing_else_needs_preparing(text: str) -> None:
    data, _, _ = first_look(default_matcher(), text)
    assert data == prepare(text)[0].encode() != text.encode()


def test_an_arn_in_inline_code_broken_at_a_line_end_is_joined() -> None:
    broken = ERROR.replace(
        "arn:aws:iam::123456789012:role/app-role", "`arn:aws:iam::123456789012:role/`\napp-role"
    )
    assert _role(broken) == ROLE


def test_a_lone_surrogate_from_json_is_read_like_any_other_odd_character() -> None:
    text = (
        "\ud800 session token: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: "
        "iam:PassRole on resource: arn:aws:iam::123456789012:role/app"
    )
    triage = diagnose(text)
    assert triage.primary is not None and triage.primary.cause.id == "passrole-denied"
    assert triage.primary.entities["role_arn"] == "arn:aws:iam::123456789012:role/app"


def test_json_escaped_utf16_halves_make_one_character_and_a_lone_half_a_question_mark() -> None:
    # A JSON body escapes an emoji as two halves; a credential sign sends the paste to redaction.
    assert prepare('token \\"ok\\ud83d\\ude00') == ('token "ok\U0001f600', [])
    assert prepare('token \\"ok\\ud83d!') == ('token "ok?!', [])
    assert prepare('token \\"ok\\uD83D\\uDE00') == ('token "ok\U0001f600', [])


def test_a_paste_longer_than_the_cut_is_cut_before_it_is_read() -> None:
    tail = (
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: iam:PassRole on resource: x"
    )
    text = "a" * paste.MAX_CHARS + tail
    data, _, _ = first_look(default_matcher(), text)
    assert len(data) == paste.MAX_CHARS
    assert diagnose(text).diagnoses == []


def test_a_paste_whose_only_odd_character_is_a_lone_surrogate_is_prepared_as_the_look_reads_it() -> None:
    # The look reads the surrogate as encoding makes it ('?'), so sees no odd character at all.
    _first_look_agrees_with_preparing("\ud800 is not authorized to perform: ")


def test_a_long_paste_normalising_likely_changes_is_normalised_whole() -> None:
    # Such a paste is not looked at as it is: no sign spares any step of normalising.
    escaped = ERROR.replace(ROLE, f"&quot;{ROLE}&quot;")
    log = "INFO deploy step finished without error\n" * 120
    assert len(log + escaped) > 4000
    assert _role(log + escaped) == ROLE


_ENTITY_PIECES = st.sampled_from(
    [
        "&",
        "amp;",
        "&amp;",
        "&lt;",
        "lt;",
        "&gt;",
        "&quot;",
        "&#39;",
        "&#x27;",
        "&nbsp;",
        "&amp",
        "&lt",
        "x",
        ";",
        "#",
    ]
)


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_ENTITY_PIECES, max_size=80))
def test_entities_are_written_out_as_html_does(pieces: list[str]) -> None:
    # One pass, as html.unescape reads them: "&amp;lt;" stays "&lt;", a legacy "&amp" without
    # its semicolon is an ampersand, an unknown entity stays as it is.
    text = "".join(pieces)
    assert paste.unescape(text) == html.unescape(text)


def test_a_slack_escaped_paste_is_written_out_in_one_pass() -> None:
    escaped = "User: &lt;arn&gt; &amp;lt;b&amp;gt; &quot;x&quot; &#39;y&#39;\n" * 3  # many ampersands
    assert paste.unescape(escaped) == "User: <arn> &lt;b&gt; \"x\" 'y'\n" * 3


_LINES = st.lists(
    st.sampled_from(
        [
            *("", "x" * 59, "y" * 60, "z" * 61, "w" * 120, "short line", "\r", "v" * 61 + "\r" + "u" * 61),
            *("あ" * 30, "い" * 60, "\ud800" * 61),
        ]
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(lines=_LINES)
def test_long_neighbouring_lines_are_found_as_splitting_finds_them(lines: list[str]) -> None:
    # The definition: two neighbouring lines (split as the text's line breaks split it) both at
    # least 60 characters long; a wrapped paste's lines are also of one width.
    text = ("." * 50 + "\n") * 45 + "\n".join(lines)  # long enough to be looked at before it is split
    split = re.split("\r\n|\r|\n", text) if "\r" in text else text.split("\n")
    neighbours = any(a >= 60 <= b for a, b in itertools.pairwise(map(len, split)))
    assert paste.may_rejoin(text) == (len(text) > paste.SHORT and neighbours)
    widths = list(map(len, text.split("\n")))
    same = any(a == b >= 60 for a, b in itertools.pairwise(widths))
    assert paste.wrapped(text) == (len(text) > paste.SHORT and same)
