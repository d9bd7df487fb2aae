"""Pipeline settings: command-line flags over DYADWATCH_* environment variables over defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dyadwatch.processors.territories import DEFAULT_POLICY, load_policy
from dyadwatch.processors.windows import parse_duration
from dyadwatch.streams.security import check as check_security
from dyadwatch.streams.security import read_secret_file

ENV_PREFIX = "DYADWATCH_"


@dataclass(frozen=True)
class Settings:
    broker: str = "kafka://127.0.0.1:9092"
    topic_prefix: str = "dyadwatch"
    partitions: int = 8
    replication_factor: int = 1
    app_id: str = "dyadwatch"
    windows: tuple[int, ...] = (3600, 86400)
    lateness: int = 6 * 3600
    max_article_bytes: int = 256 * 1024  # larger records are dead-lettered (too_large)
    # The largest record value the pipeline's producers send (Kafka's producer max.request.size); keep it at or under
    # the broker's message.max.bytes (Apache Kafka's default: 1,048,588).
    max_record_bytes: int = 1024 * 1024
    # A dead letter keeps the original whole up to this size, else its first this-many bytes (flagged truncated).
    dead_letter_original_bytes: int = 256 * 1024
    max_chars: int = 50_000  # longer articles are cut before tagging and counted as truncated
    max_sentences: int = 1_000
    gazetteer_topic: str = ""  # default <prefix>.gazetteer; replay points it at the source pipeline's
    territory_policy: str = DEFAULT_POLICY  # processors/data/territory-policies/<name>.tsv, or a path
    max_mentions: int = 1_000  # listed per mentions record
    max_pairs: int = 300  # listed per mentions record
    web_port: int = 6066
    workdir: Path = Path(".dyadwatch")
    session_timeout: float = 6.0
    heartbeat_interval: float = 1.0
    rebalance_timeout: float = 10.0
    commit_interval: float = 1.0
    watermark_interval: float = 1.0
    # An input partition that has sent nothing for this long (seconds) stops holding windows open until it sends
    # again (see streams/tagging.py, announce_idle). 0 (the default) keeps every partition in the watermark.
    idle_timeout: float = 0.0
    fetch_max_wait_ms: int = (
        100  # each hop waits up to this for new records; see docs/performance.md (Soak) for why not less
    )
    producer_linger: float = 0.02
    watch_pairs: tuple[str, ...] = ()
    top_pairs: int = 50
    alert_min_articles: int = 5
    alert_z: float = 3.0
    connect_timeout: float = 10.0
    # Security (SASL/SSL) for real clusters, checked by streams.security; the password is read from
    # DYADWATCH_SASL_PASSWORD or DYADWATCH_SASL_PASSWORD_FILE, never from a flag.
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_check_hostname: bool = True

    def topic(self, name: str) -> str:
        """Full topic name: `articles` -> `dyadwatch.articles`."""
        return f"{self.topic_prefix}.{name}" if self.topic_prefix else name

    @property
    def bootstrap(self) -> str:
        """host:port list for kafka-python (no kafka:// scheme)."""
        return ",".join(part.split("://", 1)[-1] for part in self.broker.split(","))

    @property
    def faust_broker(self) -> str:
        return ";".join(f"kafka://{part}" for part in self.bootstrap.split(","))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Defaults, then DYADWATCH_* variables, then the non-None keyword overrides (command-line flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            raw = env.get(ENV_PREFIX + spec.name.upper())
            if raw is not None and raw != "":
                values[spec.name] = _convert(spec.name, raw)
        password_file = env.get(ENV_PREFIX + "SASL_PASSWORD_FILE")
        if password_file and "sasl_password" not in values:
            values["sasl_password"] = read_secret_file(password_file)
        values.update({k: _convert(k, v) if isinstance(v, str) else v for k, v in overrides.items() if v is not None})
        settings = replace(cls(), **values)
        check_security(settings)
        check_limits(settings)
        load_policy(settings.territory_policy)  # an unknown policy stops here, with the list of known ones
        return settings


def check_limits(settings: Settings) -> None:
    """A dead letter must fit in a record, whatever it refuses."""
    from dyadwatch.streams.dead_letters import size_of

    largest = size_of(settings.dead_letter_original_bytes)
    if largest > settings.max_record_bytes:
        raise ValueError(
            f"DYADWATCH_DEAD_LETTER_ORIGINAL_BYTES={settings.dead_letter_original_bytes} makes dead letters of up to "
            f"{largest} bytes, over DYADWATCH_MAX_RECORD_BYTES={settings.max_record_bytes}: lower the first or raise "
            "the second (and the broker's message.max.bytes)"
        )


def _convert(name: str, raw: str) -> object:
    if name == "watch_pairs":
        return tuple(sorted(part.strip().upper() for part in raw.split(",") if part.strip()))
    if name == "windows":
        return tuple(parse_duration(part) for part in raw.split(",") if part.strip())
    if name == "lateness":
        return parse_duration(raw)
    if name == "ssl_check_hostname":
        return raw.strip().lower() not in {"0", "false", "no", "off"}
    if name in {"security_protocol", "sasl_mechanism"}:
        return raw.strip().upper()
    return _BY_TYPE.get(str(_FIELD_TYPES[name]), str)(raw)


# The remaining settings convert by their declared type (annotations are strings here: `from __future__`).
_FIELD_TYPES = {spec.name: spec.type for spec in fields(Settings)}
_BY_TYPE = {"int": int, "float": float, "Path": Path}
