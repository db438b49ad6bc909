"""Where am I: the step banner, the step list (wide terminals) and the step strip (narrow ones).

A step's state is shown by a glyph as well as a colour, so it reads the same in monochrome, in
a screenshot and to someone describing the screen over the phone.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from qbo_wizard.core.profile import Profile
from qbo_wizard.core.steps import STEPS, Step, StepId

STATE_GLYPHS = {"done": "✓", "needs-attention": "!", "not-started": "·"}
CURRENT_GLYPH = "▶"
STATE_STYLES = {
    "done": "$text-success",
    "needs-attention": "$text-warning",
    "not-started": "$text-muted",
    "current": "$text-accent",
}
LEGEND = "▶ you are here   ✓ done\n! needs a look    · to do"


def step_glyph(profile: Profile, step: Step, current: str | None) -> tuple[str, str]:
    """The glyph and style of one step: ▶ current, ✓ done, ! needs attention, · not started."""
    if step.id == current:
        return CURRENT_GLYPH, STATE_STYLES["current"]
    state = profile.step_state(step.id)
    return STATE_GLYPHS.get(state, "·"), STATE_STYLES.get(state, "")


def step_label(step: Step) -> str:
    """`Step N of 9 · Title`, the words support uses on a call."""
    return f"Step {step.number} of {len(STEPS)} · {step.title}"


SHORT_WORDS = {"development keys": "dev keys", "production keys": "prod keys"}


def short_badge(badge: str) -> str:
    """A banner badge in fewer letters: `profile acme` → `acme`, `development keys` → `dev keys`."""
    return SHORT_WORDS.get(badge, badge.removeprefix("profile "))


class StepBanner(Horizontal):
    """The always-visible top line: `Step N of 9 · Title`, and what profile this is."""

    def __init__(self, title: str, badges: Callable[[], list[str]]) -> None:
        super().__init__(id="banner")
        self._title = title
        self._badges = badges

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="banner-title", markup=False)
        yield Static(self._badge_text(), id="banner-badges", markup=False)

    def _badge_text(self, room: int | None = None) -> str:
        """The badges, tight so all of them fit at 80 columns; when `room` is too small for
        that, the short forms (`acme · dev keys`), so nothing is lost on narrower screens."""
        full = " · ".join(self._badges())
        if room is None or len(full) <= room:
            return full
        return " · ".join(short_badge(badge) for badge in self._badges())

    def on_resize(self) -> None:
        self.refresh_badges()

    def refresh_badges(self) -> None:
        """Redraw the right-hand side after the profile's key set or mode changed."""
        badges = self.query_one("#banner-badges", Static)
        room = self.content_size.width - len(self._title) - badges.styles.margin.left
        badges.update(self._badge_text(room if self.content_size.width else None))


class StepOptions(OptionList):
    """The steps as options. Hidden (the step strip stands in on narrow terminals), it takes
    no focus and ignores its keys, so PageUp or Enter there never acts on an unseen list."""

    def is_shown(self) -> bool:
        """True when this list and every container around it are displayed."""
        return all(node.display for node in self.ancestors_with_self if isinstance(node, Widget))

    def allow_focus(self) -> bool:
        return self.is_shown()

    def action_page_up(self) -> None:
        if self.is_shown():
            super().action_page_up()  # type: ignore[no-untyped-call]

    def action_page_down(self) -> None:
        if self.is_shown():
            super().action_page_down()  # type: ignore[no-untyped-call]

    def action_select(self) -> None:
        if self.is_shown():
            super().action_select()


class StepList(Vertical):
    """The nine steps with their state; choosing one jumps there (wide terminals)."""

    class StepChosen(Message):
        """The user picked a step in the list."""

        def __init__(self, step_id: StepId) -> None:
            super().__init__()
            self.step_id = step_id

    def __init__(self, profile: Profile, current: str | None) -> None:
        super().__init__(id="step-list")
        self._profile = profile
        self._current = current

    def compose(self) -> ComposeResult:
        options = []
        for step in STEPS:
            glyph, style = step_glyph(self._profile, step, self._current)
            prompt = Content.assemble((f"{glyph} ", style), f"{step.number}  {step.title}")
            options.append(Option(prompt, id=step.id))
        yield StepOptions(*options, id="step-options", compact=True)
        yield Static(LEGEND, id="step-legend", markup=False)

    def on_mount(self) -> None:
        if self._current is not None:
            options = self.query_one(OptionList)
            options.highlighted = options.get_option_index(self._current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.StepChosen(event.option.id))  # type: ignore[arg-type]


class StepStrip(Static):
    """One line with every step's glyph and number, for terminals too narrow for the list."""

    def __init__(self, profile: Profile, current: str | None) -> None:
        parts: list[Content | str] = []
        for step in STEPS:
            glyph, style = step_glyph(profile, step, current)
            parts.extend([Content.styled(glyph, style), f"{step.number} "])
        parts.append(Content.styled("  g go to step", "$text-muted"))
        super().__init__(Content.assemble(*parts), id="step-strip")
