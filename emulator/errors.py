"""The Bot API error type and Telegram's own error descriptions."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(
        self,
        code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Create an error with HTTP status ``code`` and Telegram's ``description``."""
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(description: str) -> ApiError:
    """Return a 400 error whose description gets Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


def too_many_requests(retry_after: int) -> ApiError:
    """Return Telegram's flood-control error asking the client to wait ``retry_after`` s."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


NOT_FOUND = "Not Found"
METHOD_NOT_FOUND = "Not Found: method not found"
UNAUTHORIZED = "Unauthorized"
CHAT_NOT_FOUND = "chat not found"
BOT_BLOCKED = "Forbidden: bot was blocked by the user"
USER_DEACTIVATED = "Forbidden: user is deactivated"
BOT_KICKED = "Forbidden: bot was kicked from the group chat"
BOT_KICKED_SUPERGROUP = "Forbidden: bot was kicked from the supergroup chat"
GROUP_UPGRADED = "group chat was upgraded to a supergroup chat"
THREAD_NOT_FOUND = "message thread not found"
USER_NOT_FOUND = "user not found"
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "message to edit not found"
CANT_EDIT = "message can't be edited"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "there is no caption in the message to edit"
DELETE_NOT_FOUND = "message to delete not found"
CANT_DELETE = "message can't be deleted"
CANT_DELETE_FOR_EVERYONE = "message can't be deleted for everyone"
REPLY_NOT_FOUND = "message to be replied not found"
COPY_NOT_FOUND = "message to copy not found"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
FILE_EMPTY = "file must be non-empty"
FILE_TOO_BIG = "file is too big"
IMAGE_PROCESS_FAILED = "IMAGE_PROCESS_FAILED"
PHOTO_INVALID_DIMENSIONS = "PHOTO_INVALID_DIMENSIONS"
NOT_UTF8 = "strings must be encoded in UTF-8"
MARKUP_JSON = "can't parse reply keyboard markup JSON object"
GETUPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
