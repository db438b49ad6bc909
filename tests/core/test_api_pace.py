"""Every client of one company keeps under Intuit's limits, so QuickBooks never answers 429.

The simulator enforces the limits as Intuit does (10 requests a second, 500 a minute per
company); these tests send more than a second's worth through the ways the wizard, the command
line and integrations reach the API, and count the refusals at the simulator.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import qbo_wizard
from qbo_wizard.cli import main
from qbo_wizard.core.connection.api import PER_SECOND_LIMIT, QboApi
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import connect_by_paste, save_keys, start_simulator


@pytest.fixture
def throttled() -> Iterator[SimulatorServer]:
    server = start_simulator(throttle=True)
    save_keys(server)
    connect_by_paste(server)
    server.control("request_counts", reset=True)
    yield server
    server.stop()


def refusals(sim: SimulatorServer) -> int:
    counts: dict[str, int] = sim.control("request_counts")["counts"]
    return counts.get("throttled", 0)


def test_a_burst_of_reads_is_paced_instead_of_refused(throttled: SimulatorServer) -> None:
    api = QboApi.for_profile("default")
    names = [api.company_info()["CompanyName"] for _ in range(PER_SECOND_LIMIT * 2 + 3)]
    assert len(set(names)) == 1
    assert refusals(throttled) == 0
    assert api.call_count == PER_SECOND_LIMIT * 2 + 3  # no retries were needed
    assert api.pace.waited > 0  # it did have to wait its turn


def test_clients_of_one_company_share_the_pace(throttled: SimulatorServer) -> None:
    """The wizard's client, an integration's `connection()` and a second thread at once."""
    clients = [QboApi.for_profile("default"), qbo_wizard.connection("default")]
    assert clients[0].pace is clients[1].pace
    failures: list[BaseException] = []

    def read(api: QboApi) -> None:
        try:
            for _ in range(PER_SECOND_LIMIT):
                api.query_page("Account", None, "Id", 1, 5)
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=read, args=(api,)) for api in clients * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert refusals(throttled) == 0
    assert sum(api.call_count for api in clients) == PER_SECOND_LIMIT * 4


def test_the_command_line_keeps_the_pace_after_the_wizard(
    throttled: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api = QboApi.for_profile("default")
    for _ in range(PER_SECOND_LIMIT):
        api.company_info()
    # At once, in the same process: the health check reads the company again, twice.
    for _ in range(2):
        main(["doctor"])
    counts: dict[str, int] = throttled.control("request_counts")["counts"]
    assert counts.get("company_info", 0) > PER_SECOND_LIMIT  # the checks did reach QuickBooks
    assert refusals(throttled) == 0
    capsys.readouterr()
