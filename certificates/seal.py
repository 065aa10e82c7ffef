"""The bureau's digital signature on the certificate PDF (PAdES, pyHanko), and its check by any reader.

The PDF is signed PAdES baseline B-B (ETSI EN 319 142-1) with the issuing bureau's X.509 certificate, so a
PDF reader that trusts the issuing CA shows it unaltered since signing, and any change of a byte breaks it.
Where the bureau has no certificate from a real CA (the demo, the tests), ``make_test_ca`` makes a CA and a
bureau certificate it signs; whoever checks a PDF then trusts that CA's certificate, and nothing else.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certificates.face import ISSUER

FIELD = "Signature1"
CA_FILE = "ca.pem"
SIGNER_CERT_FILE = "bureau.pem"
SIGNER_KEY_FILE = "bureau-key.pem"


@dataclass(frozen=True)
class Seal:
    """The bureau's signing certificate and key, with the CA certificate a checker trusts."""

    signer: signers.SimpleSigner
    trust_root: asn1_x509.Certificate

    @classmethod
    def load(cls, folder: Path) -> Seal:
        """The seal whose files are in ``folder`` (``bureau.pem``, ``bureau-key.pem``, ``ca.pem``)."""
        root = load_certificate(folder / CA_FILE)
        registry = SimpleCertificateStore()  # type: ignore[no-untyped-call]  # pyhanko-certvalidator leaves __init__ untyped
        registry.register(root)
        signer = signers.SimpleSigner(
            signing_cert=load_certificate(folder / SIGNER_CERT_FILE),
            signing_key=load_private_key_from_pemder(str(folder / SIGNER_KEY_FILE), passphrase=None),
            cert_registry=registry,
        )
        return cls(signer, root)

    def sign(self, pdf: bytes, reason: str, location: str) -> bytes:
        """The PDF with the bureau's PAdES signature over all of it, its reason the certificate's name, its
        location where the issuing bureau is."""
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        signed: io.BytesIO = signers.PdfSigner(meta, signer=self.signer).sign_pdf(writer)
        return signed.getvalue()


def load_certificate(path: Path) -> asn1_x509.Certificate:
    """An X.509 certificate from a PEM or DER file."""
    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's signature proves: intact bytes, a valid signature, by a certificate chained to the trusted CA."""

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.trusted and self.whole_file


def check(pdf: bytes, trust_root: asn1_x509.Certificate) -> SignatureCheck:
    """Validate the PDF's (first) signature against ``trust_root``; a PDF too broken to read counts as unsigned."""
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # any malformed PDF (pyHanko raises several kinds): it carries no signature we can check
        return SignatureCheck(signed=False)
    if not signatures:
        return SignatureCheck(signed=False)
    try:
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[trust_root]))
    except Exception:  # a signature whose CMS cannot even be parsed proves nothing
        return SignatureCheck(signed=True)
    return SignatureCheck(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signer=status.signing_cert.subject.human_friendly,
    )


def make_test_ca(folder: Path, *, issuer: str = ISSUER, now: datetime | None = None) -> None:
    """A test CA and a bureau certificate it signs, their keys and certificates written to ``folder`` (owner-only)."""
    now = now or datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, "一业一证 测试 CA")]
    )
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now, years=10)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer),
            x509.NameAttribute(NameOID.COMMON_NAME, issuer),
        ]
    )
    bureau = (
        _builder(subject, ca_name, key.public_key(), now, years=3)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write(folder / SIGNER_KEY_FILE, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    _write(folder / SIGNER_CERT_FILE, bureau.public_bytes(Encoding.PEM))
    _write(folder / CA_FILE, ca.public_bytes(Encoding.PEM))


def _builder(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey, now: datetime, years: int
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(data)
