"""A small log of the failures the wizard has seen, one JSON object per line, per profile.

Every API or OAuth failure is recorded with its time (UTC), where it came from, the error code,
a message with every secret scrubbed out, and Intuit's `intuit_tid` (which Intuit support asks
for). Doctor and the support bundle read it back with `recent_failures`.

The log lives at `<profile folder>/errors.log`, readable by its owner only. Each record is one
`write` to a file opened for appending, so records from several processes do not interleave.
When the file passes about 256 KB it is renamed to `errors.log.1` (replacing any older one), so
the log never holds more than about half a megabyte.

Recording is best effort: a failure to write the log never hides the failure being recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from qbo_wizard.core.paths import ensure_private_dir, profile_dir
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.redact import redact_text
from qbo_wizard.core.timestamps import utc_timestamp

LOG_NAME = "errors.log"
ROTATED_NAME = "errors.log.1"
ROTATE_AT_BYTES = 256 * 1024

# Longest stored value of each field; a message is cut after redaction, never before it.
MAX_MESSAGE_CHARS = 2000
MAX_SHORT_FIELD_CHARS = 120


def log_path(profile_name: str) -> Path:
    """Where the profile's failure log lives (the file may not exist yet)."""
    return profile_dir(profile_name) / LOG_NAME


def _clean(value: object, limit: int) -> str:
    text = redact_text(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rotate_if_large(path: Path) -> None:
    try:
        if path.stat().st_size < ROTATE_AT_BYTES:
            return
    except FileNotFoundError:
        return
    # Two processes may both decide to rotate; the second rename then moves a nearly empty
    # file, which costs at most a few records of the old generation.
    with contextlib.suppress(FileNotFoundError):
        os.replace(path, path.with_name(ROTATED_NAME))


def record_failure(
    profile_name: str,
    *,
    source: str,
    code: str | int | None,
    message: str,
    intuit_tid: str | None = None,
) -> bool:
    """Append one failure to the profile's log; True if it was written.

    `source` says which part of the wizard saw it (for example "oauth", "api", "connect",
    "test"); `code` is Intuit's error code or OAuth error name. Secrets in any field are
    replaced by fingerprints before anything touches the disk.
    """
    record = {
        "time": utc_timestamp(),
        "source": _clean(source, MAX_SHORT_FIELD_CHARS),
        "code": None if code is None else _clean(code, MAX_SHORT_FIELD_CHARS),
        "message": _clean(message, MAX_MESSAGE_CHARS),
        "intuit_tid": None if intuit_tid is None else _clean(intuit_tid, MAX_SHORT_FIELD_CHARS),
    }
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "replace")
    try:
        path = log_path(profile_name)
        ensure_private_dir(path.parent)
        _rotate_if_large(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if hasattr(os, "fchmod"):  # an older file may have been created more open
                os.fchmod(fd, 0o600)
            os.write(fd, line)
        finally:
            os.close(fd)
    except (OSError, WizardError):
        return False
    return True


def _read_records(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    records: list[dict[str, Any]] = []
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue  # a torn or hand-edited line; skip it, keep the rest
        if isinstance(value, dict):
            records.append(value)
    return records


def recent_failures(profile_name: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest `limit` failures, newest first; an empty list when nothing was recorded."""
    if limit <= 0:
        return []
    try:
        path = log_path(profile_name)
    except WizardError:
        return []
    records = _read_records(path)
    if len(records) < limit:
        records = _read_records(path.with_name(ROTATED_NAME)) + records
    return list(reversed(records[-limit:]))
