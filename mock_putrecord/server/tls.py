"""TLS for ``--tls``: a server context with ALPN (``h2`` first), from given certificate files
or from a self-signed certificate made at start with the ``cryptography`` package."""
from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import tempfile

CRYPTOGRAPHY_MISSING = (
    "a self-signed certificate needs the cryptography package: pip install 'mock_putrecord[server]' "
    "(or pass --certfile and --keyfile)"
)


def server_context(certfile: str, keyfile: str | None, *, http2: bool) -> ssl.SSLContext:
    """A TLS server context for ``certfile``/``keyfile`` offering ``h2`` (when ``http2``)
    and ``http/1.1`` by ALPN."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # RFC 9113 §9.2: HTTP/2 needs TLS 1.2+
    context.load_cert_chain(certfile, keyfile)
    context.set_alpn_protocols(["h2", "http/1.1"] if http2 else ["http/1.1"])
    return context


def self_signed(hosts: list[str], directory: str | None = None) -> tuple[str, str]:
    """Write a fresh self-signed certificate for ``hosts`` (names or IP addresses, plus
    ``localhost``, ``127.0.0.1`` and ``::1``) and its key; returns their PEM paths.

    Clients trust it by its path: ``verify=path`` in Python, ``NODE_EXTRA_CA_CERTS=path``
    for Node, ``--cacert path`` for curl.

    :raises RuntimeError: if the ``cryptography`` package is missing.
    """
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ModuleNotFoundError:
        raise RuntimeError(CRYPTOGRAPHY_MISSING) from None
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", "127.0.0.1", "::1", *hosts]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mock_putrecord")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = directory or tempfile.mkdtemp(prefix="mock_putrecord-tls-")
    cert_path = os.path.join(directory, "cert.pem")
    key_path = os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as out:
        out.write(certificate.public_bytes(serialization.Encoding.PEM))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    return cert_path, key_path
