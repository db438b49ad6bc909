"""An explained problem (what it is, why, how to fix it) and the button that opens the fixing step.

Steps 8 and 9 show errors the same way: a ✗ headline, what QuickBooks said, the likely causes,
numbered fix steps, Intuit's reference (`intuit_tid`) with a Copy button, and "Fix it in
step N". Every text is drawn as plain text: it may quote a server's answer or what was pasted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from qbo_wizard.core.steps import StepId, is_step_id, step_by_id
from qbo_wizard.tui.widgets.clipboard import send_to_clipboard

if TYPE_CHECKING:  # the step screens import these cores when they need them
    from qbo_wizard.core.dollar_test.results import DollarCheckProblem
    from qbo_wizard.core.health.explain import Explanation


def fix_label(step_id: StepId, line_label: str | None = None, *, again: bool = False) -> str:
    """`Fix it in step 7 · Map your line items (Carrier linehaul)`, or `Connect again in step 6`."""
    step = step_by_id(step_id)
    if step_id == "connect":
        return f"Connect {'again ' if again else ''}in step {step.number}"
    line = f" ({line_label})" if line_label else ""
    return f"Fix it in step {step.number} · {step.title}{line}"


class FixButton(Button):
    """Opens the step that fixes a problem; the step screen turns the press into the jump."""

    def __init__(
        self,
        step_id: StepId,
        *,
        line_id: str | None = None,
        line_label: str | None = None,
        again: bool = False,
        compact: bool = False,
        id: str | None = None,  # noqa: A002 (Textual's name)
    ) -> None:
        """A button to the step that fixes a problem.

        Args:
            step_id: The fixing step.
            line_id: A mapping line for step 7 to highlight.
            line_label: That line's name, for the button's label.
            again: The profile was connected before (step 6 then reads "Connect again").
            compact: One line high, without a border (for rows of a list).
            id: The widget's id.
        """
        super().__init__(
            Content(fix_label(step_id, line_label, again=again)),  # a line's name is outside text
            id=id,
            classes="fix-button",
            variant="primary",
            compact=compact,
        )
        self.step_id: StepId = step_id
        self.line_id = line_id


class ExplainedProblem(Vertical):
    """✗ headline, what QuickBooks said, likely causes, the fix as steps, reference, fix button."""

    def __init__(
        self,
        headline: str,
        *,
        said: str | None = None,
        causes: Sequence[str] = (),
        fixes: Sequence[str] = (),
        step: str | None = None,
        line_id: str | None = None,
        line_label: str | None = None,
        intuit_tid: str | None = None,
        current_step: StepId | None = None,
        id: str | None = None,  # noqa: A002 (Textual's name)
    ) -> None:
        super().__init__(id=id, classes="explained")
        self.headline = headline
        self.said = said
        self.causes = tuple(causes)
        self.fixes = tuple(fixes)
        self.step: StepId | None = step if is_step_id(step) else None  # type: ignore[assignment]
        self.line_id = line_id
        self.line_label = line_label
        self.intuit_tid = intuit_tid
        self.current_step = current_step

    @classmethod
    def from_test_problem(
        cls,
        problem: DollarCheckProblem,
        *,
        line_label: str | None = None,
        current_step: StepId | None = None,
    ) -> ExplainedProblem:
        """A step-8 failure: the error knowledge's words when the error was recognised."""
        said = None
        if problem.title:
            said = f"QuickBooks said: {problem.detail}" if problem.detail else problem.in_wizard
        return cls(
            problem.headline(in_wizard=True),
            said=said,
            causes=problem.cause,
            fixes=problem.fix,
            step=problem.step,
            line_id=problem.line_id,
            line_label=line_label,
            intuit_tid=problem.intuit_tid,
            current_step=current_step,
        )

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, *, current_step: StepId | None = None
    ) -> ExplainedProblem:
        """A pasted error, recognised by the explainer."""
        headline = explanation.title
        if explanation.code:
            headline = f"{headline} (error {explanation.code})"
        return cls(
            headline,
            said=f"The message says: {explanation.detail}" if explanation.detail else None,
            causes=explanation.cause,
            fixes=explanation.fix,
            step=explanation.step,
            intuit_tid=explanation.intuit_tid,
            current_step=current_step,
        )

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("✗ ", "$text-error"), (self.headline, "bold")),
            classes="explained-headline",
        )
        if self.said:
            yield Static(self.said, classes="explained-said", markup=False)
        if self.causes:
            yield Static("Likely causes:", classes="explained-heading")
            for cause in self.causes:
                yield Static(f"• {cause}", classes="explained-item", markup=False)
        if self.fixes:
            yield Static("How to fix it:", classes="explained-heading")
            for number, fix in enumerate(self.fixes, start=1):
                yield Static(f"{number}. {fix}", classes="explained-item", markup=False)
        if self.intuit_tid:
            with Horizontal(classes="explained-reference"):
                yield Static(
                    f"Intuit's reference (intuit_tid): {self.intuit_tid}",
                    classes="explained-tid",
                    markup=False,
                )
                yield Button(
                    "Copy",
                    classes="copy-tid",
                    compact=True,
                    tooltip="Copy the reference Intuit support asks for",
                )
        if self.step is not None and self.step != self.current_step:
            profile = getattr(self.screen, "profile", None)  # a step screen's profile
            again = getattr(profile, "realm_id", None) is not None
            yield FixButton(
                self.step, line_id=self.line_id, line_label=self.line_label, again=again
            )

    @on(Button.Pressed, ".copy-tid")
    def copy_reference(self, event: Button.Pressed) -> None:
        event.stop()
        if self.intuit_tid:
            send_to_clipboard(self.app, self.intuit_tid, "Intuit's reference (intuit_tid)")
