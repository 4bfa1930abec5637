"""Settings read from the environment and a .env file, checked before anything starts."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parent

_TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
# Telegram's rules for webhooks: the ports it posts to, and what a secret_token may hold.
_WEBHOOK_PORTS = (443, 80, 88, 8443)
_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Served beside the webhook (and on HEALTH_PORT), so a webhook path may not take it.
HEALTH_PATH = "/healthz"
MIN_BACKUP_KEY = 16  # characters in BACKUP_KEY
_PLACEHOLDER_TOKENS = {"changeme", "change-me", "your-token-here", "token", "xxx", "replace-me"}

# How each setting can be fixed, shown when it is wrong.
_FIXES = {
    "bot_token": "Get a token from @BotFather in Telegram and put BOT_TOKEN=<token> in .env.",
    "bot_api_base_url": "Leave BOT_API_BASE_URL unset to use Telegram, or give a full http(s) URL.",
    "bot_api_base_file_url": (
        "Leave BOT_API_BASE_FILE_URL unset to use Telegram, or give a full http(s) URL."
    ),
    "database_path": "Set DATABASE_PATH to a file path, for example data/forum.db.",
    "coordinator_ids": "Set COORDINATOR_IDS to Telegram ids separated by commas, e.g. 12345,67890.",
    "timezone": "Set TIMEZONE to a name like Europe/London.",
    "quiet_hours_start": "Use a whole hour from 0 to 23.",
    "quiet_hours_end": "Use a whole hour from 0 to 23.",
    "delivery_rate_per_second": (
        "Set DELIVERY_RATE_PER_SECOND to a number from 1 to 30 (Telegram allows about 30)."
    ),
    "delivery_max_attempts": "Set DELIVERY_MAX_ATTEMPTS to a whole number from 1 to 20.",
    "delivery_retry_base_seconds": (
        "Set DELIVERY_RETRY_BASE_SECONDS to a number of seconds above 0 and at most 60."
    ),
    "delivery_send_timeout_seconds": (
        "Set DELIVERY_SEND_TIMEOUT_SECONDS to a number of seconds above 0 and at most 120."
    ),
    "delivery_progress_seconds": (
        "Set DELIVERY_PROGRESS_SECONDS to a number of seconds from 1 to 300."
    ),
    "meeting_reminder_hours": (
        "Set MEETING_REMINDER_HOURS to hours before a meeting, separated by commas, e.g. 24,2."
    ),
    "consultation_nudge_hours": (
        "Set CONSULTATION_NUDGE_HOURS to a whole number of hours from 1 to 168, e.g. 24."
    ),
    "small_group_threshold": (
        "Set SMALL_GROUP_THRESHOLD to a whole number of people from 5 to 1000, e.g. 10."
    ),
    "log_format": "Set LOG_FORMAT to text or json.",
    "backup_every_hours": "Set BACKUP_EVERY_HOURS to a whole number of hours from 1 to 168.",
    "backup_keep": "Set BACKUP_KEEP to how many backups to keep, from 1 to 365.",
    "backup_key": (
        "Set BACKUP_KEY to a long random passphrase, e.g. the output of "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(32))', "
        "or leave it unset to keep backups unencrypted (readable by this user only)."
    ),
    "webhook_port": "Set WEBHOOK_PORT to a port number from 1 to 65535.",
    "health_port": "Set HEALTH_PORT to a port number from 1 to 65535, or leave it unset.",
    "webhook_url": (
        "Set WEBHOOK_URL to the https:// address Telegram should post to (port 443, 80, 88 "
        "or 8443), e.g. https://bot.example.org/telegram, or leave it unset for long polling."
    ),
    "webhook_secret": (
        "Set WEBHOOK_SECRET to 1 to 256 letters, digits, _ or -, or leave it unset "
        "(a new random one is made at each start)."
    ),
    "webhook_listen": "Set WEBHOOK_LISTEN to an address to listen on, e.g. 127.0.0.1.",
    "urgent_contact_reminder_hours": (
        "Set URGENT_CONTACT_REMINDER_HOURS to a whole number of hours from 1 to 48, e.g. 2."
    ),
}


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_base_file_url: str = "https://api.telegram.org/file/bot"
    database_path: Path = Path("data/forum.db")
    coordinator_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Europe/London"
    forum_file: Path = CONFIG_DIR / "forum.yaml"
    directory_file: Path = CONFIG_DIR / "support_directory.yaml"
    crisis_phrases_file: Path = CONFIG_DIR / "crisis_phrases.yaml"
    crisis_rules_file: Path = CONFIG_DIR / "crisis_rules.yaml"
    texts_dir: Path = CONFIG_DIR / "texts"
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=8, ge=0, le=23)
    # The delivery engine: sends to many people, leaving room under Telegram's ~30/s for replies.
    delivery_rate_per_second: float = Field(default=25, ge=1, le=30)
    delivery_max_attempts: int = Field(default=5, ge=1, le=20)
    delivery_retry_base_seconds: float = Field(default=1.0, gt=0, le=60)
    delivery_send_timeout_seconds: float = Field(default=20.0, gt=0, le=120)
    delivery_progress_seconds: float = Field(default=5.0, ge=1, le=300)
    # Meeting reminders go out this many hours before the start (whole hours, 1 to 168).
    meeting_reminder_hours: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [24, 2])
    # One nudge to members who have not answered, this many hours before a consultation closes.
    consultation_nudge_hours: int = Field(default=24, ge=1, le=168)
    # Reports about people never show a group (region, hub) with fewer than this many answers
    # on its own: it is put in "other areas"; a whole under it shows "fewer than 10", no split.
    small_group_threshold: int = Field(default=10, ge=5, le=1000)
    # An urgent request to be contacted (from a crisis reply) that no coordinator has taken
    # after this many hours: every coordinator is reminded, once.
    urgent_contact_reminder_hours: int = Field(default=2, ge=1, le=48)
    log_level: str = "INFO"
    # "text" (one plain line per event) or "json" (one JSON object per line).
    log_format: Literal["text", "json"] = "text"

    # Backups (python -m bot backup, and the bot's own every BACKUP_EVERY_HOURS); unset, the
    # folder is "backups" beside the database.
    backup_dir: Path = Path("data/backups")
    backup_every_hours: int = Field(default=24, ge=1, le=168)
    backup_keep: int = Field(default=14, ge=1, le=365)
    # With a key, backups are encrypted; without one, written readable by this user only.
    backup_key: SecretStr | None = None

    # How long data is kept: an editable file.
    retention_file: Path = CONFIG_DIR / "retention.yaml"
    # Survey files (one YAML file per survey), read at start and by /newsurvey.
    surveys_dir: Path = CONFIG_DIR / "surveys"
    # The skills members pick from on /journey (an editable list).
    journey_skills_file: Path = CONFIG_DIR / "journey_skills.yaml"
    # The progression stages (/progression): an editable file.
    progression_stages_file: Path = CONFIG_DIR / "progression_stages.yaml"

    # Webhooks: with WEBHOOK_URL set, Telegram posts updates to it instead of long polling.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    # In polling mode, GET /healthz is served on this port when it is set.
    health_port: int | None = Field(default=None, ge=1, le=65535)

    @field_validator("bot_token")
    @classmethod
    def _token_is_real(cls, value: SecretStr | None) -> SecretStr | None:
        """Refuse placeholder tokens and anything that cannot be a bot token."""
        if value is None:
            return None
        raw = value.get_secret_value().strip()
        if not raw:
            return None
        if raw.lower() in _PLACEHOLDER_TOKENS or not _TOKEN_PATTERN.match(raw):
            raise ValueError("this does not look like a bot token from @BotFather")
        return SecretStr(raw)

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Read a comma-separated list of Telegram ids."""
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            ids = []
            for part in parts:
                if not (part.isascii() and part.isdigit()):
                    raise ValueError(f"{part!r} is not a Telegram id (a whole number)")
                ids.append(int(part))
            return ids
        return value

    @field_validator("meeting_reminder_hours", mode="before")
    @classmethod
    def _split_hours(cls, value: object) -> object:
        """Read hours like '24,2': whole numbers from 1 to 168, largest first, no repeats."""
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            hours = set()
            for part in value:
                text = str(part)
                if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 168:
                    raise ValueError(f"{text!r} is not a whole number of hours from 1 to 168")
                hours.add(int(text))
            return sorted(hours, reverse=True)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """Accept only time zones that zoneinfo knows."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("bot_api_base_url", "bot_api_base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """Accept only http(s) addresses."""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        """Accept only an https address Telegram can post to (its ports: 443, 80, 88, 8443)."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            parts = urlsplit(value)
            port = parts.port
        except ValueError:
            raise ValueError("this is not a web address") from None
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("Telegram only posts to https:// addresses")
        if port not in (None, *_WEBHOOK_PORTS):
            raise ValueError(f"Telegram only posts to ports 443, 80, 88 or 8443, not {port}")
        if parts.fragment or parts.username or parts.password:
            raise ValueError("the address must not hold a #part or a user name")
        if (parts.path or "/") == HEALTH_PATH:
            raise ValueError(f"{HEALTH_PATH} is kept for the health check")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram's rule for secret_token: 1 to 256 of A-Z, a-z, 0-9, _ and -."""
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        if not _SECRET_PATTERN.fullmatch(raw):
            raise ValueError("it must be 1 to 256 letters, digits, _ or - (Telegram's rule)")
        return SecretStr(raw)

    @field_validator("webhook_listen")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        """An address to listen on, never empty."""
        if not value.strip():
            raise ValueError("it is empty")
        return value.strip()

    @model_validator(mode="after")
    def _secret_for_webhook(self) -> Settings:
        """With a webhook and no WEBHOOK_SECRET, make a random one for this run."""
        if self.webhook_url is not None and self.webhook_secret is None:
            self.webhook_secret = SecretStr(secrets.token_urlsafe(32))
        return self

    @field_validator("backup_key")
    @classmethod
    def _backup_key(cls, value: SecretStr | None) -> SecretStr | None:
        """A passphrase of at least 16 characters (spaces at the ends ignored), or none."""
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        if len(raw) < MIN_BACKUP_KEY:
            raise ValueError(f"it is too short: use at least {MIN_BACKUP_KEY} characters")
        return SecretStr(raw)

    @model_validator(mode="after")
    def _backups_beside_database(self) -> Settings:
        """BACKUP_DIR not set: a folder called backups beside the database (data/backups)."""
        if "backup_dir" not in self.model_fields_set:
            self.backup_dir = self.database_path.parent / "backups"
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone for showing and reading times."""
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning any mistake into a ConfigError that names the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "settings"
            message = error["msg"].removeprefix("Value error, ")
            fix = _FIXES.get(name, "")
            problems.append(f"{name.upper()}: {message}. {fix}".strip())
        raise ConfigError("settings", "; ".join(problems)) from None
