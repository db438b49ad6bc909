"""Integration profiles: the shipped ones load, and a bad user file names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbo_wizard.core.mapping.integrations import (
    builtin_integration_ids,
    builtin_integrations,
    load_integration,
)
from qbo_wizard.core.problems import ConfigFileError

GOOD = """\
id: courier
name: Same-day courier
description: Deliveries billed per drop.
lines:
  - id: delivery
    label: Delivery
    kind: invoice
    description: The charge per delivery.
    hints: [Delivery Income]
  - id: driver-pay
    label: Driver pay
    kind: bill
    description: What the owner-operator bills.
"""


def test_shipped_profiles_cover_freight_and_professional_services() -> None:
    assert {"freight-brokerage", "professional-services"} <= set(builtin_integration_ids())
    freight = load_integration("freight-brokerage")
    invoice_ids = [line.id for line in freight.lines_of_kind("invoice")]
    bill_ids = [line.id for line in freight.lines_of_kind("bill")]
    assert {"linehaul", "fuel-surcharge", "accessorials", "detention"} <= set(invoice_ids)
    assert {"carrier-linehaul", "carrier-fuel", "carrier-accessorials"} <= set(bill_ids)
    services = load_integration("professional-services")
    assert {"time", "billable-expenses", "fixed-fee"} <= {line.id for line in services.lines}
    assert [line.kind for line in services.lines if line.id.startswith("subcontractor")] == [
        "bill",
        "bill",
    ]
    for integration in builtin_integrations():
        assert integration.builtin and integration.reference == integration.id
        for line in integration.lines:
            assert line.label and line.description and line.hints


def test_a_user_file_is_loaded_and_referred_to_by_its_path(tmp_path: Path) -> None:
    path = tmp_path / "courier.yaml"
    path.write_text(GOOD)
    courier = load_integration(str(path))
    assert courier.name == "Same-day courier"
    assert courier.line("driver-pay").kind == "bill"
    assert courier.line("driver-pay").hints == ()
    assert courier.reference == str(path) and not courier.builtin


@pytest.mark.parametrize(
    ("broken", "line", "field", "words"),
    [
        (GOOD.replace("kind: bill", "kind: expense"), 12, "lines[2].kind", "'invoice'"),
        (GOOD.replace("    label: Driver pay\n", ""), 10, "lines[2].label", "is missing"),
        (
            GOOD.replace("[Delivery Income]", "").replace("hints:", "hint:"),
            9,
            "lines[1].hint",
            "knows",
        ),
        (GOOD.replace("id: driver-pay", "id: delivery"), 10, "lines[2].id", "repeats"),
        (GOOD.replace("id: courier", "id: Courier Co"), 1, "id", "lower-case"),
        (GOOD.replace("[Delivery Income]", "Delivery Income"), 9, "lines[1].hints", "list"),
        (GOOD.split("lines:")[0] + "lines: []\n", 4, "lines", "at least one"),
    ],
)
def test_a_malformed_user_file_names_the_file_line_and_field(
    tmp_path: Path, broken: str, line: int, field: str, words: str
) -> None:
    path = tmp_path / "courier.yaml"
    path.write_text(broken)
    with pytest.raises(ConfigFileError) as caught:
        load_integration(str(path))
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}:" in message
    assert f"'{field}'" in message
    assert words in message


def test_yaml_that_does_not_parse_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "courier.yaml"
    path.write_text(GOOD.replace("    kind: bill", "    kind: [bill"))
    with pytest.raises(ConfigFileError) as caught:
        load_integration(path)
    assert str(path) in str(caught.value) and "line" in str(caught.value)


def test_an_unknown_name_lists_the_shipped_profiles(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as caught:
        load_integration("freight")
    assert "freight-brokerage" in str(caught.value)
    assert "professional-services" in str(caught.value)


KEY = "age1ldl8xhgzxzrljv6zyvz0jnp0z7e7wyn0x6mk6dtj7ur6zhknmvtqjggrpg"
HOSTED = GOOD.replace(
    "lines:\n",
    f"hosted:\n  vendor: Acme TMS\n  contact: support@acme.example\n  recipient: {KEY}\nlines:\n",
)


def test_a_hosted_integration_names_its_vendor_and_age_key(tmp_path: Path) -> None:
    path = tmp_path / "courier.yaml"
    path.write_text(HOSTED)
    hosted = load_integration(path).hosted
    assert hosted is not None
    assert (hosted.vendor, hosted.contact, hosted.recipients) == (
        "Acme TMS",
        "support@acme.example",
        (KEY,),
    )
    assert not hosted.practice
    assert load_integration(str(tmp_path / "courier.yaml")).lines  # the lines still load
    path.write_text(GOOD)
    assert load_integration(path).hosted is None


def test_every_shipped_profile_names_only_the_practice_vendor() -> None:
    for integration in builtin_integrations():
        assert integration.hosted is not None and integration.hosted.practice


@pytest.mark.parametrize(
    ("broken", "field", "words"),
    [
        (HOSTED.replace(KEY, "ssh-ed25519 AAAA"), "hosted.recipient", "age public key"),
        (HOSTED.replace(KEY, KEY[:-1]), "hosted.recipient", "58 letters and digits"),
        (HOSTED.replace("  vendor: Acme TMS\n", ""), "hosted.vendor", "is missing"),
        (HOSTED.replace(f"  recipient: {KEY}\n", ""), "hosted.recipient", "is missing"),
        (HOSTED.replace("  contact:", "  email:"), "hosted.email", "knows"),
        (
            HOSTED.replace("lines:\n", "  practice: maybe\nlines:\n"),
            "hosted.practice",
            "true or false",
        ),
    ],
)
def test_a_malformed_hosted_section_names_the_field(
    tmp_path: Path, broken: str, field: str, words: str
) -> None:
    path = tmp_path / "courier.yaml"
    path.write_text(broken)
    with pytest.raises(ConfigFileError) as caught:
        load_integration(path)
    assert f"'{field}'" in str(caught.value)
    assert words in str(caught.value)
