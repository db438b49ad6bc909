"""Re-check a saved mapping against the live company: what broke, what changed, what to do.

`validate_saved_mapping` is what the status home (through `check_mapping_status`) and the doctor
call; `qbo-wizard mapping check` opens the same session (`session.open_mapping_session`). It reads
the company's lists (fresh by default) and checks the saved mapping against them
(`report.check_saved_mapping`). It never raises for a broken mapping; the report says, line by
line, what is wrong and how to fix it.
"""

from __future__ import annotations

from qbo_wizard.core.handoff.record import ConnectionHandedOff
from qbo_wizard.core.health.area_status import AreaStatus, StatusOptions, first_sentence
from qbo_wizard.core.mapping.company_lists import (
    CompanyLists,
    ProgressCallback,
    QboClient,
    cached_company_lists,
)
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import (
    SavedMapping,
    load_saved_mapping,
    mapping_path,
)
from qbo_wizard.core.mapping.integrations import load_integration
from qbo_wizard.core.mapping.report import MappingReport, check_saved_mapping, first_broken
from qbo_wizard.core.mapping.session import open_mapping_session
from qbo_wizard.core.problems import EXIT_RECONNECT, ConfigFileError, WizardError
from qbo_wizard.core.profile import MAPPING_FILE, Profile


class MappingMissing(WizardError):
    """There is no saved mapping for this profile yet."""


def validate_saved_mapping(
    client: QboClient,
    profile_name: str,
    *,
    refresh: bool = True,
    on_progress: ProgressCallback | None = None,
    lists: CompanyLists | None = None,
) -> MappingReport:
    """Re-check the profile's saved mapping against the live company.

    Reads the company's lists fresh by default (`refresh=False` uses the cached copy when it is
    there; `lists` skips loading altogether). Never raises for a broken mapping: the report says
    what is wrong, line by line, with the fix. A missing mapping is reported, not raised.
    """
    session = open_mapping_session(
        lambda: client, profile_name, refresh=refresh, lists=lists, on_progress=on_progress
    )
    return session.checked_report()


def accept_changes(profile_name: str, report: MappingReport) -> SavedMapping:
    """Save the mapping again with QuickBooks' current names, types and income accounts.

    For changes that are still within the rules (a rename, a new type that is allowed, an item
    whose new income account is an income account). Lines that break a rule stay refused.
    """
    lists = report.lists
    if report.saved is None or report.integration is None or lists is None:
        raise MappingMissing("There is no saved mapping to update.")
    if report.problems:
        raise WizardError(report.problems[0])
    draft = MappingDraft(report.integration, lists, report.saved)
    return draft.save(profile_name)


def check_mapping_status(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Mapping (the status home's row): the saved mapping re-checked, with the first fix.

    Live, the lists are read fresh from QuickBooks (as `qbo-wizard mapping check` does);
    otherwise the copy read last time is used when there is one, and nothing goes online.
    """
    if not mapping_path(profile.name).exists():
        return AreaStatus("mapping", "problem", "Line items not mapped yet.", "map")
    try:
        saved = load_saved_mapping(profile.name)
    except ConfigFileError as error:
        return AreaStatus("mapping", "problem", str(error), "map")
    if saved is None:  # removed since the check above
        return AreaStatus("mapping", "problem", "Line items not mapped yet.", "map")
    if options.live:
        from qbo_wizard.core.connection.api import QboApi, brief_waits

        try:
            # A status line should answer promptly: short waits, not the full back-off.
            api = QboApi.for_profile(profile.name, sleep=brief_waits)
            report = validate_saved_mapping(api, profile.name, refresh=True)
        except WizardError as error:
            if isinstance(error, ConnectionHandedOff):  # the vendor holds it; nothing to fix
                why = f"Saved in {MAPPING_FILE}; not checked live ({error.record.vendor} holds "
                return AreaStatus("mapping", "ok", why + "the connection).", "map")
            if error.exit_code == EXIT_RECONNECT:  # the Connection row already says why
                why = "Not checked: QuickBooks has to be connected again first."
                return AreaStatus("mapping", "unknown", why, "connect")
            why = "Could not be checked: "
            return AreaStatus(
                "mapping",
                "unknown",
                why + first_sentence(str(error)),
                "map",
                wizard_why=why + first_sentence(error.in_wizard()),
            )
    else:
        lists = cached_company_lists(profile.name, saved.realm_id)
        if lists is None:
            return AreaStatus("mapping", "ok", f"Saved in {MAPPING_FILE}; not checked live.", "map")
        try:
            integration = load_integration(saved.integration)
        except ConfigFileError as error:
            return AreaStatus("mapping", "problem", str(error), "map")
        report = check_saved_mapping(profile.name, saved, integration, lists)
    if report.ok:
        return AreaStatus("mapping", "ok", report.summary(), "map")
    why, wizard_why = report.summary(), report.summary(in_wizard=True)
    broken = first_broken(report)
    if not report.problems and broken is not None:
        line, finding = broken
        if finding is not None:
            why += f" {line.line.label}: {finding.as_text()}"
            wizard_why += f" {line.line.label}: {finding.as_text(in_wizard=True)}"
    return AreaStatus("mapping", "problem", why, "map", wizard_why=wizard_why)
