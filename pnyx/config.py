"""Settings: one declaration per setting, read from env ``PNYX_*`` or ``pnyx.toml``.

Each field carries its type, default and help text; ``docs/configuration.md`` is
generated from these declarations and a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from pnyx.errors import ConfigError

MIN_SECRET_CHARS = 32
# Values people paste from tutorials; a server signing tokens with one of them is open to anyone.
KNOWN_DEFAULT_SECRETS = frozenset({"changeme", "change-me", "secret", "secret-key", "pnyx", "password", "development"})
SECRET_FILE_NAME = "pnyx-secret.key"


class Settings(BaseSettings):
    """Every setting of pnyx; env ``PNYX_<NAME>`` overrides ``pnyx.toml``."""

    model_config = SettingsConfigDict(env_prefix="PNYX_", extra="forbid")

    database_url: str = Field(
        "sqlite+aiosqlite:///./pnyx.db",
        description="SQLAlchemy URL of the database: `sqlite+aiosqlite:///path.db` or `postgresql+asyncpg://...`.",
    )
    redis_url: str | None = Field(
        None, description="Redis URL for pub/sub and shared rate limits; unset: in-process broker and memory limits."
    )
    secret_key: SecretStr | None = Field(
        None,
        description=f"Signs reader tokens. At least {MIN_SECRET_CHARS} characters; unset: generated once into "
        f"`{SECRET_FILE_NAME}` in the data folder.",
    )
    data_dir: Path = Field(Path("."), description="Folder for the generated secret and other local state.")
    public_url: str = Field("http://127.0.0.1:8000", description="Where readers reach pnyx (links in mails).")
    demo: bool = Field(False, description="Demo mode: allows a short secret. Never set it in production.")
    edit_window_minutes: int = Field(15, ge=0, description="How long a reader may edit or delete their own comment.")
    max_body_chars: int = Field(10_000, ge=1, description="Longest comment body, in characters (longer: 413).")
    max_name_chars: int = Field(80, ge=1, description="Longest author name, in characters (longer: 422).")
    max_depth: int = Field(
        5, ge=1, le=50, description="Deepest reply level shown; replies below it are attached at the last level."
    )
    page_size: int = Field(20, ge=1, le=100, description="Top-level comments per page when the request names no limit.")
    view_all_cap: int = Field(1000, ge=1, description="Most top-level comments that one 'view all' request returns.")
    rate_limits: str = Field(
        "on", description="`on`: per-identity and per-IP limits on every write; `off` turns them off (benchmarks)."
    )
    smtp_host: str | None = Field(
        None, description="SMTP server for outgoing mail; unset: mail is kept in the outbox and only logged."
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="`starttls` (port 587), `tls` (implicit TLS, port 465) or `none` (local relays only)."
    )
    smtp_user: str | None = Field(None, description="SMTP login; unset: no authentication.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password, with `PNYX_SMTP_USER`.")
    mail_from: str = Field("pnyx@localhost", description="From address of every mail pnyx sends.")
    digest_minutes: int = Field(
        60, ge=1, le=7 * 24 * 60, description="Digest subscriptions get at most one mail per thread this often."
    )
    worker: Literal["embedded", "external"] = Field(
        "embedded",
        description="`embedded`: `pnyx serve` delivers the outbox itself; `external`: only `pnyx worker` does.",
    )
    webhook_private_targets: bool = Field(
        False,
        description="Allow webhooks to loopback and private addresses (a hook on the same host or network).",
    )
    admin_session_hours: int = Field(
        12, ge=1, le=24 * 30, description="How long a moderator stays signed in to the admin console without using it."
    )
    admin_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins in a row after which a moderator account is locked for a while."
    )
    admin_lockout_minutes: int = Field(15, ge=1, description="How long a locked moderator account stays locked.")
    akismet_key: SecretStr | None = Field(
        None, description="API key of an Akismet-compatible spam check; unset: only pnyx's own heuristics run."
    )
    akismet_url: str = Field(
        "https://rest.akismet.com/1.1/comment-check",
        description="The comment-check endpoint of the Akismet-compatible service.",
    )
    akismet_timeout_s: float = Field(
        2.0, gt=0, le=30, description="How long a post waits for the spam check; on timeout or error it is skipped."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated addresses or networks whose `X-Forwarded-For` is believed; none by default.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file is named when settings are read, not at import: PNYX_CONFIG may change in between.
        toml_file = os.environ.get("PNYX_CONFIG", "pnyx.toml")
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ValueError(f"{network!r} is not an IP address or network") from exc
        return value

    @field_validator("rate_limits")
    @classmethod
    def _check_rate_limits(cls, value: str) -> str:
        if value not in ("on", "off"):
            raise ValueError("rate_limits must be 'on' or 'off'")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment and ``pnyx.toml``; a bad value raises ConfigError."""
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(f"pnyx cannot start with these settings: {exc}") from exc


def resolve_secret(settings: Settings) -> str:
    """The signing secret: the configured one if it is safe, else one generated once into the data folder."""
    if settings.secret_key is not None:
        secret = settings.secret_key.get_secret_value()
        if not settings.demo and (len(secret) < MIN_SECRET_CHARS or secret.lower() in KNOWN_DEFAULT_SECRETS):
            raise ConfigError(
                f"PNYX_SECRET_KEY is too short or a well-known default; use at least {MIN_SECRET_CHARS} random "
                "characters (for example the output of `python -c 'import secrets; print(secrets.token_urlsafe())'`)."
            )
        return secret
    return _read_or_create_secret(settings.data_dir / SECRET_FILE_NAME)


def _read_or_create_secret(path: Path) -> str:
    if path.exists():
        secret = path.read_text().strip()
        if len(secret) >= MIN_SECRET_CHARS:
            return secret
        raise ConfigError(
            f"The secret in {path} is shorter than {MIN_SECRET_CHARS} characters; delete it to regenerate."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together must not each write a different secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_or_create_secret(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret
