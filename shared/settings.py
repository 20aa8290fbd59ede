"""Read each service's configuration from the environment (12-factor)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Role = Literal["api", "worker", "scheduler"]
ALL_ROLES: tuple[Role, ...] = ("api", "worker", "scheduler")


class ServiceSettings(BaseSettings):
    """Options every service shares; each field is one environment variable."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    mongodb_url: str = Field(
        "mongodb://127.0.0.1:27017/", description="MongoDB (or SecantusDB) connection URL"
    )
    mongodb_db: str = Field("sec", description="Database holding every service's collections")
    amqp_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/", description="RabbitMQ URL (vhost in the path)"
    )
    secret_key: SecretStr = Field(
        description="Key from which subscriber links' signing key is derived (notifier)"
    )
    token_public_keys: list[str] = Field(
        default_factory=list,
        description=(
            "Public keys (JSON list of PEM, Ed25519) bearer tokens may be signed with; two "
            "during a rotation (python -m shared.tokens keygen|rotate)"
        ),
    )
    token_signing_key: SecretStr | None = Field(
        None,
        description=(
            "Development only: the Ed25519 private key (PEM) that mints tokens; a service "
            "holding it mints its own service token. Production sets SERVICE_TOKEN instead"
        ),
    )
    service_token: SecretStr | None = Field(
        None,
        description="This service's token for calling the others (python -m shared.tokens create)",
    )
    token_revocation_refresh_seconds: float = Field(
        10.0, description="How often the list of revoked tokens is read again"
    )
    host: str = Field("127.0.0.1", description="Interface the HTTP server binds")
    roles: list[Role] = Field(
        default_factory=lambda: list(ALL_ROLES),
        description="What this process runs: api, worker, scheduler (JSON list)",
    )
    public_base_url_registry: str = Field(
        "http://127.0.0.1:8081", description="Registry URL as users and emails see it"
    )
    public_base_url_calendar: str = Field(
        "http://127.0.0.1:8082", description="Calendar URL as users and emails see it"
    )
    public_base_url_notifier: str = Field(
        "http://127.0.0.1:8083", description="Notifier URL as users and emails see it"
    )
    registry_url: str = Field(
        "http://127.0.0.1:8081", description="Registry URL for service-to-service calls"
    )
    calendar_url: str = Field(
        "http://127.0.0.1:8082", description="Calendar URL for service-to-service calls"
    )
    notifier_url: str = Field(
        "http://127.0.0.1:8083", description="Notifier URL for service-to-service calls"
    )
    max_body_bytes: int = Field(256 * 1024, description="Largest request body accepted")
    log_level: str = Field("INFO", description="Python logging level")
    log_json: bool = Field(True, description="One JSON object a log line")
    # A replica that does not hold the relay lease cannot wake the one that does: what it
    # commits waits for that relay's next poll (decision 0022).
    outbox_poll_seconds: float = Field(0.1, description="Relay poll interval when idle")
    consumer_prefetch: int = Field(32, description="Unacked messages a consumer may hold")
    consumer_max_attempts: int = Field(5, description="Deliveries before dead-lettering")
    consumer_retry_base_ms: int = Field(500, description="First retry delay; doubles per attempt")
    seed: bool = Field(False, description="Load the service's seed data at start-up")


class RegistrySettings(ServiceSettings):
    port: int = Field(8081, description="Registry HTTP port")
    console_signing_key: SecretStr | None = Field(
        None,
        description=(
            "Ed25519 private key (PEM) with which the staff console mints a signed-in "
            "person's 5-minute tokens for the calendar and notifier, which trust its public "
            "half in TOKEN_PUBLIC_KEYS; unset: the console's meeting and subscriber screens "
            "are unavailable"
        ),
    )
    console_idle_minutes: int = Field(
        60, ge=1, description="A console session ends after this long without a request"
    )
    console_session_hours: int = Field(
        8, ge=1, description="A console session ends this long after signing in, in any case"
    )


class CalendarSettings(ServiceSettings):
    port: int = Field(8082, description="Calendar HTTP port")
    calendar_organizer_name: str = Field(
        "SECAS", description="ORGANIZER's CN in every feed entry (the secretariat)"
    )
    calendar_organizer_email: str = Field(
        "secas@sec.example.org", description="ORGANIZER's mailto address in every feed entry"
    )


class NotifierSettings(ServiceSettings):
    port: int = Field(8083, description="Notifier HTTP port")
    smtp_url: str = Field(
        "smtp://127.0.0.1:1025", description="SMTP relay: smtp://[user:pass@]host:port[?starttls=1]"
    )
    mail_from: str = Field(
        "SECAS Notifications <notifications@sec.example.org>", description="From header"
    )
    list_id_domain: str = Field("sec.example.org", description="Domain of the List-Id header")
    smtp_concurrency: int = Field(8, description="Concurrent SMTP connections per worker")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            'Addresses or networks (JSON list, e.g. ["10.0.0.0/8"]) of the proxies whose '
            "X-Forwarded-For names the client; empty: the socket peer is the client"
        ),
    )
    subscribe_limit_per_client: int = Field(
        20, description="Subscribe requests one client address may make per hour"
    )
    subscribe_limit_per_mailbox: int = Field(
        3, description="Subscribe requests for one mailbox (+tags and case ignored) per hour"
    )
    subscribe_limit_per_mailbox_day: int = Field(
        6, description="Subscribe requests for one mailbox per day"
    )
    dkim_private_key: SecretStr | None = Field(
        None,
        description="DKIM private key: a PEM file's path or the PEM itself; unset: unsigned mail",
    )
    dkim_selector: str | None = Field(
        None, description="DKIM selector: the key's TXT record is <selector>._domainkey.<domain>"
    )
    dkim_domain: str | None = Field(
        None, description="DKIM d= domain; unset, the domain of MAIL_FROM (DMARC alignment)"
    )

    @model_validator(mode="after")
    def _dkim_all_or_nothing(self) -> NotifierSettings:
        if (self.dkim_private_key is None) != (self.dkim_selector is None):
            raise ValueError("DKIM_PRIVATE_KEY and DKIM_SELECTOR are set together or not at all")
        return self
