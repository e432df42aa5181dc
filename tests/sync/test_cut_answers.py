"""An error answer cut short on the way is the link's fault, not the server's: whatever byte
of a refusal the link cut it after (status line, a header half-written, the body), the desk
sees a transport error and asks again, and only the whole answer counts as a refusal.
A 409 cut after its status line once stopped a sync round as a server error (CI, seed 3 of
test_faults.py)."""

from __future__ import annotations

import hashlib
import time

import pytest

from sync.client import SyncClient
from sync.errors import SERVER, TRANSPORT, SyncError
from sync.protocol import API_PREFIX, encode_metadata
from tests.sync.conftest import UNIT


def refused_patch(client: SyncClient, sha: str) -> SyncError:
    """A PATCH at a wrong offset: the server answers 409 offset_mismatch."""
    with pytest.raises(SyncError) as caught:
        client._request(
            "PATCH", f"{API_PREFIX}/files/{sha}", body=b"x" * 10,
            headers=client._tus({"Upload-Offset": "5", "Content-Type": "application/offset+octet-stream"}),
            ok=(204,),
        )
    return caught.value


def settle(proxy) -> None:
    """Wait until the proxy's byte counts stop moving (its threads add them after sending)."""
    last = -1
    while proxy.stats.bytes_down != last:
        last = proxy.stats.bytes_down
        time.sleep(0.02)


def test_a_refusal_cut_anywhere_is_a_transport_error(server, province, proxy):
    code = province.enroll_code(UNIT, 3)["code"]
    client = SyncClient(SyncClient(None, server_url=proxy.url).enroll(code))
    data = b"0123456789" * 10
    sha = hashlib.sha256(data).hexdigest()
    metadata = encode_metadata({"sha256": sha})
    announce = client._tus({"Upload-Length": str(len(data)), "Upload-Metadata": metadata})
    client._request("POST", f"{API_PREFIX}/files", headers=announce, ok=(201,))
    settle(proxy)  # the proxy counts an answer's bytes after passing them on
    before = proxy.stats.bytes_down
    client.session.close()
    whole = refused_patch(client, sha)
    assert (whole.category, whole.reason) == (SERVER, "offset_mismatch")
    settle(proxy)
    answer = proxy.stats.bytes_down - before
    assert 150 < answer < 2_000
    seen = []
    for at in range(1, answer):
        client.session.close()  # the next request opens the connection that will be cut
        cuts = proxy.stats.cuts_down
        proxy.plan.cut_next_down_at = at
        error = refused_patch(client, sha)
        settle(proxy)
        seen.append((at, proxy.stats.cuts_down > cuts, error.category, error.reason))
    wrong = [s for s in seen if s[1] and s[2] != TRANSPORT]
    assert not wrong, wrong
    # An answer can come a few bytes shorter than the one measured (nothing was cut then, and
    # the whole refusal is the server's); every other position was cut.
    uncut = [s for s in seen if not s[1]]
    assert all(at > answer - 8 and category == SERVER for at, _cut, category, _reason in uncut), uncut
    assert len(seen) - len(uncut) >= answer - 8
