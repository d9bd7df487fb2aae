"""How dyadwatch authenticates to and encrypts its broker connections: one place for every client.

kafka-python (the CLI's produce/consume/admin) and aiokafka (inside the Faust worker) take the same
settings; this module checks them once and builds the TLS context and Faust credentials from them.
Secrets (the SASL password) come from DYADWATCH_SASL_PASSWORD or the file named by
DYADWATCH_SASL_PASSWORD_FILE, are never accepted as a flag, and never appear in a message.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dyadwatch.streams.settings import Settings

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def uses_tls(settings: Settings) -> bool:
    return settings.security_protocol in {"SSL", "SASL_SSL"}


def uses_sasl(settings: Settings) -> bool:
    return settings.security_protocol in {"SASL_PLAINTEXT", "SASL_SSL"}


def check(settings: Settings) -> None:
    """Raise ValueError, naming the setting to fix, when the security settings cannot work together."""
    if settings.security_protocol not in PROTOCOLS:
        raise ValueError(
            f"DYADWATCH_SECURITY_PROTOCOL is {settings.security_protocol!r}; use one of {', '.join(PROTOCOLS)}"
        )
    if uses_sasl(settings):
        if settings.sasl_mechanism not in MECHANISMS:
            raise ValueError(
                f"DYADWATCH_SASL_MECHANISM is {settings.sasl_mechanism!r}; with {settings.security_protocol} "
                f"use one of {', '.join(MECHANISMS)}"
            )
        if not settings.sasl_username:
            raise ValueError(f"{settings.security_protocol} needs DYADWATCH_SASL_USERNAME")
        if not settings.sasl_password:
            raise ValueError(
                f"{settings.security_protocol} needs a password: set DYADWATCH_SASL_PASSWORD or "
                "DYADWATCH_SASL_PASSWORD_FILE"
            )
    elif settings.sasl_mechanism:
        raise ValueError(
            f"DYADWATCH_SASL_MECHANISM is set but DYADWATCH_SECURITY_PROTOCOL is {settings.security_protocol}; "
            "use SASL_SSL (or SASL_PLAINTEXT on a trusted network)"
        )
    for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
        value = getattr(settings, name)
        if value and not Path(value).is_file():
            raise ValueError(f"DYADWATCH_{name.upper()} is {value!r}, which is not a readable file")
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        raise ValueError("a client certificate needs both DYADWATCH_SSL_CERTFILE and DYADWATCH_SSL_KEYFILE")


def read_secret_file(path: str) -> str:
    """The first line of a secret file (Kubernetes and Docker secrets end with a newline)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the password file {path!r}: {exc.strerror}") from None
    return text.splitlines()[0] if text.strip() else ""


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """TLS 1.2+ client context: the CA file (or the system's CAs), hostname checking, optional client cert."""
    context = ssl.create_default_context(cafile=settings.ssl_cafile or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = settings.ssl_check_hostname
    if settings.ssl_certfile:
        context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile)
    return context


def faust_credentials(settings: Settings) -> Any:
    """The `broker_credentials` for faust.App (None for PLAINTEXT)."""
    import faust

    context = ssl_context(settings) if uses_tls(settings) else None
    if uses_sasl(settings):
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=settings.sasl_password,
            ssl_context=context,
            mechanism=settings.sasl_mechanism,
        )
    return faust.SSLCredentials(context) if context is not None else None


def client_options(settings: Settings) -> dict[str, Any]:
    """The security part of a kafka-python or aiokafka client's configuration (both take the same keys)."""
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if uses_sasl(settings):
        options.update(
            sasl_mechanism=settings.sasl_mechanism,
            sasl_plain_username=settings.sasl_username,
            sasl_plain_password=settings.sasl_password,
        )
    if uses_tls(settings):
        options["ssl_context"] = ssl_context(settings)
    return options
