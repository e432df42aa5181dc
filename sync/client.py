"""The desk's side of the protocol over HTTP (``requests``). No database here: the
service layer (desk_app.services.sync_service) decides what to send and records answers.

Runs on a background thread (the CLI's main thread or a UI I/O worker), never the UI
thread. One ``SyncClient`` per thread: it keeps a ``requests.Session`` (keep-alive saves a
round trip per request on a 600 ms link) and what it measured (clock offset, throughput).

This module holds the client, its signed requests and the JSON endpoints; file uploads (tus)
are in sync/tus_upload.py and the meaning of transport failures and the backoff in
sync/transport.py. Their public names are importable from here too.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from sync.cancel import Cancel, track_connections
from sync.errors import AUTHENTICATION, SERVER, TRANSPORT, UNREACHABLE, SyncError
from sync.protocol import (
    API_PREFIX,
    H_ANSWER_SIGNATURE,
    H_NONCE,
    H_PROTOCOL,
    H_SERVER_TIME,
    PROTOCOL_VERSION,
    auth_headers,
    check_answer,
    unb64,
)
from sync.tlspin import PinMismatch, PinningAdapter, is_loopback
from sync.transport import Backoff, _caused_by, _error_from_response, _never_connected, answer_cut

# SMALL_FILE_BYTES and SMALL_FILE_RECOVERY are re-exported (as are Backoff and ChunkSizer):
# callers and tests import them from sync.client, where they used to live.
from sync.tus_upload import (  # noqa: F401
    SMALL_FILE_BYTES,
    SMALL_FILE_RECOVERY,
    ChunkSizer,
    TusUploads,
)

USER_AGENT = "desk-app-sync/1.1"
T = TypeVar("T")


def _object(data: Any) -> dict[str, Any]:
    """An answer that must be a JSON object; anything else is the server's fault."""
    if not isinstance(data, dict):
        raise SyncError(SERVER, "server", "answer is not a JSON object")
    return data


@dataclass(frozen=True)
class Credential:
    server_url: str
    desk_id: str
    secret: bytes
    unit_code: str
    desk: int
    # ``sha256/<hex>`` of the server's public key, taken at enrollment over HTTPS
    # (sync/tlspin.py); every later connection must present that key.
    pin: str = ""


def check_enroll_url(url: str) -> None:
    """Enrollment sends the desk's secret back in the answer: only over HTTPS, or plain
    HTTP to this machine (a test or a reverse proxy on the same PC)."""
    if url.startswith("https://") or (url.startswith("http://") and is_loopback(url)):
        return
    raise SyncError(AUTHENTICATION, "insecure_url", url)


class SyncClient(TusUploads):
    def __init__(
        self,
        credential: Credential | None,
        *,
        server_url: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        chunk_target_seconds: float = 3.0,
        sleep: Callable[[float], None] = time.sleep,
        verify: bool | str = True,
        pin: str | None = None,
        cancel: Cancel | None = None,
    ):
        self.credential = credential
        # Set from another thread to stop the round: waits end, connections are cut
        # (sync/cancel.py).
        self.cancel = cancel
        self.base_url = (server_url or (credential.server_url if credential else "")).rstrip("/")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.chunks = ChunkSizer(chunk_target_seconds)
        self.clock_offset = 0.0  # server time - local time, measured at ping
        self.verify = verify
        self.pin = pin if pin is not None else (credential.pin if credential else "") or None
        self.seen_pin = ""  # the server key met on the last HTTPS connection
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.verify = verify
        if self.pin:
            # The pinned key is the trust: a self-signed provincial certificate works, any
            # other key (whoever signed it) is refused on connect.
            self.session.verify = False
            urllib3.disable_warnings(InsecureRequestWarning)
        secure = PinningAdapter(self.pin, self._saw_pin)
        self.session.mount("https://", secure)
        if cancel is not None:
            plain = HTTPAdapter()
            self.session.mount("http://", plain)
            for adapter in (secure, plain):
                track_connections(adapter, cancel)
        self.stats = {"requests": 0, "retries": 0, "file_bytes_sent": 0, "files_uploaded": 0, "files_skipped": 0, "max_chunk": 0}

    def close(self) -> None:
        self.session.close()

    def fork(self) -> SyncClient:
        """A sibling for another thread: same server, credential, options and measured clock
        offset and link, its own ``requests.Session`` (a Session is not shared between
        threads) and its own counters (``absorb`` adds them back)."""
        twin = SyncClient(
            self.credential,
            server_url=self.base_url,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            max_attempts=self.max_attempts,
            backoff_base=self.backoff_base,
            backoff_cap=self.backoff_cap,
            chunk_target_seconds=self.chunks.target,
            sleep=self.sleep,
            verify=self.verify,
            pin=self.pin,
            cancel=self.cancel,
        )
        twin.clock_offset = self.clock_offset
        twin.chunks.size, twin.chunks.throughput, twin.chunks.clean = self.chunks.size, self.chunks.throughput, self.chunks.clean
        return twin

    def absorb(self, other: SyncClient) -> None:
        """Add a forked client's counters to this one's (called on this client's thread)."""
        for key, value in other.stats.items():
            self.stats[key] = max(self.stats[key], value) if key == "max_chunk" else self.stats[key] + value
        other.stats = dict.fromkeys(other.stats, 0)

    def _saw_pin(self, pin: str) -> None:
        self.seen_pin = pin

    def _pause(self, seconds: float) -> None:
        """A backoff wait: ended at once (by ``SyncError(CANCELLED)``) when the round is
        cancelled."""
        if self.cancel is not None:
            self.cancel.wait(seconds)
        else:
            self.sleep(seconds)

    # --- one request ----------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> requests.Response:
        if self.cancel is not None:
            self.cancel.check()
        all_headers = {H_PROTOCOL: PROTOCOL_VERSION, **(headers or {})}
        nonce = ""
        if signed:
            if self.credential is None:
                raise SyncError(AUTHENTICATION, "not_enrolled")
            all_headers.update(auth_headers(
                self.credential.secret, self.credential.desk_id, method, path, body, all_headers,
                stamp=f"{time.time() + self.clock_offset:.3f}",
            ))
            nonce = all_headers[H_NONCE]
        self.stats["requests"] += 1
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                data=body if body else None,
                headers=all_headers,
                timeout=(connect_timeout or self.connect_timeout, timeout or self.timeout),
                allow_redirects=False,
                # Explicit: requests lets $REQUESTS_CA_BUNDLE override a session's verify=False.
                verify=self.session.verify,
            )
        except requests.exceptions.SSLError as exc:
            if _caused_by(exc, PinMismatch):
                raise SyncError(AUTHENTICATION, "server_key_changed", str(self.pin)) from exc
            raise SyncError(AUTHENTICATION, "tls_untrusted", type(exc).__name__) from exc
        except requests.RequestException as exc:
            if self.cancel is not None:
                self.cancel.check()  # the connection was cut on purpose
            reason = UNREACHABLE if _never_connected(exc) else "transport"
            raise SyncError(TRANSPORT, reason, type(exc).__name__) from exc
        if answer_cut(response):
            raise SyncError(TRANSPORT, "transport", f"HTTP {response.status_code} cut short")
        self._note_server_time(response)
        if response.status_code not in ok:
            raise _error_from_response(response)
        # What _signed_json checks the answer against rides on the answer itself.
        response.signed_request = (method, path, nonce)  # type: ignore[attr-defined]
        return response

    def _note_server_time(self, response: requests.Response) -> None:
        stamp = response.headers.get(H_SERVER_TIME)
        if stamp and self.clock_offset == 0.0:
            try:
                self.clock_offset = float(stamp) - time.time()
            except ValueError:
                pass

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise SyncError(TRANSPORT, "transport", "truncated answer") from exc

    def _signed_json(self, response: requests.Response) -> Any:
        """The JSON of an answer the server signed for this request (feed pages, push
        answers): anything else (altered on the way, or from someone without the desk's
        key) is refused before the desk applies it."""
        data = self._json(response)  # a body cut short does not parse: transport, retried
        method, path, nonce = response.signed_request  # type: ignore[attr-defined]
        signature = response.headers.get(H_ANSWER_SIGNATURE)
        if not signature:  # headers cut short look the same as a stripped signature: retried, never applied
            raise SyncError(TRANSPORT, "transport", "answer without signature")
        assert self.credential is not None
        if not check_answer(self.credential.secret, method, path, nonce, response.content, signature):
            raise SyncError(SERVER, "answer_not_signed", f"{method} {path}")
        return data

    def retrying(self, fn: Callable[[], T], *, give_up_unreachable: bool = False) -> T:
        """Run ``fn``; retry transport failures only, with exponential backoff and jitter.
        With ``give_up_unreachable`` a failure to connect at all is not retried (see
        ``check_connectivity``)."""
        backoff = Backoff(self.backoff_base, self.backoff_cap)
        while True:
            try:
                return fn()
            except SyncError as exc:
                if give_up_unreachable and exc.reason == UNREACHABLE:
                    raise
                if not exc.retryable or backoff.attempts + 1 >= self.max_attempts:
                    raise
                self.stats["retries"] += 1
                self._pause(backoff.next_delay())

    # --- endpoints ------------------------------------------------------------------------
    def ping(self, timeout: float = 5.0) -> dict[str, Any]:
        """Cheap connectivity check (one small GET); also measures the clock offset."""
        t0 = time.time()
        response = self._request(
            "GET", f"{API_PREFIX}/ping", signed=False, timeout=timeout, connect_timeout=min(self.connect_timeout, timeout)
        )
        t1 = time.time()
        data = self._json(response)
        server_time = float(data.get("server_time", 0))
        self.clock_offset = server_time - (t0 + t1) / 2
        return {**data, "clock_skew": -self.clock_offset, "rtt": t1 - t0}

    def check_connectivity(self, timeout: float = 5.0) -> dict[str, Any]:
        """The start of a round: ping. When no connection can be made at all (refused, DNS
        failure, no route, connect timeout) the server is down or the network is gone:
        raise ``unreachable`` at once, without in-round retries (the caller's loop backs off
        with jitter before the next round). A ping cut after connecting (a flaky link) is
        retried like any transport failure."""
        return self.retrying(lambda: self.ping(timeout), give_up_unreachable=True)

    def enroll(self, code: str, request_id: str = "") -> Credential:
        """Exchange a one-time code. With a ``request_id`` (saved by the caller before the
        first send) a lost answer is asked for again: the server answers the same credential,
        so transport failures are retried; without one the code is burned by the first try.
        A server that cannot be reached at all (wrong address, server down, no network) is
        reported at once: nothing was sent, so there is no answer to ask for again."""
        check_enroll_url(self.base_url)
        body = json.dumps({"code": code, "request_id": request_id} if request_id else {"code": code}).encode()

        def once() -> Credential:
            data = self._json(self._request("POST", f"{API_PREFIX}/enroll", body=body, signed=False))
            pin = self.seen_pin if self.base_url.startswith("https://") else ""
            try:
                return Credential(self.base_url, data["desk_id"], unb64(data["secret"]), data["unit_code"], int(data["desk"]), pin)
            except (KeyError, TypeError, ValueError) as exc:
                raise SyncError(TRANSPORT, "transport", "truncated answer") from exc

        return self.retrying(once, give_up_unreachable=True) if request_id else once()

    def whoami(self) -> dict[str, Any]:
        return _object(self._signed_json(self._request("GET", f"{API_PREFIX}/desk")))

    def heartbeat(self, report: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(report).encode()
        return _object(self._json(self.retrying(lambda: self._request("POST", f"{API_PREFIX}/heartbeat", body=body))))

    def missing(self, shas: list[str]) -> dict[str, int]:
        """The files among ``shas`` the server lacks, each with the offset it already holds
        (0 = nothing, > 0 = an interrupted upload to resume)."""
        if not shas:
            return {}
        body = json.dumps({"files": shas}).encode()
        response = self.retrying(lambda: self._request("POST", f"{API_PREFIX}/files/missing", body=body))
        data = self._json(response)
        offsets = data.get("offsets") or {}
        return {sha: int(offsets.get(sha, 0)) for sha in data["missing"]}

    def push(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = gzip.compress(json.dumps({"events": events}, ensure_ascii=False).encode("utf-8"), compresslevel=9)
        response = self.retrying(
            lambda: self._request("POST", f"{API_PREFIX}/events", body=body, headers={"Content-Encoding": "gzip"})
        )
        results = self._signed_json(response).get("results")
        if not isinstance(results, list) or len(results) != len(events):
            raise SyncError(SERVER, "server", "answer does not match the batch")
        return results

    def changes(self, after: int, limit: int = 500) -> dict[str, Any]:
        """One signed page of the feed. ``cursor_ahead`` (a SyncError with ``server_cursor``)
        when ``after`` is beyond the server's last change."""
        path = f"{API_PREFIX}/changes?after={int(after)}&limit={int(limit)}"
        response = self.retrying(lambda: self._request("GET", path))
        page = self._signed_json(response)
        cursor = page.get("cursor") if isinstance(page, dict) else None
        if not isinstance(page, dict) or not isinstance(cursor, int) or cursor < int(after):
            raise SyncError(SERVER, "server", f"feed cursor {cursor!r} behind {after}")
        return page
