"""The Bot API's refusals, worded as Telegram words them.

A method raises `ApiError`; the server turns it into `{"ok": false, "error_code": ..,
"description": ..}`. The texts come from the real server (tdlib/telegram-bot-api and TDLib), because
callers match on them: PTB maps the status to an exception class and keeps the description.
"""

from __future__ import annotations

from typing import Any

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_GETUPDATES = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"  # noqa: E501 - Telegram's exact wording


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description, and optional response parameters."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        parameters: dict[str, int] = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 with Telegram's prefix; like the real server, lower-cases a leading word's capital."""
    return ApiError(400, f"Bad Request: {_lower_first(detail)}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", retry_after=max(1, retry_after)
    )


def _lower_first(detail: str) -> str:
    """`Message text is empty` -> `message text is empty`, but `BUTTON_DATA_INVALID` stays."""
    if len(detail) >= 2 and (detail[1] == "_" or detail[1].isupper()):
        return detail
    return detail[:1].lower() + detail[1:]


class StandInError(Exception):
    """The driver was asked for something a Telegram user could not do (a missing button...)."""
