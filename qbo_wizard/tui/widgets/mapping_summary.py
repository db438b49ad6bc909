"""The two lines above step 7's table: which integration and company, and how far the mapping is.

`context_text` says what is being mapped, for which company, how fresh the lists are and what
went wrong with the saved mapping, if anything. `MappingSummary` counts the ready lines and says
whether the mapping is saved, or which lines stop it from being saved.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from qbo_wizard.core.mapping.session import MappingSession
from qbo_wizard.core.step_content import StepContent
from qbo_wizard.tui.widgets.mapping_table import LineView
from qbo_wizard.tui.widgets.status_line import StatusLine


def context_text(opened: MappingSession, content: StepContent, company: str) -> Content:
    """The integration and company (`company`: its name when the lists do not give one), how
    fresh the lists are, and a warning about the saved mapping when there is one."""
    lists = opened.lists
    assert lists is not None and opened.integration is not None
    company = lists.company_name or company
    if lists.country:
        company += f" ({lists.country})"
    when = content.text("lists_fresh")
    if lists.cached:
        when = content.text("lists_cached", when=_local_time(lists.loaded_at))
    parts: list[Content | tuple[str, str] | str] = [
        (content.text("context", integration=opened.integration.name, company=company), "bold"),
        (f"\n{when[:1].upper()}{when[1:]} · {content.text('context_keys')}", "$text-muted"),
    ]
    if opened.saved_for_other:
        text = content.text("saved_elsewhere", integration=opened.saved_for_other)
        parts.append((f"\n{text}", "$text-warning"))
    if opened.saved_unreadable is not None:
        text = content.text("saved_unreadable", problem=str(opened.saved_unreadable))
        parts.append((f"\n{text}", "$text-warning"))
    return Content.assemble(*parts)


class MappingSummary(StatusLine):
    """One line: how many lines are ready, and whether the mapping is saved."""

    def summarise(
        self,
        views: list[LineView],
        content: StepContent,
        *,
        saved: bool,
        problem: str | None = None,
    ) -> None:
        """Say how far the mapping is.

        Args:
            views: Every line as the table shows it.
            content: The step's copy.
            saved: What is shown is what is saved (nothing changed since loading or saving).
            problem: A whole-mapping problem to say instead (e.g. another company's mapping).
        """
        total = len(views)
        done = sum(v.state in ("ok", "unused") for v in views)
        look = sum(v.state == "warning" for v in views)  # allowed, but "! needs a look"
        counts = {"done": str(done), "total": str(total)}
        refused = [v for v in views if v.state == "refused"]
        if problem:
            self.failed(problem)
        elif refused:
            only_tax = all(
                f.code == "tax-code-required" for v in refused for f in v.findings if f.breaks
            )
            if only_tax:
                lines = "1 line needs" if len(refused) == 1 else f"{len(refused)} lines need"
                self.failed(content.text("tax_needed", **counts, lines=lines))
            else:
                self.failed(content.text("refused_lines", **counts, refused=str(len(refused))))
        elif look:
            self.clear()
            self.update(
                content.text("look_lines", **counts, look=str(look))
                + " "
                + content.text("look_saved" if saved else "look_not_saved")
            )
        elif not saved:
            self.clear()
            self.update(content.text("not_saved", **counts))
        elif done == total:
            self.succeeded(content.text("all_saved", total=str(total)))
        else:
            self.clear()
            self.update(content.text("saved_as_is", **counts))


def _local_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone().strftime("%d %b %Y %H:%M")
