"""Step 5: the app's Client ID and Client Secret, checked with Intuit, stored in the keyring.

The fields are masked (`SecretInput`); a shape problem is shown next to the field it concerns;
the live check and the keyring write run in a thread worker that reports back with a message.
With no usable keyring the status says so, with the ways forward, and nothing is marked done;
an encrypted-file keyring asks for its passphrase in a masked dialog. The fields are emptied
once the keys are saved, so no secret stays in the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, RadioSet, TextArea

from qbo_wizard.core.profile import Profile
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.widgets.choice_button import ChoiceButton
from qbo_wizard.tui.widgets.guidance import CalloutBox
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.status_line import StatusLine
from qbo_wizard.tui.widgets.step_nav import StepBanner

if TYPE_CHECKING:
    from qbo_wizard.core.connection.vault import RecipeMessage

FIELDS = {"client_id": "Client ID", "client_secret": "Client Secret"}
KEY_SETS = ("development", "production")


class KeysSaved(Message):
    """Intuit accepted the keys and they are stored; `profile` is the saved profile and
    `keyring` says where the keys are, in words."""

    def __init__(self, profile: Profile, keyring: str) -> None:
        super().__init__()
        self.profile = profile
        self.keyring = keyring


class KeysRefused(Message):
    """The keys were not saved; `field` names the field at fault, if one is, and `recipes`
    holds the ways forward as commands when the keyring is what refused."""

    def __init__(
        self, message: str, field: str | None, recipes: RecipeMessage | None = None
    ) -> None:
        super().__init__()
        self.message = message
        self.field = field
        self.recipes = recipes


class CredentialsScreen(StepScreen):
    """Masked key fields, inline problems, and a live check before anything is stored."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save_keys",
            "Check and save",
            id="keys.save",
            tooltip="Check the keys with Intuit, then store them in the keyring",
            priority=True,
        ),
    ]

    def compose_step(self) -> ComposeResult:
        content = self.content
        profile = self.profile
        yield Prose(content.intro, classes="intro")
        for callout in content.callouts:
            yield CalloutBox(callout)
        demo = self.session.demo
        prefill = demo.practice_keys(profile.key_set) if demo is not None else {}
        if prefill:
            yield from self._compose_practice_choice()
        else:
            yield Label(content.text("key_set", key_set=profile.key_set), id="key-set-note")
        with Vertical(id="key-fields"):
            for name, label in FIELDS.items():
                yield Label(label, classes="field-label")
                yield SecretInput(
                    presenter=self.session.presenter,
                    id=name.replace("_", "-"),
                    value=prefill.get(name, ""),
                    placeholder=f"Paste the {label} here",
                )
                yield Label(
                    "",
                    id=f"{name.replace('_', '-')}-problem",
                    classes="field-problem",
                    markup=False,
                )
        yield Button("Check and save (ctrl+s)", id="save-keys", variant="primary")
        status = StatusLine(id="keys-status", leads=True)
        if profile.client_id_hint and profile.step_state("credentials") == "done":
            status.succeeded(content.text("saved_already", hint=profile.client_id_hint))
        yield status
        yield Vertical(id="keys-recipes")

    def _compose_practice_choice(self) -> ComposeResult:
        """Demo mode: either pair of the practice app's keys, filled in for the user."""
        chosen = self.profile.key_set
        with Vertical(id="choice"):
            yield Label(self.content.text("demo"), id="choice-prompt", classes="demo-note")
            with RadioSet(id="practice-key-sets"):
                for key_set in KEY_SETS:
                    yield ChoiceButton(
                        self.content.text(f"demo_{key_set}"),
                        key_set == chosen,
                        id=f"practice-{key_set}",
                    )

    @on(RadioSet.Changed, "#practice-key-sets")
    def rehearse_key_set(self, event: RadioSet.Changed) -> None:
        """Switch the profile to the chosen pair (as step 1 would) and fill its keys in."""
        key_set = (event.pressed.id or "").removeprefix("practice-")
        demo = self.session.demo
        if key_set not in KEY_SETS or key_set == self.profile.key_set or demo is None:
            return
        self.profile.key_set = key_set  # type: ignore[assignment]
        self.session.save()
        keys = demo.practice_keys(key_set)
        for name in FIELDS:
            self.query_one(f"#{name.replace('_', '-')}", SecretInput).value = keys.get(name, "")
        self._show_problem(None, "")
        self.query_one(StepBanner).refresh_badges()
        self.query_one("#keys-status", StatusLine).succeeded(
            self.content.text("demo_switched", key_set=key_set)
        )

    def _show_problem(self, field: str | None, message: str) -> None:
        for name in FIELDS:
            widget_id = name.replace("_", "-")
            problem = self.query_one(f"#{widget_id}-problem", Label)
            problem.update(message if name == field else "")
            self.query_one(f"#{widget_id}", SecretInput).set_class(name == field, "-invalid")

    @on(Button.Pressed, "#save-keys")
    @on(Input.Submitted)
    def action_save_keys(self) -> None:
        """Check the shape here, then the keys with Intuit in a worker."""
        if self.busy:
            return
        from qbo_wizard.core.connection.credentials import CredentialProblem, check_shape

        client_id = self.query_one("#client-id", SecretInput).value
        client_secret = self.query_one("#client-secret", SecretInput).value
        try:
            checked = check_shape(client_id, client_secret)
        except CredentialProblem as problem:
            self._show_problem(problem.field, problem.in_wizard())
            self.query_one("#keys-status", StatusLine).failed(problem.in_wizard())
            return
        self._show_problem(None, "")
        for warning in checked.warnings:
            self.notify(warning, severity="warning", timeout=8, markup=False)
        self.busy = True
        self.query_one("#keys-status", StatusLine).working(self.content.text("checking"))
        profile = self.profile
        simulator_url = profile.simulator_url if profile.environment == "simulator" else None
        self.store_keys(checked.credentials, profile.key_set, simulator_url)

    @work(thread=True, exclusive=True, group="credentials", exit_on_error=False)
    def store_keys(self, credentials: object, key_set: str, simulator_url: str | None) -> None:
        """Check the keys live and store them (runs in a thread)."""
        from qbo_wizard.core.connection.credentials import (
            CredentialProblem,
            Credentials,
            store_credentials,
        )
        from qbo_wizard.core.connection.vault import VaultUnavailable, describe_keyring
        from qbo_wizard.core.problems import WizardError

        assert isinstance(credentials, Credentials)
        try:
            saved = store_credentials(
                self.profile.name,
                key_set,  # type: ignore[arg-type]
                credentials,
                simulator_url,
            )
        except CredentialProblem as problem:
            self.post_message(KeysRefused(problem.in_wizard(), problem.field))
        except VaultUnavailable as refusal:
            self.post_message(KeysRefused(refusal.in_wizard(), None, refusal.recipes()))
        except WizardError as error:
            self.post_message(KeysRefused(error.in_wizard(), None))
        except Exception as error:  # shown in plain words; never the secret
            kind = type(error).__name__
            self.post_message(KeysRefused(self.content.text("unexpected", kind=kind), None))
        else:
            self.post_message(KeysSaved(saved, describe_keyring()))

    @on(KeysSaved)
    async def keys_saved(self, event: KeysSaved) -> None:
        self.busy = False
        for name in FIELDS:
            self.query_one(f"#{name.replace('_', '-')}", SecretInput).clear()
        await self._show_recipes(None)
        hint = self.profile.client_id_hint or "…"
        self.query_one("#keys-status", StatusLine).succeeded(
            self.content.text("accepted", hint=hint, keyring=event.keyring)
        )
        self.refresh_bindings()

    @on(KeysRefused)
    async def keys_refused(self, event: KeysRefused) -> None:
        self.busy = False
        self._show_problem(event.field, event.message if event.field else "")
        await self._show_recipes(event.recipes)
        status = self.query_one("#keys-status", StatusLine)
        # The status leads: with the ways forward under it, it goes to the top of the view.
        status.failed(event.recipes.summary if event.recipes else event.message)

    async def _show_recipes(self, recipes: RecipeMessage | None) -> None:
        """The ways forward under the status: each heading, then its commands as they are
        typed (one per line, indented, selectable to copy)."""
        holder = self.query_one("#keys-recipes", Vertical)
        await holder.remove_children()
        if recipes is None:
            return
        parts: list[Widget] = []
        for heading, commands in recipes.ways:
            if heading:
                parts.append(Label(heading, classes="recipe-heading", markup=False))
            parts.append(TextArea(commands, read_only=True, soft_wrap=True, classes="recipe"))
        if recipes.closing:
            parts.append(Label(recipes.closing, classes="recipe-closing", markup=False))
        await holder.mount_all(parts)
