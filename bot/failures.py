"""One place that turns failures into what the user is told and what the log keeps.

A known failure (Slack refused a call, Redis is down) gets a plain sentence; an unknown one is
logged with a short id that the user sees too, so the two can be matched. Never pasted text.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError

from bot.knowledge import Lang

log = logging.getLogger("bot.failures")


@dataclass(frozen=True)
class Failure:
    error_id: str
    known: bool
    en: str
    ja: str

    def message(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en


def describe(exc: BaseException, where: str) -> Failure:
    """Classify and log a failure; the returned Failure says what to tell the user."""
    error_id = uuid.uuid4().hex[:8]
    if isinstance(exc, SlackApiError):
        code = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
        log.warning("slack api error in %s: %s (id %s)", where, code, error_id)
        return Failure(
            error_id,
            True,
            f"Slack refused a call I needed ({code}); please try again in a minute.",
            f"Slack が必要な呼び出しを拒否しました ({code})。少し待ってからもう一度お試しください。",
        )
    if isinstance(exc, RedisError):
        log.warning("redis error in %s (id %s)", where, error_id)
        return Failure(
            error_id,
            True,
            "My shared state store is unavailable; please try again shortly.",
            "状態を保存するストアが使えません。少し待ってからもう一度お試しください。",
        )
    log.error("unexpected failure in %s (id %s)", where, error_id, exc_info=exc)
    return Failure(
        error_id,
        False,
        f"Something went wrong on my side (error id {error_id}). The team can find it in the logs.",
        f"内部でエラーが発生しました (エラー ID {error_id})。ログで確認できます。",
    )
