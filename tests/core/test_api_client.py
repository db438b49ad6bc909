"""QboApi and the token lifecycle against the simulator: refresh rules, retries, typed errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import qbo_wizard
from qbo_wizard.cli import main
from qbo_wizard.core.connection.api import QboApi, QboApiError
from qbo_wizard.core.connection.tokens import (
    ReconnectRequired,
    TokenKeeper,
    TokenSet,
    expiry_warnings,
)
from qbo_wizard.core.connection.vault import MemoryKeyring
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.core.profile import load_profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import (
    LARGE_REALM,
    US_REALM,
    connect_by_paste,
    keyring_entry,
    save_keys,
    start_simulator,
)


@pytest.fixture
def sim() -> Iterator[SimulatorServer]:
    server = start_simulator(rotate_every_refresh=True)
    save_keys(server)
    connect_by_paste(server)
    yield server
    server.stop()


def stored() -> TokenSet:
    return TokenSet.from_json(keyring_entry("default") or "")


class Sleeps:
    """Records the waits QboApi asks for, instead of waiting; can act on the n-th wait."""

    def __init__(self, on_wait: object = None) -> None:
        self.waits: list[float] = []
        self.on_wait = on_wait

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if callable(self.on_wait):
            self.on_wait(len(self.waits))


# --- token lifecycle ------------------------------------------------------------------------


def test_a_valid_token_is_used_as_it_is(sim: SimulatorServer) -> None:
    before = stored()
    keeper = TokenKeeper("default", clock=lambda: before.issued_at + 60)
    assert keeper.access_token() == before.access_token
    assert stored() == before


def test_a_nearly_expired_token_is_refreshed_and_the_rotation_saved_first(
    sim: SimulatorServer,
) -> None:
    before = stored()
    sim.advance_clock(3400)  # both clocks move on together
    keeper = TokenKeeper("default", clock=lambda: before.issued_at + 3400)
    token = keeper.access_token()  # 200 s left, 300 s wanted
    after = stored()
    assert token == after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token  # rotated, and stored
    assert after.realm_id == US_REALM
    assert after.refresh_hard_expires_at == pytest.approx(before.refresh_hard_expires_at, abs=5)
    assert keeper.last_unsaved_seconds is not None and keeper.last_unsaved_seconds >= 0
    assert load_profile("default").access_token_expires_at is not None


def test_a_refresh_that_lost_the_race_uses_the_winners_tokens(sim: SimulatorServer) -> None:
    seen = stored()
    winner = TokenKeeper("default").tokens(force=True)  # another process refreshed meanwhile
    late = TokenKeeper("default")
    assert late._refresh_unless_done(seen, 300).access_token == winner.access_token
    assert stored() == winner


# --- the API --------------------------------------------------------------------------------


def test_connection_entry_point_reads_the_company(sim: SimulatorServer) -> None:
    api = qbo_wizard.connection("default")
    assert api.company_info()["CompanyName"] == load_profile("default").company_name
    assert api.call_count == 1


def test_an_expired_token_gets_one_refresh_and_one_retry(sim: SimulatorServer) -> None:
    before = stored()
    sim.advance_clock(3700)  # QuickBooks now rejects the access token this computer trusts
    api = QboApi.for_profile("default")
    assert api.company_info()["Country"] == "US"
    assert api.call_count == 2
    assert stored().access_token != before.access_token
    assert recent_failures("default") == []  # put right by the refresh: nothing to report


def test_a_rejected_refresh_is_not_retried(sim: SimulatorServer) -> None:
    sim.advance_clock(3700)
    sim.control("scenario", name="takeover", realm_id=US_REALM)
    before = keyring_entry("default")
    api = QboApi.for_profile("default")
    with pytest.raises(ReconnectRequired):
        api.company_info()
    assert api.call_count == 1
    assert keyring_entry("default") == before
    # The refused refresh is what the user met; the 401 that led to it is not logged too.
    codes = [failure["code"] for failure in recent_failures("default")]
    assert codes == ["invalid_grant"]


def test_throttling_waits_then_succeeds(sim: SimulatorServer) -> None:
    sim.control("scenario", name="throttle", realm_id=US_REALM)
    sleeps = Sleeps(lambda n: n == 2 and sim.control("scenario", name="none", realm_id=US_REALM))
    api = QboApi.for_profile("default", sleep=sleeps)
    assert api.query_all("Customer")
    assert sleeps.waits == [15.0, 60.0]  # Intuit asks for a minute's pause after a 429
    assert api.call_count == 3
    assert recent_failures("default") == []  # waited out: nothing to report


def test_throttling_answered_in_xml_to_a_json_client_is_still_waited_out(
    sim: SimulatorServer,
) -> None:
    sim.control("scenario", name="throttle-xml", realm_id=US_REALM)
    stop = sim.control  # QuickBooks stops throttling after the second pause
    sleeps = Sleeps(lambda n: n == 2 and stop("scenario", name="none", realm_id=US_REALM))
    api = QboApi.for_profile("default", sleep=sleeps)
    assert api.query_all("Customer")
    assert sleeps.waits == [15.0, 60.0]
    assert recent_failures("default") == []


def test_throttling_in_xml_that_never_ends_is_reported_as_3001(sim: SimulatorServer) -> None:
    sim.control("scenario", name="throttle-xml", realm_id=US_REALM)
    api = QboApi.for_profile("default", sleep=Sleeps())
    with pytest.raises(QboApiError) as caught:
        api.company_info()
    assert (caught.value.code, caught.value.status) == ("3001", 429)
    assert "wait a minute" in str(caught.value)


def test_throttling_that_never_ends_gives_up_with_3001(sim: SimulatorServer) -> None:
    sim.control("scenario", name="throttle", realm_id=US_REALM)
    sleeps = Sleeps()
    api = QboApi.for_profile("default", sleep=sleeps)
    with pytest.raises(QboApiError) as caught:
        api.company_info()
    assert caught.value.code == "3001" and caught.value.status == 429
    assert sleeps.waits == [15.0, 60.0, 60.0]
    assert "wait a minute" in str(caught.value)
    assert [f["code"] for f in recent_failures("default")] == ["3001"]  # once, not per attempt


def test_an_outage_is_retried_a_few_times_then_explained(sim: SimulatorServer) -> None:
    sim.control("scenario", name="outage", realm_id=US_REALM)
    sleeps = Sleeps()
    api = QboApi.for_profile("default", sleep=sleeps)
    with pytest.raises(QboApiError) as caught:
        api.query_all("Account")
    assert caught.value.status == 503 and caught.value.code == "HTTP 503"
    assert sleeps.waits == [1.0, 2.0, 4.0]
    assert caught.value.intuit_tid
    assert "Intuit's side" in str(caught.value)
    assert "503 Service Temporarily Unavailable" in str(caught.value)  # the page's own title
    assert [f["code"] for f in recent_failures("default")] == ["HTTP 503"]


def test_errors_carry_code_detail_and_intuit_tid(sim: SimulatorServer) -> None:
    api = QboApi.for_profile("default")
    with pytest.raises(QboApiError) as caught:
        api.get("Invoice", "999999")
    error = caught.value
    assert (error.code, error.status) == ("610", 400)
    assert "Object Not Found" in error.message and "999999" in error.detail
    assert error.intuit_tid and error.intuit_tid in str(error)
    logged = recent_failures("default")[0]
    assert (logged["source"], logged["code"], logged["intuit_tid"]) == (
        "api",
        "610",
        error.intuit_tid,
    )


def _invoice_body(api: QboApi) -> dict[str, object]:
    customer = api.query_all("Customer", where="Active = true")[0]
    item = next(i for i in api.query_all("Item", where="Active = true") if i["Type"] == "Service")
    return {
        "CustomerRef": {"value": customer["Id"]},
        "Line": [
            {
                "DetailType": "SalesItemLineDetail",
                "Amount": 1.00,
                "Description": "Integration test - safe to void",
                "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 1},
            }
        ],
    }


def test_a_lost_answer_to_a_create_is_retried_without_a_duplicate(sim: SimulatorServer) -> None:
    sleeps = Sleeps()
    api = QboApi.for_profile("default", sleep=sleeps)
    body = _invoice_body(api)
    count = len(api.query_all("Invoice"))
    sim.control("drop_next_response", path_contains="/invoice")
    invoice = api.create("Invoice", body, request_id=uuid.uuid4().hex)
    assert invoice["TotalAmt"] == 1.0
    assert sleeps.waits == [1.0]  # the answer was lost once, and the same request repeated
    assert len(api.query_all("Invoice")) == count + 1
    voided = api.void_invoice(invoice["Id"], invoice["SyncToken"])
    assert voided["TotalAmt"] == 0
    deleted = api.delete("Invoice", voided["Id"], voided["SyncToken"])
    assert deleted.get("status") == "Deleted"


def test_query_all_reads_every_page(memory_keyring: MemoryKeyring, isolated_home: Path) -> None:
    server = start_simulator()
    try:
        save_keys(server)
        connect_by_paste(server, realm_id=LARGE_REALM)
        api = QboApi.for_profile("default")
        accounts = api.query_all("Account", order_by="Id")
        assert len(accounts) > 9 * 1000  # active ones of 10,000: many pages of at most 1000
        assert api.call_count == len(accounts) // 1000 + 1
        assert len({a["Id"] for a in accounts}) == len(accounts)
    finally:
        server.stop()


def test_years_of_use_end_in_a_warning_before_the_five_year_limit(
    sim: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    day = 86400.0
    keeper = TokenKeeper("default")
    for _ in range(20):  # used at least every 90 days: the rolling 100 days never run out
        sim.advance_clock(90 * day)
        keeper.tokens(force=True)
    assert expiry_warnings(stored(), time.time()) == []  # 25 days left: nothing to say yet
    sim.advance_clock(15 * day)  # 1815 of the 1825 days are gone
    keeper.tokens(force=True)
    assert main(["token", "--profile", "default"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == stored().access_token
    assert "5-year limit in 10 day(s)" in captured.err
    assert "qbo-wizard login" in captured.err


def test_a_wait_of_more_than_a_second_is_told_before_it_starts(sim: SimulatorServer) -> None:
    """So a screen can say why nothing moves for 15 seconds."""
    from qbo_wizard.core.connection.api import Wait

    sim.control("scenario", name="throttle", realm_id=US_REALM)
    told: list[Wait] = []
    sleeps = Sleeps(lambda n: sim.control("scenario", name="none", realm_id=US_REALM))
    api = QboApi.for_profile("default", sleep=sleeps)
    api.on_wait = told.append
    assert api.query_all("Customer")
    assert told == [Wait(15.0, "throttled")]
    assert sleeps.waits == [15.0]
