from __future__ import annotations

import pytest

from reconciler.loopback import is_loopback


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "127.0.0.1", "127.8.9.10", "::1"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["www.swift.ac.uk", "10.0.0.1", "0.0.0.0", "::", "localhost.evil.org",
                                  "128.0.0.1", ""])
def test_other_hosts(host: str) -> None:
    assert not is_loopback(host)
