"""Trust on the wire and at rest, with real server processes: HTTPS with a self-signed
certificate made here, the desk pinning the server's key at enrollment (a different key is
refused, even one the desk's CA file trusts), enrollment refused over plain HTTP to another
machine, signed feed pages (a forged page is not applied), a cursor beyond the server's,
and the server's files private with desk secrets wrapped (docs/security.md)."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from desk_app.domain.errors import DeskError
from sync.client import SyncClient
from sync.errors import SyncError
from sync.protocol import b64
from sync.tlspin import spki_pin
from tests.sync.conftest import FAST_CLIENT, UNIT, ServerProcess, add_intake


def make_certificate(folder: Path, name: str) -> tuple[Path, Path, str]:
    """A self-signed certificate for 127.0.0.1 (usable as its own CA); returns the
    certificate and key files and the key's pin."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"sync test {name}")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / f"{name}.crt", folder / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_file, key_file, spki_pin(cert.public_bytes(serialization.Encoding.DER))


@pytest.fixture
def tls_server(tmp_path):
    cert, key, pin = make_certificate(tmp_path, "province")
    srv = ServerProcess(tmp_path / "srv", tls=(cert, key))
    srv.data.mkdir()
    srv.start()
    yield srv, cert, pin
    srv.stop()


def test_https_enrollment_pins_the_key_and_a_different_key_is_refused(tmp_path, desk, tls_server, intake_json):
    srv, cert, pin = tls_server
    province = srv.province()
    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(FAST_CLIENT)
    code = province.enroll_code(UNIT, 3)["code"]
    with pytest.raises(DeskError):  # a self-signed certificate nobody vouched for: refused
        desk.sync.enroll(srv.url, code)
    enrolled = desk.sync.enroll(srv.url, code, ca_file=str(cert))  # the province's CA file
    assert enrolled["server_pin"] == pin
    add_intake(desk, intake_json)
    assert desk.sync.sync_once().ok

    # An on-path attacker answers on the same address with another key, one the desk's CA
    # file even trusts: the desk refuses before sending anything.
    srv.stop()
    other_cert, other_key, other_pin = make_certificate(tmp_path, "attacker")
    assert other_pin != pin
    srv.tls = (other_cert, other_key)
    srv.start()
    add_intake(desk, intake_json)
    summary = desk.sync.sync_once()
    assert not summary.ok
    assert "server_key_changed" in json.dumps(summary.to_json())
    assert len(province.dossiers()) == 1  # the second dossier never left the desk
    province.close()


def test_enrollment_with_a_pin_from_the_province(desk, tls_server):
    srv, _cert, pin = tls_server
    province = srv.province()
    desk.sync.vault.use_keyring = False
    desk.sync.client_options.update(FAST_CLIENT)
    with pytest.raises(DeskError) as wrong:
        desk.sync.enroll(srv.url, province.enroll_code(UNIT, 3)["code"], pin="ab" * 32)
    assert wrong.value.field == "server"
    code = province.enroll_code(UNIT, 3)["code"]
    assert desk.sync.enroll(srv.url, code, pin=pin.removeprefix("sha256/").upper())["server_pin"] == pin
    assert desk.sync.sync_once().online
    assert desk.sync.status(ping=True)["online"]  # the status ping trusts the pinned key too
    province.close()


def test_enrollment_refuses_plain_http_except_loopback(desk):
    with pytest.raises(DeskError) as refused:
        desk.sync.enroll("http://10.0.0.7:8080", "ABCD-EFGH-JKLM-NPQR")
    assert refused.value.field == "server"
    with pytest.raises(SyncError) as plain:
        SyncClient(None, server_url="http://sync.example.gov.vn").enroll("ABCD-EFGH-JKLM-NPQR")
    assert plain.value.reason == "insecure_url"


class ForgingServer(ThreadingHTTPServer):
    """An on-path attacker without the desk's key: answers every request with its own page."""

    def __init__(self, answer: dict, signature: str | None):
        self.answer = json.dumps(answer).encode()
        self.signature = signature

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):
                handler.send_response(200)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(self.answer)))
                if self.signature is not None:
                    handler.send_header("X-Sync-Answer-Signature", self.signature)
                handler.end_headers()
                handler.wfile.write(self.answer)

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_a_forged_feed_page_is_not_applied(enrolled, server):
    credential = enrolled.sync.credential()
    forged = {"changes": [], "cursor": 10**12, "more": False}
    for signature in (b64(os.urandom(32)), None):
        attacker = ForgingServer(forged, signature)
        client = SyncClient(credential, server_url=f"http://127.0.0.1:{attacker.server_port}", max_attempts=1)
        with pytest.raises(SyncError) as refused:
            client.changes(0)
        assert refused.value.reason in ("answer_not_signed", "transport")
        attacker.shutdown()
    assert enrolled.sync.store.cursor() == 0


def test_a_cursor_beyond_the_servers_is_refused_and_the_desk_reads_again(enrolled, server, province):
    client = enrolled.sync.make_client(enrolled.sync.credential())
    province.publish_calendar("2026-12-24", "off", "test")
    with pytest.raises(SyncError) as ahead:
        client.changes(10**12)
    assert ahead.value.reason == "cursor_ahead" and ahead.value.extra["server_cursor"] == 1
    enrolled.sync.store.apply_changes([], 10**12, "2026-11-18T09:30:00+07:00")  # as a MITM once left it
    assert enrolled.sync.sync_once().ok
    assert enrolled.sync.store.cursor() == 1


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_server_files_are_private_and_desk_secrets_wrapped(tmp_path, enrolled, server, intake_json):
    add_intake(enrolled, intake_json)
    assert enrolled.sync.sync_once().ok
    server.stop()  # let SQLite fold its WAL into the database file
    data = server.data
    assert mode(data) == 0o700
    for name in ("server.sqlite3", "files", "uploads"):
        assert mode(data / name) in (0o600, 0o700), name
    key_file = data.with_name(data.name + ".key")
    assert mode(key_file) == 0o600 and key_file.parent != data
    secret = enrolled.sync.credential().secret
    stored = b"".join(p.read_bytes() for p in data.iterdir() if p.name.startswith("server.sqlite3"))
    assert secret not in stored and b64(secret).encode() not in stored and secret.hex().encode() not in stored
    server.start()  # the wrapped secret still opens with the key: the desk syncs on
    add_intake(enrolled, intake_json)
    assert enrolled.sync.sync_once().ok
