"""Strict checks on the support directory file: every mistake is named with its entry."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.directory.model import NATIONAL, Directory, Need, SupportService
from config.errors import ConfigError

_ID = re.compile(r"^[a-z0-9_]{1,40}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PHONE = re.compile(r"^\d[\d ]*\d$|^\d$")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

_NEED_FIELDS = {"id": True, "label": True, "optional": False}
_SERVICE_FIELDS = {
    "id": True,
    "name": True,
    "needs": True,
    "helps_with": True,
    "phone": False,
    "text": False,
    "web": False,
    "open": True,
    "covers": True,
    "region": True,
    "last_checked": True,
    "source": True,
}
_TOP_FIELDS = {"needs": True, "services": True}

# Longest sensible text for each field, so entries stay short enough to read on a phone.
_MAX_LENGTH = {
    "label": 60,
    "name": 80,
    "helps_with": 160,
    "text": 80,
    "open": 100,
    "covers": 60,
    "web": 300,
    "source": 500,
}


class DirectoryChecker:
    """Checks the parsed file strictly, raising ConfigError at the first mistake found."""

    def __init__(self, source: str, region_ids: set[str], today: date) -> None:
        """Set up for one file, the allowed regions and today's date."""
        self.source = source
        self.regions = {str(r) for r in region_ids} | {NATIONAL}
        # One day of slack so a date typed just after midnight somewhere is not "future".
        self.latest = today + timedelta(days=1)

    def fail(self, entry: str | None, problem: str) -> ConfigError:
        """Build the error for one mistake."""
        return ConfigError(self.source, problem, entry=entry)

    def directory(self, raw: object) -> Directory:
        """Check the whole file and build the directory."""
        if raw is None:
            raise self.fail(
                None, "the file is empty. It needs a 'needs:' list and a 'services:' list."
            )
        if not isinstance(raw, dict):
            raise self.fail(
                None, "the file must start with 'needs:' and 'services:', not a list or text."
            )
        self.fields(None, raw, _TOP_FIELDS, "the file")
        needs_raw = raw["needs"]
        services_raw = raw["services"]
        if not isinstance(needs_raw, list) or not needs_raw:
            raise self.fail(
                "needs", "'needs:' must be a list of needs, each starting with '- id:'."
            )
        if not isinstance(services_raw, list) or not services_raw:
            raise self.fail(
                "services", "'services:' must be a list of services, each starting with '- id:'."
            )
        needs: list[Need] = []
        for position, item in enumerate(needs_raw, start=1):
            needs.append(self.need(position, item, {n.id for n in needs}))
        need_ids = {n.id for n in needs}
        services: list[SupportService] = []
        for position, item in enumerate(services_raw, start=1):
            services.append(self.service(position, item, need_ids, {s.id for s in services}))
        for need in needs:
            used = any(need.id in s.needs for s in services)
            if not used and not need.optional:
                raise self.fail(
                    need.id,
                    "no service lists this need. Add a service with it under 'needs', "
                    "or add 'optional: true' to the need.",
                )
        return Directory(self.source, tuple(needs), tuple(services))

    def need(self, position: int, item: object, seen: set[str]) -> Need:
        """Check one entry in the needs list."""
        label = f"need {position}"
        if not isinstance(item, dict):
            raise self.fail(label, "each need must have 'id:' and 'label:' on their own lines.")
        need_id = self.identifier(label, item.get("id"), seen, "need")
        self.fields(need_id, item, _NEED_FIELDS, "a need")
        text = self.text(need_id, item, "label")
        optional = item.get("optional", False)
        if not isinstance(optional, bool):
            raise self.fail(need_id, "'optional' must be true or false.")
        return Need(need_id, text, optional)

    def service(
        self, position: int, item: object, need_ids: set[str], seen: set[str]
    ) -> SupportService:
        """Check one entry in the services list."""
        label = f"service {position}"
        if not isinstance(item, dict):
            raise self.fail(
                label, "each service must be a set of lines like 'id:', 'name:' and so on."
            )
        service_id = self.identifier(label, item.get("id"), seen, "service")
        self.fields(service_id, item, _SERVICE_FIELDS, "a service")
        name = self.text(service_id, item, "name")
        needs = self.need_list(service_id, item.get("needs"), need_ids)
        helps_with = self.text(service_id, item, "helps_with")
        phone = self.phone(service_id, item.get("phone"))
        text = self.text(service_id, item, "text") if "text" in item else None
        web = self.url(service_id, "web", item.get("web")) if "web" in item else None
        if phone is None and text is None and web is None:
            raise self.fail(
                service_id, "there is no way to reach this service. Add a phone, text or web line."
            )
        region = item.get("region")
        if not isinstance(region, str) or region not in self.regions:
            allowed = ", ".join(sorted(self.regions - {NATIONAL}))
            raise self.fail(
                service_id,
                f"'region' is {_shown(region)}. Use national, or one of: {allowed}.",
            )
        return SupportService(
            id=service_id,
            name=name,
            needs=needs,
            helps_with=helps_with,
            open=self.text(service_id, item, "open"),
            covers=self.text(service_id, item, "covers"),
            region=region,
            last_checked=self.checked_date(service_id, item.get("last_checked")),
            source=self.url(service_id, "source", item.get("source")),
            phone=phone,
            text=text,
            web=web,
        )

    def fields(
        self, entry: str | None, item: dict[Any, Any], spec: dict[str, bool], what: str
    ) -> None:
        """Refuse unknown fields and missing required ones."""
        for key in item:
            if not isinstance(key, str) or key not in spec:
                hint = (
                    difflib.get_close_matches(key, list(spec), n=1) if isinstance(key, str) else []
                )
                fix = f" Did you mean '{hint[0]}'?" if hint else ""
                known = ", ".join(spec)
                shown = "An empty name" if key is None else _shown(key)
                raise self.fail(
                    entry,
                    f"{shown} is not a field {what} can have.{fix} The fields are: {known}.",
                )
        for key, required in spec.items():
            if required and key not in item:
                raise self.fail(entry, f"the '{key}:' line is missing.")

    def identifier(self, label: str, value: object, seen: set[str], what: str) -> str:
        """Check that an id is short, lower case and used once."""
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(
                label,
                f"the {what} needs an 'id:' of 1 to 40 lower-case letters, digits or _ "
                f"(no spaces); it is {_shown(value)}.",
            )
        if value in seen:
            raise self.fail(value, f"two {what}s have this id. Every id must be different.")
        return value

    def text(self, entry: str, item: dict[Any, Any], field: str) -> str:
        """Check a one-line piece of text that people will read."""
        value = item.get(field)
        if isinstance(value, bool | int | float):
            raise self.fail(entry, f"'{field}' must be words. Put it in double quotes.")
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail(entry, f"'{field}' is empty. Write some words after the colon.")
        if not isinstance(value, str):
            raise self.fail(entry, f"'{field}' must be some words, not {_shown(value)}.")
        cleaned = value.strip()
        if "\n" in cleaned or "\r" in cleaned:
            raise self.fail(entry, f"'{field}' must fit on one line.")
        if any(ord(ch) < 32 for ch in cleaned):
            raise self.fail(entry, f"'{field}' has a hidden control character. Retype it.")
        limit = _MAX_LENGTH.get(field)
        if limit is not None and len(cleaned) > limit:
            raise self.fail(
                entry,
                f"'{field}' is {len(cleaned)} characters long; keep it to {limit} or fewer.",
            )
        return cleaned

    def need_list(self, entry: str, value: object, need_ids: set[str]) -> tuple[str, ...]:
        """Check the list of need ids a service gives help with."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(entry, "'needs' must list at least one need, like [housing, money].")
        result: list[str] = []
        for need_id in value:
            if not isinstance(need_id, str) or need_id not in need_ids:
                hint = (
                    difflib.get_close_matches(need_id, sorted(need_ids), n=1)
                    if isinstance(need_id, str)
                    else []
                )
                fix = f" Did you mean '{hint[0]}'?" if hint else ""
                raise self.fail(
                    entry,
                    f"{_shown(need_id)} is not one of the needs at the top of the file.{fix}",
                )
            if need_id in result:
                raise self.fail(entry, f"'{need_id}' is listed twice under 'needs'.")
            result.append(need_id)
        return tuple(result)

    def phone(self, entry: str, value: object) -> str | None:
        """Check a phone number written as dialled in the UK."""
        if value is None:
            return None
        if isinstance(value, bool | int | float):
            raise self.fail(
                entry, 'write the phone number in double quotes, for example "0808 800 4444".'
            )
        if not isinstance(value, str) or not _PHONE.match(value.strip()):
            raise self.fail(
                entry,
                f"the phone number {_shown(value)} must be digits and spaces only, "
                "as dialled in the UK.",
            )
        digits = sum(ch.isdigit() for ch in value)
        if not 3 <= digits <= 13:
            raise self.fail(
                entry,
                f"the phone number {_shown(value)} has {digits} digits; check it is the whole "
                "number, as you would dial it.",
            )
        return " ".join(value.split())

    def url(self, entry: str, field: str, value: object) -> str:
        """Check a full https web address."""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(entry, f"'{field}' must be a web address starting https://")
        cleaned = value.strip()
        try:
            parts = urlsplit(cleaned)
            host = parts.hostname or ""
        except ValueError:
            parts, host = None, ""
        if (
            parts is None
            or parts.scheme != "https"
            or not _HOST.match(host)
            or any(ch.isspace() for ch in cleaned)
            or parts.username is not None
        ):
            raise self.fail(
                entry,
                f"'{field}' is {_shown(value)}, which is not a full web address. "
                "It must start https:// and have no spaces.",
            )
        limit = _MAX_LENGTH[field]
        if len(cleaned) > limit:
            raise self.fail(entry, f"'{field}' is longer than {limit} characters.")
        return cleaned

    def checked_date(self, entry: str, value: object) -> date:
        """Check last_checked is a real YYYY-MM-DD date that is not in the future."""
        if isinstance(value, datetime):
            value = value.date().isoformat()
        elif isinstance(value, date):
            value = value.isoformat()
        if not isinstance(value, str) or not _DATE.match(value.strip()):
            raise self.fail(
                entry,
                f"'last_checked' is {_shown(value)}. Write the date as YYYY-MM-DD, "
                "for example 2026-11-26.",
            )
        try:
            when = date.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(entry, f"'last_checked' {value.strip()} is not a real date.") from None
        if when > self.latest:
            raise self.fail(
                entry,
                f"'last_checked' {when.isoformat()} is in the future. Use the day you checked it.",
            )
        return when


def _shown(value: object) -> str:
    """A short, readable form of a wrong value for an error message (never the whole of it)."""
    if value is None:
        return "missing"
    if isinstance(value, str):
        text = f"'{value}'"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, list):
        text = "a list"
    elif isinstance(value, dict):
        text = "a group of fields"
    else:
        text = f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."
