"""python-quickbooks talks through requests-oauthlib, which needs oauthlib's documented opt-in
before it will use the simulator's plain-http loopback address."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def allow_loopback_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
