"""Sealed hand-off: what the vendor opens is the connection this computer held, only their key
opens it, and afterwards this computer no longer uses or refreshes it."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import qbo_wizard
from qbo_wizard.core.connection.credentials import load_credentials
from qbo_wizard.core.connection.tokens import TokenKeeper, TokenSet, TokenStore
from qbo_wizard.core.handoff.record import ConnectionHandedOff, handoff_record
from qbo_wizard.core.handoff.sealed import (
    REQUIRED_FIELDS,
    HandoffPlan,
    HandoffProblem,
    PracticeOnly,
    RecipientProblem,
    hand_off,
    hosted_vendor,
    open_handoff,
    open_with_practice_identity,
    plan_for,
    practice_recipient,
    write_new_file,
)
from qbo_wizard.core.health.doctor import run_doctor
from qbo_wizard.core.health.status import StatusOptions, status_report
from qbo_wizard.core.mapping.integrations import choose_integration
from qbo_wizard.core.profile import load_profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.age_tool import age_decrypt, new_identity
from tests.connection_helpers import connect_by_paste, expire_stored_access, save_keys


@pytest.fixture
def connected(simulator: SimulatorServer) -> TokenSet:
    save_keys(simulator)
    connect_by_paste(simulator)
    tokens = TokenStore("default").load()
    assert tokens is not None
    return tokens


def to_file(path: Path) -> Callable[[bytes], str]:
    def deliver(sealed: bytes) -> str:
        write_new_file(path, sealed)
        return str(path)

    return deliver


def test_the_vendor_opens_exactly_the_connection_with_the_product_and_with_age(
    connected: TokenSet, tmp_path: Path
) -> None:
    identity, public = new_identity(tmp_path, "vendor.key")
    sealed = tmp_path / "handoff.age"
    plan = plan_for(load_profile("default"), [public], "Acme TMS")

    result = hand_off("default", plan, to_file(sealed), armored=False)

    assert stat.S_IMODE(sealed.stat().st_mode) == 0o600
    by_product = open_handoff(sealed.read_bytes(), identity)
    by_age = age_decrypt(identity, str(sealed))
    assert by_age.returncode == 0, by_age.stderr
    assert json.loads(by_age.stdout) == by_product
    keys = load_credentials("default")
    assert set(REQUIRED_FIELDS) <= set(by_product)
    assert by_product["client_id"] == keys.client_id
    assert by_product["client_secret"] == keys.client_secret
    assert by_product["refresh_token"] == connected.refresh_token
    assert by_product["access_token"] == connected.access_token
    assert by_product["realm_id"] == connected.realm_id
    assert by_product["environment"] == "simulator"
    assert by_product["company_name"] == load_profile("default").company_name
    assert by_product["access_token_expires_at"].endswith("Z")
    # The one holder: recorded, and gone from this computer.
    assert result.record.vendor == "Acme TMS"
    assert result.local_copy_removed
    assert TokenStore("default").load() is None
    saved = handoff_record(load_profile("default"))
    assert saved is not None and saved.recipients == (public,)
    assert saved.delivered_as == str(sealed)


def test_armoured_text_opens_with_age_too(connected: TokenSet, tmp_path: Path) -> None:
    identity, public = new_identity(tmp_path, "vendor.key")
    shown: list[bytes] = []
    plan = plan_for(load_profile("default"), [public], "Acme TMS")

    hand_off("default", plan, lambda sealed: shown.append(sealed) or "text", armored=True)

    text = shown[0].decode("ascii")
    assert text.startswith("-----BEGIN AGE ENCRYPTED FILE-----")
    assert connected.refresh_token not in text
    opened = age_decrypt(identity, data=shown[0])
    assert opened.returncode == 0, opened.stderr
    assert json.loads(opened.stdout)["refresh_token"] == connected.refresh_token


def test_a_wrong_identity_cannot_open_it(connected: TokenSet, tmp_path: Path) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    wrong, _ = new_identity(tmp_path, "someone-else.key")
    sealed = tmp_path / "handoff.age"
    hand_off("default", plan_for(load_profile("default"), [public]), to_file(sealed), armored=False)

    with pytest.raises(HandoffProblem, match="does not open with that identity"):
        open_handoff(sealed.read_bytes(), wrong)
    refused = age_decrypt(wrong, str(sealed))
    assert refused.returncode != 0
    assert connected.refresh_token.encode() not in refused.stdout


def test_several_recipients_each_open_it(connected: TokenSet, tmp_path: Path) -> None:
    first, first_key = new_identity(tmp_path, "one.key")
    second, second_key = new_identity(tmp_path, "two.key")
    sealed = tmp_path / "handoff.age"
    plan = plan_for(load_profile("default"), [first_key, second_key], "Acme TMS")
    hand_off("default", plan, to_file(sealed), armored=False)
    for identity in (first, second):
        assert open_handoff(sealed.read_bytes(), identity)["realm_id"] == connected.realm_id


def test_afterwards_token_and_connection_refuse_naming_the_vendor_and_nothing_refreshes(
    connected: TokenSet, simulator: SimulatorServer, tmp_path: Path
) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    expire_stored_access("default")  # a local use would refresh now, if it were allowed
    hand_off(
        "default",
        plan_for(load_profile("default"), [public], "Acme TMS"),
        to_file(tmp_path / "handoff.age"),
        armored=False,
    )
    simulator.control("request_counts", reset=True)

    with pytest.raises(ConnectionHandedOff) as refused:
        TokenKeeper("default").access_token()
    words = str(refused.value)
    assert "handed to Acme TMS on " in words
    assert "only one side may hold and refresh" in words
    assert "`qbo-wizard handoff --profile default`" in words
    # The wizard offers a new hand-off on the status home, once connected again on step 6.
    in_wizard = refused.value.in_wizard()
    assert "connect again (on step 6)" in in_wizard
    assert "(the status home offers it once the new connection is made)" in in_wizard
    with pytest.raises(ConnectionHandedOff, match="Acme TMS"):
        qbo_wizard.connection("default")

    assert "token" not in simulator.control("request_counts")["counts"]


def test_a_second_hand_off_is_refused_and_writes_nothing(
    connected: TokenSet, tmp_path: Path
) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    plan = plan_for(load_profile("default"), [public], "Acme TMS")
    hand_off("default", plan, to_file(tmp_path / "first.age"), armored=False)
    with pytest.raises(ConnectionHandedOff, match="handed to Acme TMS"):
        hand_off("default", plan, to_file(tmp_path / "second.age"), armored=False)
    assert not (tmp_path / "second.age").exists()


def test_a_reconnect_holds_the_connection_here_again_until_the_next_hand_off(
    connected: TokenSet, simulator: SimulatorServer, tmp_path: Path
) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    plan = plan_for(load_profile("default"), [public], "Acme TMS")
    hand_off("default", plan, to_file(tmp_path / "first.age"), armored=False)

    connect_by_paste(simulator)  # a password change: connect again

    assert TokenKeeper("default").access_token()
    hand_off("default", plan, to_file(tmp_path / "second.age"), armored=False)
    with pytest.raises(ConnectionHandedOff):
        TokenKeeper("default").access_token()


def test_an_existing_file_is_never_replaced(connected: TokenSet, tmp_path: Path) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    taken = tmp_path / "handoff.age"
    taken.write_text("the user's own file")
    plan = plan_for(load_profile("default"), [public], "Acme TMS")

    with pytest.raises(HandoffProblem, match="never replaces a file"):
        hand_off("default", plan, to_file(taken), armored=False)

    assert taken.read_text() == "the user's own file"
    assert handoff_record(load_profile("default")) is None
    assert TokenKeeper("default").access_token() == connected.access_token


def test_a_key_that_is_not_an_age_key_is_refused_in_plain_words(connected: TokenSet) -> None:
    with pytest.raises(RecipientProblem, match="is not an age public key"):
        plan_for(load_profile("default"), ["ssh-ed25519 AAAAC3Nza"])
    with pytest.raises(RecipientProblem, match="no one to hand the connection to"):
        plan_for(load_profile("default"))


def test_the_demo_integration_hands_off_to_the_practice_vendor_which_can_open_it_again(
    connected: TokenSet,
) -> None:
    profile = load_profile("default")
    choose_integration(profile, "freight-brokerage")
    save_profile(profile)
    hosted = hosted_vendor(profile)
    assert hosted is not None and hosted.practice
    plan = plan_for(profile)
    assert plan.recipients == (practice_recipient(),)
    shown: list[bytes] = []

    hand_off("default", plan, lambda sealed: shown.append(sealed) or "text", armored=True)

    opened = open_with_practice_identity(shown[0])
    assert opened["refresh_token"] == connected.refresh_token
    assert opened["vendor"] == hosted.vendor


def test_the_practice_key_never_receives_a_real_company(connected: TokenSet) -> None:
    profile = load_profile("default")
    choose_integration(profile, "freight-brokerage")
    profile.environment = "sandbox"
    assert hosted_vendor(profile) is None  # not offered outside the practice QuickBooks
    with pytest.raises(PracticeOnly, match="anyone could open"):
        plan_for(profile, [practice_recipient()])


def test_a_hand_off_that_cannot_be_delivered_records_nothing(
    connected: TokenSet, tmp_path: Path
) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    plan = HandoffPlan("Acme TMS", "", (public,))
    with pytest.raises(HandoffProblem, match="could not be created"):
        hand_off("default", plan, to_file(tmp_path / "no-such-folder" / "h.age"), armored=False)
    assert handoff_record(load_profile("default")) is None
    assert TokenStore("default").load() == connected


def hosted_integration(folder: Path, recipient: str) -> Path:
    """A user's own integration file for a hosted vendor, from the built-in lines."""
    from qbo_wizard.core.mapping.integrations import BUILTIN_DIR

    text = (BUILTIN_DIR / "freight-brokerage.yaml").read_text()
    text = text.replace("Practice TMS (demo)", "Acme TMS").replace(
        "age1ldl8xhgzxzrljv6zyvz0jnp0z7e7wyn0x6mk6dtj7ur6zhknmvtqjggrpg", recipient
    )
    text = text.replace("  practice: true\n", "")
    path = folder / "acme-tms.yaml"
    path.write_text(text)
    return path


def test_doctor_and_the_status_rows_say_who_holds_it(
    connected: TokenSet, simulator: SimulatorServer, tmp_path: Path
) -> None:
    _, public = new_identity(tmp_path, "vendor.key")
    profile = load_profile("default")
    choose_integration(profile, str(hosted_integration(tmp_path, public)))
    save_profile(profile)
    due = run_doctor("default", live=False).check("handoff")
    assert due.verdict == "warning"
    assert due.command == "qbo-wizard handoff --profile default"
    assert "Acme TMS runs this integration on their servers" in due.why

    hand_off("default", plan_for(load_profile("default")), lambda _: "text", armored=True)

    report = run_doctor("default", live=True)
    assert report.check("handoff").verdict == "ok"
    assert "Handed to Acme TMS on " in report.check("handoff").why
    assert report.check("tokens").verdict == "skipped"
    assert report.check("refresh").blocked_by == "handoff"
    assert report.exit_code == 0
    rows = {row.area: row for row in status_report(load_profile("default"), StatusOptions())}
    assert rows["connection"].verdict == "ok"
    assert rows["connection"].why.startswith("Handed to Acme TMS on ")

    connect_by_paste(simulator)  # a reconnect ends in a new hand-off
    again = run_doctor("default", live=False).check("handoff")
    assert again.verdict == "warning"
    assert "Connected again since it was handed to Acme TMS" in again.why


def test_the_practice_vendor_waiting_is_no_warning(connected: TokenSet) -> None:
    profile = load_profile("default")
    choose_integration(profile, "freight-brokerage")
    save_profile(profile)
    check = run_doctor("default", live=False).check("handoff")
    assert check.verdict == "ok"
    assert "the demo hands it over after the $1.00 test" in check.why
