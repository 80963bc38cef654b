"""A self-signed certificate for the emulator's HTTPS, made with ``cryptography``.

CN=localhost with SANs DNS:localhost, IP:127.0.0.1 and IP:::1, valid about a year, an
EC P-256 key written 0600. The certificate is its own CA: clients trust it by using the
certificate PEM as their CA bundle, as they would with a deployment's self-signed CC-FS.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ccfs_tui.core.atomic import atomic_write_bytes, private_dir

CERT_FILE = "ccfs-emulator-cert.pem"
KEY_FILE = "ccfs-emulator-key.pem"
VALIDITY = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class CertificatePair:
    """Paths of the certificate (also the CA bundle) and its private key."""

    cert: Path
    key: Path


def make_certificate(directory: Path, *, now: datetime | None = None) -> CertificatePair:
    """Write a fresh self-signed certificate and key into ``directory``."""
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ccfs-tui CC-FS emulator"),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    private_dir(directory)
    pair = CertificatePair(directory / CERT_FILE, directory / KEY_FILE)
    atomic_write_bytes(
        pair.key,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=0o600,
    )
    atomic_write_bytes(pair.cert, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return pair


def load_or_make_certificate(directory: Path, *, now: datetime | None = None) -> CertificatePair:
    """Reuse the certificate in ``directory`` while it has over a day left, else make one.

    Reusing lets a user trust the same CA bundle across runs of ``ccfs-tui emulator``.
    """
    now = now or datetime.now(UTC)
    pair = CertificatePair(directory / CERT_FILE, directory / KEY_FILE)
    try:
        cert = x509.load_pem_x509_certificate(pair.cert.read_bytes())
        serialization.load_pem_private_key(pair.key.read_bytes(), password=None)
        if cert.not_valid_after_utc - now > timedelta(days=1):
            return pair
    except (OSError, ValueError):
        pass
    return make_certificate(directory, now=now)


def server_context(pair: CertificatePair) -> ssl.SSLContext:
    """The server side TLS context (TLS 1.2+)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(pair.cert, pair.key)
    return context
