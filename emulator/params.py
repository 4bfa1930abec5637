"""Decoding Bot API requests (query string, form, multipart, JSON) into typed parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request

MAX_BODY_BYTES = 52 * 1024 * 1024
_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """A request's parameters with Telegram-style coercion (form values arrive as strings)."""

    __slots__ = ("files", "token", "values")

    def __init__(self, values: dict[str, Any], files: dict[str, Upload], token: str) -> None:
        """Wrap decoded ``values`` and uploaded ``files`` of a request made with ``token``."""
        self.values = values
        self.files = files
        self.token = token

    def __contains__(self, name: str) -> bool:
        """Return whether parameter ``name`` was given."""
        return name in self.values or name in self.files

    def raw(self, name: str) -> Any:
        """Return the value as received, or None."""
        return self.values.get(name)

    def str(self, name: str, default: str | None = None) -> str | None:
        """Return a string parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def int(self, name: str, default: int | None = None) -> int | None:
        """Return an integer parameter; a value that is not an integer is a 400."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def float(self, name: str, default: float | None = None) -> float | None:
        """Return a number parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def bool(self, name: str, default: bool = False) -> bool:
        """Return a boolean parameter ("true"/"1" are true)."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        return str(value).strip().lower() in ("true", "1", "yes")

    def json(self, name: str, error: str) -> Any:
        """Return a JSON-valued parameter (decoded if sent as a string); bad JSON is a 400."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(error) from None

    def upload(self, name: str) -> Upload | str | None:
        """Return a file parameter: an uploaded file, or a string (file_id or URL)."""
        upload = self.files.get(name)
        if upload is not None:
            return upload
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.files.get(value[len("attach://") :])
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            return attached
        if isinstance(value, Upload):
            return value
        return value if isinstance(value, str) and value else None

    def chat_id_hint(self) -> int | None:
        """Return ``chat_id`` as an int when it is one (for the request log), else None."""
        value = self.values.get("chat_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return None
        return None


async def read_params(request: web.Request, token: str) -> Params:
    """Decode a Bot API request's query string and body into :class:`Params`."""
    values: dict[str, Any] = dict(request.query) if request.query_string else {}
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return Params(values, files, token)
    ctype = request.content_type
    try:
        if ctype in _JSON_TYPES:
            body = await request.read()
            if body.strip():
                try:
                    decoded = json.loads(body)
                except ValueError:
                    raise bad_request("can't parse JSON encoded request body") from None
                if not isinstance(decoded, dict):
                    raise bad_request("JSON encoded request body must be an object")
                values.update(decoded)
        elif ctype in _FORM_TYPES:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.content_type, value.file.read())
                else:
                    values[key] = value
        else:
            await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    return Params(values, files, token)
