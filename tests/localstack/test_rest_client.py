"""Conformance check 1: `create_client` validates its arguments and sends nothing."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from supabase import SupabaseException, create_client



@pytest.fixture
def silent_listener() -> Iterator[socket.socket]:
    """A listening socket nobody answers on: any connection attempt would queue up on it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    yield listener
    listener.close()


def test_create_client_sends_no_request(silent_listener: socket.socket) -> None:
    """Check 1: `create_client('http://127.0.0.1:<p>', 'sb_secret_x')` opens no connection."""
    port = silent_listener.getsockname()[1]
    client = create_client(f"http://127.0.0.1:{port}", "sb_secret_x")
    client.table("t")  # building a request sends nothing either
    with pytest.raises(TimeoutError):
        silent_listener.accept()


def test_create_client_rejects_url_without_scheme() -> None:
    """Check 1: `127.0.0.1:1` is not an http(s) URL."""
    with pytest.raises(SupabaseException) as raised:
        create_client("127.0.0.1:1", "k")
    assert raised.value.message == "Invalid URL"
