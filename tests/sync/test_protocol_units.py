"""Pure protocol pieces: signatures, receipt tags, chunk sizing, backoff, error classes."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from sync.errors import RECORD, TRANSPORT, SyncError
from sync.protocol import (
    MAX_CLIENT_CHUNK,
    MIN_CLIENT_CHUNK,
    check_receipt_tag,
    check_signature,
    decode_metadata,
    encode_metadata,
    payload_hash,
    receipt_tag,
    sign,
)
from sync.transport import Backoff
from sync.tus_upload import SMALL_FILE_BYTES, ChunkSizer


def test_signature_covers_method_path_time_and_body():
    secret = b"k" * 32
    sig = sign(secret, "POST", "/v1/events", "1700000000.000", b"body")
    assert check_signature(secret, "POST", "/v1/events", "1700000000.000", b"body", sig)
    for args in (("PUT", "/v1/events", "1700000000.000", b"body"), ("POST", "/v1/x", "1700000000.000", b"body"),
                 ("POST", "/v1/events", "1700000001.000", b"body"), ("POST", "/v1/events", "1700000000.000", b"bodY")):
        assert not check_signature(secret, *args, sig)
    assert not check_signature(b"o" * 32, "POST", "/v1/events", "1700000000.000", b"body", sig)


@given(st.text(min_size=1, max_size=40))
def test_receipt_tag_is_short_and_bound_to_code_and_key(code):
    tag = receipt_tag(b"a" * 32, code)
    assert len(tag) == 10 and tag.isalnum()
    assert check_receipt_tag(b"a" * 32, code, tag.lower())
    assert not check_receipt_tag(b"b" * 32, code, tag)


def test_payload_hash_ignores_key_order_but_not_content():
    assert payload_hash("k", "c", {"a": 1, "b": [1, 2]}) == payload_hash("k", "c", {"b": [1, 2], "a": 1})
    assert payload_hash("k", "c", {"a": 1}) != payload_hash("k", "c", {"a": 2})


def test_tus_metadata_round_trip():
    values = {"sha256": "ab" * 32, "name": "Trang 1 – Đơn.pdf"}
    assert decode_metadata(encode_metadata(values)) == values


def test_chunk_size_follows_throughput_within_bounds():
    sizer = ChunkSizer(target_seconds=3)
    assert sizer.size == MIN_CLIENT_CHUNK
    sizer.observe(32 * 1024, 4.0)  # 64 kbit/s: stay at the floor
    assert sizer.size == MIN_CLIENT_CHUNK
    for _ in range(10):
        sizer.observe(sizer.size, sizer.size / 50e6)  # a fast LAN
    assert sizer.size == MAX_CLIENT_CHUNK
    sizer.shrink()
    assert sizer.size == MAX_CLIENT_CHUNK // 2
    weak = ChunkSizer(target_seconds=3)
    weak.observe(32 * 1024, 0.5)  # 64 KB/s -> ~192 KB, but at most 4x per step
    assert weak.size == 4 * MIN_CLIENT_CHUNK


def test_small_files_go_whole_unless_a_chunk_was_lost_recently():
    sizer = ChunkSizer(target_seconds=3)
    assert sizer.whole_file_limit() == SMALL_FILE_BYTES == 2 * MIN_CLIENT_CHUNK
    sizer.shrink()  # a cut: whole chunks only, at the floor
    assert sizer.whole_file_limit() == MIN_CLIENT_CHUNK
    for _ in range(3):
        sizer.observe(MIN_CLIENT_CHUNK, 4.0)
    assert sizer.whole_file_limit() == MIN_CLIENT_CHUNK
    sizer.observe(MIN_CLIENT_CHUNK, 4.0)  # four clean chunks: small files go whole again
    assert sizer.whole_file_limit() == SMALL_FILE_BYTES
    for _ in range(10):
        sizer.observe(sizer.size, sizer.size / 50e6)
    assert sizer.whole_file_limit() == sizer.size == MAX_CLIENT_CHUNK  # never above one chunk once grown


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    backoff = Backoff(base=1, cap=30, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    for n, delay in enumerate(delays):
        ceiling = min(30, 2**n)
        assert ceiling / 4 <= delay <= ceiling
    assert len(set(delays)) == len(delays)


def test_only_transport_errors_are_retryable():
    assert SyncError(TRANSPORT, "transport").retryable
    assert not SyncError(RECORD, "malformed").retryable


def test_error_messages_are_translated():
    from desk_app.i18n import Translator

    message = SyncError(RECORD, "malformed", "x").translated(Translator("en"))
    assert message == "Malformed record: x."
