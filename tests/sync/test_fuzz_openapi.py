"""Fuzz every endpoint of the real server process from its own OpenAPI (schemathesis): no
answer may be a 500. Most generated requests are signed with a real enrolled desk's key
(fresh nonce each), so they reach the validation behind authentication; the others keep
the random authentication headers schemathesis made, to fuzz that path too.

CI runs a small budget per endpoint. The count reported in docs/security.md comes from
``SYNC_FUZZ_EXAMPLES=250 .venv/bin/python -m pytest tests/sync/test_fuzz_openapi.py -s``
(the test prints how many requests it sent and the answers by status).
"""

from __future__ import annotations

import collections
import os

import requests

from tests.conftest import require
from tests.sync.conftest import UNIT

EXAMPLES = int(os.environ.get("SYNC_FUZZ_EXAMPLES", "15"))


class DeskSignature(requests.auth.AuthBase):
    """Signs the request exactly as sent (final path, query, body and tus headers)."""

    def __init__(self, credential):
        self.credential = credential
        self.signed = 0

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        from urllib.parse import urlsplit

        from sync.protocol import H_DESK, auth_headers

        if prepared.headers.get(H_DESK) is not None:  # schemathesis made its own: keep them
            return prepared
        assert prepared.url is not None and prepared.method is not None  # set once prepared
        parts = urlsplit(prepared.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.signed += 1
        if parts.path.startswith("/v1/files") and self.signed % 4:  # mostly past the tus check, to fuzz behind it
            prepared.headers.setdefault("Tus-Resumable", "1.0.0")
        body = prepared.body or b""
        body = body.encode("utf-8") if isinstance(body, str) else body
        sent = requests.structures.CaseInsensitiveDict(
            {name: value.decode("latin-1") if isinstance(value, bytes) else value for name, value in prepared.headers.items()}
        )
        prepared.headers.update(auth_headers(self.credential.secret, self.credential.desk_id, prepared.method, path, body, sent))
        return prepared


def test_no_generated_request_gets_a_500(server, province):
    import importlib.util

    require(importlib.util.find_spec("schemathesis") is not None, "schemathesis (the [test] extra)")
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from sync.client import SyncClient

    @schemathesis.serializer("application/offset+octet-stream")
    def _octets(ctx, value):
        return value if isinstance(value, bytes) else str(value).encode("utf-8")

    credential = SyncClient(None, server_url=server.url).enroll(province.enroll_code(UNIT, 3)["code"])
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    auth = DeskSignature(credential)
    session = requests.Session()
    statuses: collections.Counter = collections.Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=False)
        def fuzz(case):
            response = case.call(base_url=server.url, session=session, auth=auth, timeout=30)
            statuses[response.status_code] += 1
            if response.status_code >= 500 and response.status_code != 507:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}")

        fuzz()

    total = sum(statuses.values())
    print(f"\nfuzzed {len(operations)} operations with {total} requests; answers by status: {dict(sorted(statuses.items()))}")
    assert not failures, failures[:5]
    assert total >= len(operations) * min(EXAMPLES, 5)
    assert statuses[200] + statuses[201] + statuses[204] > 0  # some requests got through authentication
    requests.get(server.url + "/v1/ping", timeout=5).raise_for_status()  # still standing
