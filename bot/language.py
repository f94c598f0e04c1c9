"""Which language to answer in: Japanese when the paste holds Japanese, else English."""

from __future__ import annotations

import re

from bot.knowledge import Lang

# Hiragana, katakana and the CJK ideographs the Japanese console and users write.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]")


def detect(text: str) -> Lang:
    """'ja' when the text holds a few Japanese characters (the user's words or the console's)."""
    if text.isascii():
        return "en"
    hits = _JAPANESE.finditer(text)
    return "ja" if next(hits, None) and next(hits, None) else "en"
