"""Steps 1–4: guidance written as a checklist, with values to copy and links to open.

Every tick is saved at once, so quitting and re-running brings the same ticks back. Step 1 also
asks which keys the user is setting up; the answer switches the explanation shown below it
(a `ContentSwitcher`) and is saved as the profile's key set.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Label, RadioSet

from qbo_wizard.core.progress import checklist_state, set_ticked, ticked_items
from qbo_wizard.core.step_content import Callout, Choice
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.widgets.choice_button import ChoiceButton
from qbo_wizard.tui.widgets.guidance import CalloutBox, ChecklistItemView
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.step_nav import StepBanner
from qbo_wizard.tui.widgets.tick_box import TickBox


class ChecklistStepScreen(StepScreen):
    """A guidance step: introduction, callouts, an optional choice, and a checklist."""

    TALKS_TO_QUICKBOOKS = False

    def compose_step(self) -> ComposeResult:
        content = self.content
        if not self.needed:
            yield CalloutBox(Callout("note", "You can skip this step for now", content.skip_note))
        if content.intro:
            yield Prose(content.intro, classes="intro")
        if self.step.id == "overview" and self.session.demo is not None:
            # The intro promises the wizard remembers where you stopped; demo mode does not.
            yield Label(content.text("demo_intro_note"), id="demo-forgets", classes="demo-note")
        for callout in content.callouts:
            yield CalloutBox(callout)
        if content.choice is not None:
            yield from self._compose_choice(content.choice)
        if content.checklist:
            yield Label(self._progress_text(), id="checklist-progress")
            ticked = ticked_items(self.profile, self.step.id)
            items = [
                ChecklistItemView(
                    item,
                    ticked=item.id in ticked,
                    key_set=self.profile.key_set,
                    can_open_links=self.session.can_open_links,
                )
                for item in content.checklist
            ]
            yield Vertical(*items, id="checklist")

    def _compose_choice(self, choice: Choice) -> ComposeResult:
        chosen = self.profile.key_set
        with Vertical(id="choice"):
            yield Label(choice.prompt, id="choice-prompt")
            with RadioSet(id="choice-options"):
                for option in choice.options:
                    yield ChoiceButton(option.label, option.id == chosen, id=f"choose-{option.id}")
            with ContentSwitcher(initial=f"about-{chosen}", id="choice-details"):
                for option in choice.options:
                    yield Prose(option.body, classes="choice-detail", id=f"about-{option.id}")

    @property
    def needed(self) -> bool:
        """False when the profile's key set does not need this step yet."""
        return self.content.applies_to(self.profile.key_set)

    def _ticked_count(self) -> int:
        return len(ticked_items(self.profile, self.step.id) & set(self.content.item_ids))

    def _progress_text(self) -> str:
        return f"Checklist: {self._ticked_count()} of {len(self.content.checklist)} done"

    def state_on_leave(self, moving_on: bool) -> str | None:
        """Done when all is ticked; moving on with gaps (on a needed step) needs attention."""
        total = len(self.content.checklist)
        ticked = self._ticked_count()
        if total == 0:
            return None
        state = checklist_state(ticked, total, needed=self.needed)
        previous = self.profile.step_state(self.step.id)
        if moving_on or state == "done" or previous == "done":
            return state
        return None

    @on(TickBox.Changed)
    def tick(self, event: TickBox.Changed) -> None:
        checkbox_id = event.tick_box.id or ""
        if not checkbox_id.startswith("tick-"):
            return
        item_id = checkbox_id.removeprefix("tick-")
        set_ticked(self.profile, self.step.id, item_id, event.value, self.content.item_ids)
        self.session.save()
        self.query_one("#checklist-progress", Label).update(self._progress_text())

    @on(RadioSet.Changed, "#choice-options")
    def choose(self, event: RadioSet.Changed) -> None:
        option_id = (event.pressed.id or "").removeprefix("choose-")
        if option_id not in ("development", "production") or option_id == self.profile.key_set:
            return
        self.profile.key_set = option_id  # type: ignore[assignment]
        self.session.save()
        self.query_one("#choice-details", ContentSwitcher).current = f"about-{option_id}"
        self.query_one(StepBanner).refresh_badges()
