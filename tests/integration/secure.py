"""A TLS- and SASL-terminating proxy in front of the embedded broker, and a throwaway CA.

Tansu 0.6.0 (the embedded broker) advertises TLS and SASL but neither is usable from a test here:
its CLI rejects `--cert` together with `--key`, and with memory storage a SCRAM user can only be
created by a client that is already authenticated (`user create` against an `--authentication`
broker ends with "early eof"). So the tests put this proxy on loopback in front of it. The clients
(kafka-python in the CLI, aiokafka inside the Faust worker) still do real TLS handshakes against a
certificate signed by a CA made in the test, and real SASL PLAIN / SCRAM-SHA-256/512 exchanges
(RFC 5802, checked here); after authentication the proxy passes bytes through unchanged.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import hashlib
import hmac
import ipaddress
import os
import ssl
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED = 33, 34, 58
SCRAM_ITERATIONS = 4096
FAILED_AUTHENTICATION_DELAY = 0.1  # seconds, Kafka's default


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path
    other_ca: Path  # a CA that signed nothing the proxy presents: clients must refuse the proxy with it


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _ca(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return key, cert


def make_pki(directory: Path) -> Pki:
    """A CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated second CA."""
    ca_key, ca_cert = _ca("dyadwatch test CA")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    _, other = _ca("somebody else's CA")
    pki = Pki(directory / "ca.pem", directory / "server.pem", directory / "server.key", directory / "other-ca.pem")
    pki.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    pki.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pki.key.write_bytes(_key_pem(key))
    pki.other_ca.write_bytes(other.public_bytes(serialization.Encoding.PEM))
    return pki


# --- Kafka wire format, just enough for the two SASL requests -------------------------------------------------


def _uvarint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7


def _put_uvarint(value: int) -> bytes:
    out = bytearray()
    while True:
        if value < 0x80:
            out.append(value)
            return bytes(out)
        out.append((value & 0x7F) | 0x80)
        value >>= 7


def _skip_tags(data: bytes, at: int) -> int:
    count, at = _uvarint(data, at)
    for _ in range(count):
        _, at = _uvarint(data, at)
        size, at = _uvarint(data, at)
        at += size
    return at


def _request_body(frame: bytes, flexible: bool) -> tuple[int, int, int, int]:
    """(api_key, api_version, correlation_id, offset of the body) of one request frame (without its size)."""
    api_key, api_version, correlation = struct.unpack_from(">hhi", frame, 0)
    (client_len,) = struct.unpack_from(">h", frame, 8)
    at = 10 + max(client_len, 0)
    if flexible:
        at = _skip_tags(frame, at)
    return api_key, api_version, correlation, at


def _handshake_response(correlation: int, error: int, mechanisms: list[str]) -> bytes:
    body = struct.pack(">ih", correlation, error) + struct.pack(">i", len(mechanisms))
    for mechanism in mechanisms:
        body += struct.pack(">h", len(mechanism)) + mechanism.encode()
    return body


def _authenticate_response(correlation: int, version: int, error: int, message: str | None, payload: bytes) -> bytes:
    text = message.encode() if message is not None else None
    if version >= 2:
        out = struct.pack(">i", correlation) + b"\x00" + struct.pack(">h", error)
        out += _put_uvarint(0) if text is None else _put_uvarint(len(text) + 1) + text
        out += _put_uvarint(len(payload) + 1) + payload + struct.pack(">q", 0) + b"\x00"
        return out
    out = struct.pack(">ih", correlation, error)
    out += struct.pack(">h", -1) if text is None else struct.pack(">h", len(text)) + text
    out += struct.pack(">i", len(payload)) + payload
    if version >= 1:
        out += struct.pack(">q", 0)
    return out


def _authenticate_payload(frame: bytes, version: int) -> bytes:
    _, _, _, at = _request_body(frame, flexible=version >= 2)
    if version >= 2:
        size, at = _uvarint(frame, at)
        return frame[at : at + size - 1]
    (size,) = struct.unpack_from(">i", frame, at)
    return frame[at + 4 : at + 4 + size]


# --- SASL servers ---------------------------------------------------------------------------------------------


class _Scram:
    """Server side of one SCRAM-SHA-256/512 exchange (RFC 5802 / RFC 7677), without channel binding."""

    def __init__(self, mechanism: str, users: dict[str, str]) -> None:
        self.hash = "sha512" if mechanism.endswith("512") else "sha256"
        self.users = users
        self.step = 0

    def _h(self, data: bytes) -> bytes:
        return hashlib.new(self.hash, data).digest()

    def _hmac(self, key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, self.hash).digest()

    def respond(self, message: bytes) -> tuple[bool | None, bytes]:
        """(None: continue | True: authenticated | False: refused, bytes to send back)."""
        text = message.decode()
        if self.step == 0:
            self.step = 1
            self.client_first_bare = text.split(",", 2)[2]
            fields = dict(part.split("=", 1) for part in self.client_first_bare.split(","))
            self.user = fields.get("n", "")
            self.salt = os.urandom(16)
            self.nonce = fields.get("r", "") + base64.b64encode(os.urandom(18)).decode()
            self.server_first = f"r={self.nonce},s={base64.b64encode(self.salt).decode()},i={SCRAM_ITERATIONS}"
            return None, self.server_first.encode()
        fields = dict(part.split("=", 1) for part in text.split(","))
        without_proof = text.rsplit(",p=", 1)[0]
        password = self.users.get(self.user)
        if password is None or fields.get("r") != self.nonce:
            return False, b""
        salted = hashlib.pbkdf2_hmac(self.hash, password.encode(), self.salt, SCRAM_ITERATIONS)
        client_key = self._hmac(salted, b"Client Key")
        auth_message = f"{self.client_first_bare},{self.server_first},{without_proof}".encode()
        signature = self._hmac(self._h(client_key), auth_message)
        proof = base64.b64decode(fields.get("p", ""))
        recovered = bytes(a ^ b for a, b in zip(proof, signature, strict=False))
        if len(proof) != len(signature) or not hmac.compare_digest(self._h(recovered), self._h(client_key)):
            return False, b""
        server_signature = self._hmac(self._hmac(salted, b"Server Key"), auth_message)
        return True, b"v=" + base64.b64encode(server_signature)


class _Plain:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def respond(self, message: bytes) -> tuple[bool | None, bytes]:
        parts = message.split(b"\x00")
        if len(parts) != 3:
            return False, b""
        user, password = parts[1].decode(), parts[2].decode()
        return self.users.get(user) == password and user in self.users, b""


# --- the proxy ------------------------------------------------------------------------------------------------


class SecureProxy:
    """Listens on 127.0.0.1 (TLS when `pki` is given, SASL when `users` is given) and forwards to `upstream`."""

    def __init__(
        self,
        upstream: tuple[str, int],
        port: int,
        pki: Pki | None = None,
        users: dict[str, str] | None = None,
        mechanisms: tuple[str, ...] = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"),
    ) -> None:
        self.upstream = upstream
        self.port = port
        self.users = users
        self.mechanisms = list(mechanisms)
        self.refused = 0  # failed authentications, for the tests
        self.ssl: ssl.SSLContext | None = None
        if pki is not None:
            self.ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ssl.load_cert_chain(pki.cert, pki.key)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="secure-proxy")
        self._server: asyncio.AbstractServer | None = None

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> SecureProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, ssl=self.ssl)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in asyncio.all_tasks(self._loop) - {asyncio.current_task()}:
            task.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        try:
            if self.users is not None and not await self._authenticate(reader, writer, up_reader, up_writer):
                return
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except (OSError, asyncio.IncompleteReadError, ssl.SSLError, ConnectionError):
            pass
        finally:
            for stream in (writer, up_writer):
                with contextlib.suppress(Exception):
                    stream.close()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
        with contextlib.suppress(Exception):
            sink.close()

    @staticmethod
    async def _frame(reader: asyncio.StreamReader) -> bytes:
        (size,) = struct.unpack(">i", await reader.readexactly(4))
        return await reader.readexactly(size)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, body: bytes) -> None:
        writer.write(struct.pack(">i", len(body)) + body)
        await writer.drain()

    async def _authenticate(self, reader, writer, up_reader, up_writer) -> bool:  # type: ignore[no-untyped-def]
        """Answer SaslHandshake/SaslAuthenticate here; forward anything before them (ApiVersions)."""
        mechanism = None
        while True:
            frame = await self._frame(reader)
            api_key, version, correlation, _ = _request_body(frame, flexible=False)
            if api_key == SASL_HANDSHAKE:
                _, _, _, at = _request_body(frame, flexible=False)
                (size,) = struct.unpack_from(">h", frame, at)
                wanted = frame[at + 2 : at + 2 + size].decode()
                if wanted not in self.mechanisms:
                    await self._send(
                        writer, _handshake_response(correlation, UNSUPPORTED_SASL_MECHANISM, self.mechanisms)
                    )
                    return False
                mechanism = _Scram(wanted, self.users or {}) if wanted.startswith("SCRAM") else _Plain(self.users or {})
                await self._send(writer, _handshake_response(correlation, 0, self.mechanisms))
            elif api_key == SASL_AUTHENTICATE:
                if mechanism is None:
                    await self._send(writer, _authenticate_response(correlation, version, ILLEGAL_SASL_STATE, "", b""))
                    return False
                try:
                    outcome, payload = mechanism.respond(_authenticate_payload(frame, version))
                except (ValueError, UnicodeDecodeError, IndexError):
                    outcome, payload = False, b""
                if outcome is False:
                    self.refused += 1
                    await self._send(writer, _authenticate_response(
                        correlation, version, SASL_AUTHENTICATION_FAILED, "Authentication failed: invalid credentials",
                        b""))  # fmt: skip
                    # Like Kafka's connection.failed.authentication.delay.ms: hanging up at once races the client's
                    # read of the failure response, and the client then sees only "socket disconnected".
                    await asyncio.sleep(FAILED_AUTHENTICATION_DELAY)
                    return False
                await self._send(writer, _authenticate_response(correlation, version, 0, None, payload))
                if outcome is True:
                    return True
            elif api_key == API_VERSIONS and mechanism is None:
                await self._send(up_writer, frame)
                await self._send(writer, await self._frame(up_reader))
            else:  # anything else before authentication: hang up, as a SASL broker does
                self.refused += 1
                return False
