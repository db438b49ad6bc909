"""Opening a mapping: the step-7 screen and `mapping check` agree on what is saved and checked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qbo_wizard.core.mapping.check import validate_saved_mapping
from qbo_wizard.core.mapping.company_lists import QboClient
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping, mapping_path
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.session import NOTHING_SAVED, open_mapping_session
from qbo_wizard.core.problems import ConfigFileError

from .company_data import NoNetwork, ridgeline, ridgeline_accounts

SERVICES = load_integration("professional-services")
FREIGHT = load_integration("freight-brokerage")


def _no_connection() -> QboClient:
    raise AssertionError("no connection expected")


def _save_services() -> SavedMapping:
    draft = MappingDraft(SERVICES, ridgeline())
    draft.choose("time", "100")
    draft.choose("subcontractor-time", "21")
    return draft.save("acme")


def test_with_nothing_saved_or_chosen_the_question_comes_first_without_a_connection() -> None:
    session = open_mapping_session(_no_connection, "acme", for_editing=True)
    assert session.integration is None and session.integration_problem is None
    assert session.report.problems == [NOTHING_SAVED]


def test_a_missing_integration_file_is_named_without_a_connection() -> None:
    session = open_mapping_session(_no_connection, "acme", integration_reference="no-such-one")
    assert session.integration is None
    assert session.integration_problem is not None
    assert "no-such-one" in session.integration_problem
    assert session.report.problems[0].startswith("The integration profile cannot be read")


def test_the_screen_and_the_command_see_the_same_check_of_what_is_saved() -> None:
    _save_services()
    accounts = [replace(a, active=False) if a.id == "21" else a for a in ridgeline_accounts()]
    later = ridgeline(accounts=accounts)
    editing = open_mapping_session(lambda: NoNetwork(), "acme", lists=later, for_editing=True)
    checked = validate_saved_mapping(NoNetwork(), "acme", lists=later)
    assert editing.integration == SERVICES
    assert [(r.line.id, r.status) for r in editing.report.lines] == [
        (r.line.id, r.status) for r in checked.lines
    ]
    assert dict((r.line.id, r.status) for r in checked.lines)["subcontractor-time"] == "broken"
    assert editing.draft is not None
    assert editing.draft.choices["subcontractor-time"].target_id == "21"


def test_a_mapping_of_another_integration_is_named_and_not_the_starting_point() -> None:
    _save_services()
    session = open_mapping_session(
        lambda: NoNetwork(),
        "acme",
        integration_reference=FREIGHT.id,
        lists=ridgeline(),
        for_editing=True,
    )
    assert session.integration == FREIGHT
    assert session.saved is None
    assert session.saved_for_other == SERVICES.name
    assert session.draft is not None
    assert all(choice.target_id is None for choice in session.draft.choices.values())
    assert session.suggestions  # the lines get suggestions from the company's names


def test_an_unreadable_saved_mapping_still_opens_for_editing_but_a_check_says_why() -> None:
    path = mapping_path("acme")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("lines: [this is not a mapping\n", encoding="utf-8")
    session = open_mapping_session(
        lambda: NoNetwork(),
        "acme",
        remembered=SERVICES.id,
        lists=ridgeline(),
        for_editing=True,
    )
    assert session.integration == SERVICES and session.draft is not None
    assert session.saved_unreadable is not None
    with pytest.raises(ConfigFileError):
        session.checked_report()
    with pytest.raises(ConfigFileError):
        validate_saved_mapping(NoNetwork(), "acme", lists=ridgeline())
