"""Opening a profile's mapping: the saved mapping, its integration, the company's lists, checked.

`open_mapping_session` is what the step-7 screen's loading worker and `qbo-wizard mapping check`
both call, so the screen and the command agree on which integration is meant, which lists are
read and what the saved mapping's check says. It may read files and QuickBooks: call it off the
UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qbo_wizard.core.mapping import suggestions
from qbo_wizard.core.mapping.company_lists import (
    CompanyLists,
    ListProgressCallback,
    ProgressCallback,
    QboClient,
    company_lists_for,
)
from qbo_wizard.core.mapping.draft import MappingDraft
from qbo_wizard.core.mapping.file import SavedMapping, load_saved_mapping
from qbo_wizard.core.mapping.integrations import Integration, load_integration
from qbo_wizard.core.mapping.report import MappingReport, check_saved_mapping
from qbo_wizard.core.mapping.suggestions import Suggestion
from qbo_wizard.core.problems import ConfigFileError
from qbo_wizard.core.steps import step_ref

NOTHING_SAVED = f"No mapping has been saved yet: map the integration's lines in {step_ref('map')}."

MatchingCallback = Callable[[int, int, int], None]
"""Told the number of lines, accounts and items once the lists are read and matching starts."""


@dataclass
class MappingSession:
    """A profile's mapping, opened: what is saved, for which integration, checked against the
    company's lists; and, when opened for editing, the draft and a suggestion per line."""

    profile_name: str
    report: MappingReport
    """The saved mapping checked against the lists (its `problems` say why it could not be)."""
    integration: Integration | None = None
    """The integration opened; None when none is chosen yet or its file cannot be read."""
    integration_problem: str | None = None
    """Why the integration asked for could not be read (the file's mistake, named)."""
    saved: SavedMapping | None = None
    """The saved mapping of this integration (None: none saved, or it is another's)."""
    saved_unreadable: ConfigFileError | None = None
    """Why `mapping.yaml` could not be read, when it could not."""
    saved_for_other: str | None = None
    """The name of the integration the saved mapping is for, when it is another one."""
    lists: CompanyLists | None = None
    client: QboClient | None = None
    """The client the lists were read with (None when they were handed in)."""
    draft: MappingDraft | None = None
    """The lines on the company's lists with the saved choices (opened for editing only)."""
    suggestions: dict[str, Suggestion] = field(default_factory=dict)
    """A proposal per line that has one (opened for editing only; never applied here)."""

    def checked_report(self) -> MappingReport:
        """The report, for a check of what is saved: an unreadable `mapping.yaml` is raised."""
        if self.saved_unreadable is not None:
            raise self.saved_unreadable
        return self.report


def open_mapping_session(
    connect: Callable[[], QboClient],
    profile_name: str,
    *,
    integration_reference: str | None = None,
    remembered: str | None = None,
    refresh: bool | None = None,
    lists: CompanyLists | None = None,
    for_editing: bool = False,
    on_progress: ProgressCallback | None = None,
    on_list: ListProgressCallback | None = None,
    on_reading: Callable[[], None] | None = None,
    on_matching: MatchingCallback | None = None,
) -> MappingSession:
    """Open the profile's mapping of one integration against the company's lists.

    `connect` gives the client for the profile's company; it is called only when the lists are
    to be read, so choosing an integration needs no connection.

    The integration is the one asked for, else the saved mapping's, else `remembered` (the one
    chosen before). The lists are read fresh when a mapping is saved, so it is checked against
    QuickBooks as it is now, and otherwise the copy read last time may be used (`refresh`
    decides instead when given; `lists` skips reading). A saved mapping of another integration
    is named in `saved_for_other` and is not the starting point. `for_editing` also builds the
    draft, a suggestion per line and every picker's list, so nothing opens slowly afterwards.
    """
    session = MappingSession(profile_name, MappingReport(profile_name, None, None))
    name_index: suggestions.NameIndex | None = None
    saved: SavedMapping | None = None
    try:
        saved = load_saved_mapping(profile_name)
    except ConfigFileError as error:
        session.saved_unreadable = error
    reference = integration_reference or (saved.integration if saved else None) or remembered
    if reference is None:
        session.report.problems.append(NOTHING_SAVED)
        return session
    try:
        integration = load_integration(reference)
    except ConfigFileError as error:
        session.integration_problem = str(error)
        session.report = MappingReport(profile_name, None, saved)
        session.report.problems.append(f"The integration profile cannot be read: {error}")
        return session
    if lists is None:
        session.client = connect()
        if on_reading is not None:
            on_reading()
        fresh = refresh if refresh is not None else saved is not None
        # For editing, the suggestions' name index is filled page by page while the lists are
        # read, while this process waits for the answers and for Intuit's limits; it keeps only
        # what the integration's hints can match.
        indexer = (
            suggestions.IndexedInTheBackground(suggestions.integration_hints(integration))
            if for_editing
            else None
        )
        try:
            lists = company_lists_for(
                session.client,
                profile_name,
                refresh=fresh,
                on_progress=on_progress,
                on_list=on_list,
                observer=indexer,
            )
        finally:
            if indexer is not None:
                name_index = indexer.finished()
    if saved is not None and saved.integration != integration.reference:
        try:
            session.saved_for_other = load_integration(saved.integration).name
        except ConfigFileError:  # its file may be gone; the reference says which it was
            session.saved_for_other = saved.integration
        saved = None  # a mapping of another integration's lines is not the starting point
    session.integration, session.saved, session.lists = integration, saved, lists
    if saved is not None:
        session.report = check_saved_mapping(profile_name, saved, integration, lists)
    else:
        session.report = MappingReport(profile_name, integration, None, lists=lists)
        session.report.problems.append(NOTHING_SAVED)
    if for_editing:
        if on_matching is not None:
            on_matching(len(integration.lines), len(lists.accounts), len(lists.items))
        # Through the module, so that a stand-in for the matching can be put in its place.
        session.suggestions = suggestions.suggest_all(integration, lists, name_index)
        name_index = None  # let go of its names (a large chart's take tens of MiB)
        session.draft = MappingDraft(integration, lists, saved)
        session.draft.prepare_pickers()
    return session
