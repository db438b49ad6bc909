"""Sealed hand-off: give a hosted integration its QuickBooks connection without a secret in clear.

A hosted integration (a TMS, a PSA, a SaaS) needs the connection on its vendor's servers. The
wizard seals everything the vendor needs (the app's keys, the company, the tokens and their
expiry times) into one JSON object encrypted with **age** to the vendor's public key (`age1…`),
using pyrage, a maintained age implementation: the vendor opens it with `qbo-wizard handoff open`
or the standard `age` tool, and nobody else can. The connection is serialised, sealed and
written in memory: the clear JSON never reaches a file, not even a temporary one.

Afterwards the vendor is the one holder of the connection (see `handoff_record`): the hand-off
is recorded in the profile and the tokens are removed from this computer's keyring, all under
the profile's refresh lock, so no local refresh can replace the refresh token while it is sealed.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from qbo_wizard.core.connection.credentials import load_credentials
from qbo_wizard.core.connection.environments import endpoints_for
from qbo_wizard.core.connection.tokens import NotConnected, TokenStore, iso_date, refresh_lock
from qbo_wizard.core.connection.vault import VaultUnavailable
from qbo_wizard.core.files import read_yaml_mapping
from qbo_wizard.core.handoff.record import (
    HandoffRecord,
    handoff_record,
    refuse_if_handed_off,
    set_handoff_record,
)
from qbo_wizard.core.mapping.integrations import (
    AGE_RECIPIENT,
    HostedVendor,
    chosen_integration,
    load_integration,
)
from qbo_wizard.core.paths import CONTENT_DIR
from qbo_wizard.core.problems import ConfigFileError, Fix, UsageError, WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.steps import step_ref
from qbo_wizard.core.timestamps import utc_timestamp

#: What the sealed JSON object says it is, so a vendor's importer can check before using it.
FORMAT = "qbo-wizard-handoff"
FORMAT_VERSION = 1

CONTENT_DIR = CONTENT_DIR / "handoff"
PRACTICE_IDENTITY_FILE = CONTENT_DIR / "practice-identity.txt"
SCREEN_TEXT_FILE = CONTENT_DIR / "screen.yaml"

#: The fields the sealed object always has (the scripting contract names these).
REQUIRED_FIELDS = (
    "client_id",
    "client_secret",
    "realm_id",
    "refresh_token",
    "access_token",
    "environment",
)
#: Fields that are secrets; a screen that shows what the vendor receives masks these.
SECRET_FIELDS = frozenset({"client_id", "client_secret", "refresh_token", "access_token"})


# How to give the vendor's key: the wizard has no field for it, so it points to the command.
_GIVE_KEY = Fix(
    "give it with --recipient.",
    "give it to the hand-off on the command line (the README's hand-off section shows how).",
)


class HandoffProblem(WizardError):
    """A hand-off could not be made or opened; the message says why and what to do."""


class RecipientProblem(UsageError):
    """No usable age public key to seal to."""


class NotRecorded(HandoffProblem):
    """Sealed and delivered, but the profile would not record it: the copy must not be used."""


class PracticeOnly(HandoffProblem):
    """A practice key was asked to receive a connection to a real (or sandbox) company."""


def _pyrage() -> Any:
    """The pyrage module, imported on first use (it ships no type information)."""
    return importlib.import_module("pyrage")


# --- keys -------------------------------------------------------------------------------------


def short_key(recipient: str) -> str:
    """`age1abcd…wxyz`: enough of a public key to recognise it in a sentence."""
    return f"{recipient[:8]}…{recipient[-4:]}" if len(recipient) > 16 else recipient


def parse_recipients(texts: Iterable[str]) -> list[Any]:
    """pyrage recipients for age public keys; `RecipientProblem` names a key that is not one."""
    age = _pyrage()
    recipients = []
    for text in texts:
        key = text.strip()
        problem = not AGE_RECIPIENT.match(key)
        if not problem:
            try:
                recipients.append(age.x25519.Recipient.from_str(key))
            except age.RecipientError:
                problem = True
        if problem:
            raise RecipientProblem(
                f"{short_key(key) or 'An empty value'} is not an age public key. They start "
                "with 'age1' and are 62 letters and digits long, as the vendor's `age-keygen` "
                "printed them; ask the vendor for theirs again."
            )
    if not recipients:
        raise RecipientProblem("No age public key was given to seal the hand-off to.")
    return recipients


def read_identities(path: Path) -> list[Any]:
    """The age identities (`AGE-SECRET-KEY-1…` lines) in an identity file, comments skipped.

    Errors never quote the file: it holds a private key.
    """
    age = _pyrage()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "it is not a text file"
        raise HandoffProblem(f"The identity file {path} could not be read ({reason}).") from None
    identities = []
    bad_line: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(age.x25519.Identity.from_str(line))
        except age.IdentityError:
            bad_line = bad_line or number
    if bad_line is not None and not identities:
        raise HandoffProblem(
            f"The identity file {path} does not hold an age identity (line {bad_line} is not "
            "one). It is the file `age-keygen -o FILE` wrote, whose key line starts with "
            "AGE-SECRET-KEY-1."
        )
    if not identities:
        raise HandoffProblem(f"The identity file {path} holds no age identity.")
    return identities


@cache
def practice_recipient() -> str:
    """The practice vendor's public key (its identity ships with qbo-wizard)."""
    identity = read_identities(PRACTICE_IDENTITY_FILE)[0]
    return str(identity.to_public())


# --- who receives it --------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoffPlan:
    """Who a hand-off goes to: the vendor's name, how to reach them, and their key(s)."""

    vendor: str
    contact: str
    recipients: tuple[str, ...]
    practice: bool = False


def hosted_vendor(profile: Profile) -> HostedVendor | None:
    """The profile's hosted integration vendor, when a hand-off to it is possible.

    The integration is the saved mapping's, else the one chosen in step 7.

    None when the profile's integration runs on this computer, cannot be read, or names only a
    practice key while the profile connects to real (or sandbox) companies.
    """
    from qbo_wizard.core.mapping.file import load_saved_mapping

    saved = None
    with contextlib.suppress(ConfigFileError):
        saved = load_saved_mapping(profile.name)
    reference = (saved.integration if saved else None) or chosen_integration(profile)
    if reference is None:
        return None
    try:
        hosted = load_integration(reference).hosted
    except ConfigFileError:
        return None
    if hosted is None or (hosted.practice and profile.environment != "simulator"):
        return None
    return hosted


def handoff_standing(profile: Profile) -> tuple[HandoffPlan | None, HandoffRecord | None]:
    """Who holds the connection, from one read of the keyring (call it off the UI thread).

    Returns:
        The hand-off a hosted integration still waits for (its integration runs on the
        vendor's servers and this computer holds a connection not handed to them: never
        handed, or connected again since), else None; and the hand-off whose vendor holds the
        connection now, else None (this computer holds it, or it was never handed over).
    """
    hosted = hosted_vendor(profile)
    record = handoff_record(profile)
    if hosted is None and record is None:
        return None, None
    try:
        tokens = TokenStore(profile.name).load()
    except WizardError:
        return None, None
    holder = record if record is not None and record.holds(tokens) else None
    if hosted is None or tokens is None or holder is not None:
        return None, holder
    plan = HandoffPlan(hosted.vendor, hosted.contact, hosted.recipients, hosted.practice)
    return plan, holder


def handoff_due(profile: Profile) -> HandoffPlan | None:
    """The hand-off a hosted integration still waits for, or None (see `handoff_standing`)."""
    return handoff_standing(profile)[0]


@cache
def _screen_texts() -> dict[str, Any]:
    return read_yaml_mapping(SCREEN_TEXT_FILE) or {}


def screen_text(key: str, **values: str) -> str:
    """One piece of the hand-off screen's copy (Markdown), with `{name}` values filled in."""
    text = str(_screen_texts().get(key, ""))
    return text.format_map(_Values(values))


class _Values(dict[str, str]):
    """Fills a `{name}` the caller did not give with nothing, rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


def plan_for(
    profile: Profile, recipients: Sequence[str] = (), vendor: str | None = None
) -> HandoffPlan:
    """Who to seal to: `recipients` when given (they override the integration's key), else the
    hosted vendor named in the profile's integration.

    Raises:
        RecipientProblem: No key given and the integration names none, or a key is malformed.
        PracticeOnly: The practice key would receive a connection to a non-practice company.
    """
    hosted = hosted_vendor(profile)
    if recipients:
        keys = tuple(key.strip() for key in recipients)
        parse_recipients(keys)
        name = vendor or (hosted.vendor if hosted else f"the holder of key {short_key(keys[0])}")
        plan = HandoffPlan(name, hosted.contact if hosted else "", keys)
    elif hosted is not None:
        plan = HandoffPlan(
            vendor or hosted.vendor, hosted.contact, hosted.recipients, hosted.practice
        )
    else:
        raise RecipientProblem(
            f"Profile {profile.name!r} has no one to hand the connection to: its integration "
            "names no hosted vendor with an age public key. Ask the vendor for their age public "
            "key (age1…) and ",
            _GIVE_KEY,
        )
    if profile.environment != "simulator" and practice_recipient() in plan.recipients:
        raise PracticeOnly(
            "That is the practice vendor's key, whose private half ships with qbo-wizard for "
            "the demo: anyone could open what is sealed to it. It only receives connections to "
            "the practice QuickBooks. Ask the vendor for their own age public key and ",
            _GIVE_KEY,
        )
    return plan


# --- what is sealed ---------------------------------------------------------------------------


def connection_payload(profile_name: str, plan: HandoffPlan, sealed_at: float) -> dict[str, Any]:
    """The connection as the vendor receives it: one JSON-ready object (secrets included)."""
    profile = profile_store(profile_name).read()
    tokens = TokenStore(profile_name).load()
    if tokens is None:
        raise NotConnected(
            f"Profile {profile_name!r} has no connection to hand over yet. Connect it first ",
            Fix(f"(`qbo-wizard login --profile {profile_name}`)", f"(on {step_ref('connect')})"),
            ".",
        )
    credentials = load_credentials(profile_name)
    endpoints = endpoints_for(profile)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "vendor": plan.vendor,
        "sealed_at": utc_timestamp(sealed_at),
        "environment": profile.environment,
        "key_set": profile.key_set,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "realm_id": tokens.realm_id,
        "company_name": profile.company_name,
        "refresh_token": tokens.refresh_token,
        "refresh_token_expires_at": iso_date(tokens.refresh_expires_at),
        "refresh_token_hard_expires_at": iso_date(tokens.refresh_hard_expires_at),
        "access_token": tokens.access_token,
        "access_token_expires_at": iso_date(tokens.access_expires_at),
        "discovery_url": endpoints.discovery_url,
        "api_base_url": endpoints.api_base_url,
    }


def seal(payload: dict[str, Any], recipients: Sequence[str], *, armored: bool) -> bytes:
    """The payload as age ciphertext (ASCII-armoured when asked), in memory only."""
    age = _pyrage()
    clear = json.dumps(payload, indent=2).encode("utf-8")
    try:
        sealed: bytes = age.encrypt(clear, parse_recipients(recipients), armored=armored)
    except age.EncryptError:
        raise HandoffProblem("The hand-off could not be sealed (age refused the keys).") from None
    return sealed


def _as_pasted(ciphertext: bytes) -> bytes:
    """Armoured text as a ticket or an email may return it (blank lines around it, each line
    indented or ending in spaces) put back into age's armour; binary files pass unchanged."""
    if not ciphertext.lstrip().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----"):
        return ciphertext
    lines = [line.strip() for line in ciphertext.strip().splitlines()]
    return b"\n".join(line for line in lines if line) + b"\n"


def open_sealed(ciphertext: bytes, identities: Sequence[Any]) -> dict[str, Any]:
    """Open a hand-off (binary or armoured) with the vendor's identities; the connection."""
    age = _pyrage()
    clear = b""
    opened = True
    try:
        clear = age.decrypt(_as_pasted(ciphertext), list(identities))
    except age.DecryptError:
        opened = False
    if not opened:
        raise HandoffProblem(
            "This hand-off does not open with that identity: it was sealed to another key, or "
            "the file is not a whole age file (a copy cut short, or text changed on the way). "
            "Only the identity whose public key it was sealed to can open it."
        )
    try:
        data = json.loads(clear)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise HandoffProblem("That opened, but it is not a qbo-wizard hand-off.")
    return data


def masked_view(connection: dict[str, Any]) -> list[tuple[str, str]]:
    """The connection's fields for a screen: secrets shown only as their length."""
    rows = []
    for key, value in connection.items():
        if key in SECRET_FIELDS and isinstance(value, str):
            rows.append((key, f"•••• ({len(value)} characters, sealed)"))
        else:
            rows.append((key, "—" if value is None else str(value)))
    return rows


# --- where it goes ----------------------------------------------------------------------------


def write_new_file(path: Path, data: bytes) -> None:
    """Write `data` to a new file only this user can read (0600); never replace a file.

    A file half written (a full disk) is removed again, so no partial copy is left behind.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise HandoffProblem(
            f"There is already a file at {path}; a hand-off never replaces a file. Choose "
            "another name, or move the old file away first."
        ) from None
    except OSError as exc:
        raise HandoffProblem(
            f"{path} could not be created ({exc.strerror or type(exc).__name__}). Check that "
            "the folder exists and that you may write to it."
        ) from None
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise HandoffProblem(
            f"{path} could not be written ({exc.strerror or type(exc).__name__}); nothing was "
            "handed over."
        ) from None
    os.close(fd)


def default_file_name(profile: Profile, now: float | None = None) -> str:
    """`handoff-acme-trucking-2026-05-01.age`: a name that says what the file is."""
    company = profile.company_name or profile.name
    slug = "".join(ch.lower() if ch.isalnum() else "-" for ch in company).strip("-")
    slug = "-".join(part for part in slug.split("-") if part)[:40] or "connection"
    return f"handoff-{slug}-{utc_timestamp(now)[:10]}.age"


# --- the hand-off itself ----------------------------------------------------------------------


@dataclass(frozen=True)
class HandoffResult:
    """What a hand-off did."""

    record: HandoffRecord
    local_copy_removed: bool
    """False when the keyring would not delete the local tokens (the record still stops their
    use here)."""


Deliver = Callable[[bytes], str]
"""Puts the ciphertext where it goes (a new file, standard output, a screen) and says where:
a file's path, or `text`. Raising stops the hand-off before anything is recorded."""


def hand_off(
    profile_name: str,
    plan: HandoffPlan,
    deliver: Deliver,
    *,
    armored: bool,
    clock: Callable[[], float] = time.time,
) -> HandoffResult:
    """Seal the profile's connection to `plan`'s keys, deliver it, and make the vendor its one
    holder: record the hand-off in the profile, then remove the tokens from this computer.

    All of it runs under the profile's refresh lock, so no refresh on this computer can replace
    the refresh token between sealing it and recording that it is gone.

    Raises:
        ConnectionHandedOff: The connection was handed over already (nothing to seal).
        NotConnected: The profile has no connection yet.
        HandoffProblem: Sealing or delivering failed; nothing was recorded.
    """
    with refresh_lock(profile_name):
        held = TokenStore(profile_name).load()
        refuse_if_handed_off(profile_name, held)
        now = clock()
        payload = connection_payload(profile_name, plan, now)
        sealed = seal(payload, plan.recipients, armored=armored)
        delivered_as = deliver(sealed)
        record = HandoffRecord(
            plan.vendor,
            utc_timestamp(now),
            plan.recipients,
            delivered_as,
            held.issued_at if held is not None else None,
        )
        try:
            with profile_store(profile_name).change() as latest:
                set_handoff_record(latest, record)
        except (OSError, ConfigFileError) as error:
            raise NotRecorded(
                "The connection was sealed, but this computer could not record the hand-off "
                f"({error}), so it still holds the connection: do not send that sealed copy. "
                "Fix the problem and hand it over again."
            ) from None
        removed = True
        try:
            TokenStore(profile_name).delete()
        except VaultUnavailable:
            removed = False
    return HandoffResult(record, removed)


def open_handoff(ciphertext: bytes, identity_file: Path) -> dict[str, Any]:
    """The connection inside a hand-off, opened with the identity in `identity_file`."""
    return open_sealed(ciphertext, read_identities(identity_file))


def open_with_practice_identity(ciphertext: bytes) -> dict[str, Any]:
    """Open a hand-off sealed to the practice vendor (demo mode shows what a vendor receives)."""
    return open_sealed(ciphertext, read_identities(PRACTICE_IDENTITY_FILE))
