"""Command-line tests that run `qbo-wizard` as separate processes sharing the real keyring."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import keyring
import keyring.errors
import pytest


@pytest.fixture
def shared_profile(secret_service: None) -> Iterator[str]:
    """A profile name no other test uses, whose keyring entries are removed afterwards.

    The Secret Service outlives a single test and keyring services are named after the
    profile, so each test gets its own name.
    """
    name = f"cli-{uuid.uuid4().hex[:12]}"
    yield name
    for entry in ("tokens", "client_id", "client_secret"):
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.delete_password(f"qbo-wizard/{name}", entry)
