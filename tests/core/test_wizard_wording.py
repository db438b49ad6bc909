"""The wizard's screens say what to do in the wizard's words (a step, a key), while the command
line keeps naming the exact command: each error that names a command carries both."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import qbo_wizard
from qbo_wizard.core.connection.api import Fault, QboApiError, _plain_message
from qbo_wizard.core.connection.credentials import load_credentials
from qbo_wizard.core.connection.intuit import _unexpected
from qbo_wizard.core.connection.oauth import CompanyChanged
from qbo_wizard.core.connection.tokens import ReconnectRequired, TokenKeeper
from qbo_wizard.core.dollar_test.plan import ProductionConfirmationRequired
from qbo_wizard.core.dollar_test.results import problem_from_error
from qbo_wizard.core.handoff.record import ConnectionHandedOff, HandoffRecord
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import Profile, save_profile

COMMAND_LINE = re.compile(
    r"`qbo-wizard [a-z]|qbo-wizard (?:[a-z]+ ){1,2}[A-Z]{3,}|(?<![\w-])--[a-z]"
)

CORE = Path(qbo_wizard.__file__).parent / "core"

# Texts in core that name a command but never reach a screen, and why.
NEVER_ON_A_SCREEN = {
    "connection/tokens.py": "the 5-year and 100-day warnings are printed by `login` and `token`",
    "connection/vault.py": "shell recipes for a keyring, run outside the wizard before it starts",
    "health/doctor.py": "step 9 words a skipped offline check itself",
    "health/doctor_checks.py": "a check's command; step 9 shows the step that fixes it instead",
    "mapping/file.py": "the header of the saved mapping file",
    "mapping/transfer.py": "export and import are command-line only",
    "problems.py": "the crash message, printed after the wizard has closed",
}


def command_texts_outside_fixes(path: Path) -> list[tuple[int, str]]:
    """Every string in `path` that names a command and is not the command side of a `Fix`
    (or the `fix` of a finding that also has a `wizard_fix`)."""
    tree = ast.parse(path.read_text())
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            exempt.add(id(body[0].value))  # docstrings
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "Fix" and node.args:
            exempt.update(id(sub) for sub in ast.walk(node.args[0]))
        if any(keyword.arg == "wizard_fix" for keyword in node.keywords) and len(node.args) > 3:
            exempt.update(id(sub) for sub in ast.walk(node.args[3]))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in exempt
        and COMMAND_LINE.search(node.value)
    ]


def test_every_command_named_in_core_has_the_wizards_words_beside_it() -> None:
    found = []
    for path in sorted(CORE.rglob("*.py")):
        where = path.relative_to(CORE).as_posix()
        if where in NEVER_ON_A_SCREEN:
            continue
        found += [
            f"{where}:{line}: {text[:70]!r}" for line, text in command_texts_outside_fixes(path)
        ]
    assert found == [], "\n".join(found)


def _handed_off() -> ConnectionHandedOff:
    record = HandoffRecord(vendor="Acme TMS", handed_at="2026-05-01T12:00:00Z")
    return ConnectionHandedOff("acme", record)


def _refused_connection() -> QboApiError:
    fault = Fault(code="3200", message="AuthenticationFailed", detail="")
    return QboApiError(*_plain_message("read the company", fault, 401, None), code="3200")


ERRORS = {
    "reconnect": (lambda: ReconnectRequired("acme"), "qbo-wizard login --profile acme", "step 6"),
    "other-company": (
        lambda: CompanyChanged("1", "Bluewater", "2", "Harbour"),
        "--allow-company-change",
        "the wizard asks you to",
    ),
    "real-company-test": (
        lambda: ProductionConfirmationRequired("Bluewater Freight", None),
        '--confirm-production "Bluewater Freight"',
        "type it in the box exactly as shown",
    ),
    "handed-off": (_handed_off, "qbo-wizard handoff --profile acme", "step 6"),
    "intuit-unexpected": (
        lambda: _unexpected(ValueError("x"), "connect"),
        "qbo-wizard explain",
        "Explain on step 9",
    ),
    "connection-refused": (_refused_connection, "`qbo-wizard login`", "on step 6"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_an_error_names_the_command_on_the_command_line_and_the_step_in_the_wizard(
    name: str,
) -> None:
    make, command, wizard_words = ERRORS[name]
    error = make()
    assert isinstance(error, WizardError)
    assert command in str(error)
    shown = error.in_wizard()
    assert wizard_words in shown
    assert not COMMAND_LINE.search(shown), shown


def test_missing_keys_point_to_step_5_in_the_wizard() -> None:
    save_profile(Profile(name="acme"))
    with pytest.raises(WizardError) as raised:
        load_credentials("acme")
    assert "`qbo-wizard credentials --profile acme`" in str(raised.value)
    assert raised.value.in_wizard().endswith("Enter them on step 5 first.")


def test_not_connected_points_to_step_6_in_the_wizard() -> None:
    save_profile(Profile(name="acme"))
    with pytest.raises(WizardError) as raised:
        TokenKeeper("acme").current()
    assert "`qbo-wizard login --profile acme`" in str(raised.value)
    assert raised.value.in_wizard().endswith("Connect it on step 6 first.")


def test_step_8_shows_a_failed_test_in_the_wizards_words() -> None:
    problem = problem_from_error(ReconnectRequired("acme"))
    assert "qbo-wizard login --profile acme" in problem.message
    assert "go to step 6 and connect" in problem.headline(in_wizard=True)
    assert not COMMAND_LINE.search(problem.in_wizard)
