"""Step 6: connect the profile to one QuickBooks company.

Three ways in, one per pane of a `ContentSwitcher` chosen with a `RadioSet`:

- loopback: the browser on this computer comes back to a one-shot listener on 127.0.0.1
  (development keys only);
- paste-url: approve in any browser and paste the address it lands on (production keys, SSH,
  and the browser-served wizard);
- paste-tokens: a refresh token and realm ID from Intuit's OAuth Playground.

Every network call runs in a thread worker that posts a message back. A sign-in that picked a
different company from the saved one asks before switching (the mapping belongs to a company).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, ContentSwitcher, Input, Label, RadioSet

from qbo_wizard.core.display import short_realm
from qbo_wizard.core.profile import Profile, mask_hint
from qbo_wizard.core.progress import journey
from qbo_wizard.core.step_content import Link
from qbo_wizard.tui.screens.base import StepScreen
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.widgets.choice_button import ChoiceButton
from qbo_wizard.tui.widgets.explained import ExplainedProblem
from qbo_wizard.tui.widgets.guidance import CalloutBox, LinkRow
from qbo_wizard.tui.widgets.prose import Prose
from qbo_wizard.tui.widgets.secret_input import SecretInput
from qbo_wizard.tui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from qbo_wizard.core.connection.callback import LoopbackListener
    from qbo_wizard.core.connection.oauth import Authorization, PendingConnection

METHODS = ("loopback", "paste-url", "paste-tokens")
PLAYGROUND = Link(
    "Intuit's OAuth Playground", "https://developer.intuit.com/app/developer/playground"
)


class SignInReady(Message):
    """The consent page's address is ready (and, for loopback, the listener is waiting)."""

    def __init__(self, authorization: Authorization) -> None:
        super().__init__()
        self.authorization = authorization


class ConnectionProven(Message):
    """Intuit issued tokens and QuickBooks named the company; nothing is saved yet."""

    def __init__(self, pending: PendingConnection, company_changed: bool) -> None:
        super().__init__()
        self.pending = pending
        self.company_changed = company_changed


class ConnectionSaved(Message):
    """The connection is stored; `profile` is the saved profile."""

    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile


class SignInRefused(Message):
    """Intuit's sign-in page showed an error instead of coming back (demo approval saw it)."""

    def __init__(self, page_text: str) -> None:
        super().__init__()
        self.page_text = page_text


class ConnectFailed(Message):
    """Connecting stopped; `message` says why in plain words (nothing was saved)."""

    def __init__(self, message: str, *, cancelled: bool = False) -> None:
        super().__init__()
        self.message = message
        self.cancelled = cancelled


def shown_sign_in_address(url: str) -> str:
    """The consent address as drawn on screen: where it leads and which app, nothing to click.

    The full address goes to the browser or the clipboard only, so a shared screen or a
    screenshot never shows the app's client ID. Drawn without `https://` and without its query,
    it is not taken for a link by terminals that underline addresses (a browser tab's terminal
    does): a shortened address would open a broken page. The Open button opens the real one.
    """
    parts = urlsplit(url)
    client_id = dict(parse_qsl(parts.query)).get("client_id")
    where = f"{parts.netloc}{parts.path}"
    return f"{where} (client ID {mask_hint(client_id)})" if client_id else where


def company_words(name: str, realm_id: str | None) -> str:
    """`Name (realm …1234)`: realm IDs are always shortened on this screen."""
    return f"{name} (realm {short_realm(realm_id)})"


def method_label(content: Any, method: str) -> str:
    return str(content.text(f"{method.replace('-', '_')}_label"))


class ConnectScreen(StepScreen):
    """Sign in, prove the connection with CompanyInfo, and store it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "o",
            "sign_in",
            "Sign in",
            id="connect.sign-in",
            tooltip="Start the sign-in with the chosen method",
        ),
        Binding(
            "a",
            "demo_approve",
            "Approve (demo)",
            id="connect.demo-approve",
            tooltip="Demo only: approve on the practice sign-in page for you",
        ),
        Binding(
            "x",
            "cancel_sign_in",
            "Stop waiting",
            id="connect.cancel",
            tooltip="Stop waiting for the browser",
        ),
    ]
    STEP_KEYS = StepScreen.STEP_KEYS | {"sign_in", "demo_approve", "cancel_sign_in"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authorization: Authorization | None = None
        self.listener: LoopbackListener | None = None
        self.refused = False
        """The sign-in page refused this attempt (its explanation is on screen)."""

    # -- layout ------------------------------------------------------------------------------

    def default_method(self) -> str:
        """Loopback only for development keys with a browser on this computer."""
        session, profile = self.session, self.profile
        if profile.key_set == "production" or session.web or not session.can_open_links:
            return "paste-url"
        if profile.connect_method in METHODS and profile.connect_method != "loopback":
            return profile.connect_method
        return "loopback"

    def compose_step(self) -> ComposeResult:
        content, profile = self.content, self.profile
        yield Prose(content.intro, classes="intro")
        for callout in content.callouts:
            yield CalloutBox(callout)
        if journey(profile) == "reconnect" and profile.realm_id:
            yield Label(
                content.text(
                    "reconnect",
                    company=profile.company_name or "the company",
                    realm=short_realm(profile.realm_id),
                ),
                id="reconnect-note",
                classes="demo-note",
                markup=False,
            )
        if not profile.client_id_hint:
            yield Label(content.text("no_keys"), id="no-keys", classes="field-problem")
        chosen = self.default_method()
        with Vertical(id="choice"):
            yield Label(content.text("method_prompt"), id="choice-prompt")
            with RadioSet(id="method-options"):
                for method in METHODS:
                    button = ChoiceButton(
                        method_label(content, method), method == chosen, id=f"use-{method}"
                    )
                    # Loopback needs development keys and the wizard's own terminal.
                    button.disabled = method == "loopback" and (
                        profile.key_set == "production" or self.session.web
                    )
                    yield button
        with ContentSwitcher(initial=f"pane-{chosen}", id="method-panes"):
            with Vertical(id="pane-loopback", classes="method-pane"):
                yield Prose(content.text("loopback"))
                with Horizontal(classes="pane-buttons"):
                    yield Button(
                        "Open the sign-in page (o)", id="start-loopback", variant="primary"
                    )
                    yield Button("Stop waiting (x)", id="cancel-loopback")
                yield Vertical(id="loopback-link", classes="sign-in-link")
                yield from self.demo_approve_row("loopback")
            with Vertical(id="pane-paste-url", classes="method-pane"):
                yield Prose(content.text("paste_url"))
                yield Button("Get the sign-in address (o)", id="start-paste-url", variant="primary")
                yield Vertical(id="paste-url-link", classes="sign-in-link")
                yield from self.demo_approve_row("paste-url")
                yield Label("Address the browser landed on", classes="field-label")
                yield SecretInput(
                    presenter=self.session.presenter,
                    id="pasted-address",
                    # Not an address itself: a browser tab's terminal would make it a link.
                    placeholder="Paste the whole address (it has code=…, state=… and realmId=…)",
                )
                yield Label("", id="pasted-address-problem", classes="field-problem", markup=False)
                yield Button("Connect", id="finish-paste-url")
            with Vertical(id="pane-paste-tokens", classes="method-pane"):
                yield Prose(content.text("paste_tokens"))
                yield LinkRow(PLAYGROUND, can_open=self.session.can_open_links)
                yield Label("Refresh token", classes="field-label")
                yield SecretInput(
                    presenter=self.session.presenter,
                    id="refresh-token",
                    placeholder="Paste the refresh token here",
                )
                yield Label("Realm ID (company ID)", classes="field-label")
                # Not a secret, but presenter mode never shows a whole company ID.
                yield Input(
                    id="realm-id",
                    placeholder="For example 9130347596240616",
                    password=self.session.presenter,
                )
                yield Label("", id="pasted-tokens-problem", classes="field-problem", markup=False)
                yield Button("Connect (o)", id="finish-paste-tokens")
        status = StatusLine(id="connect-status", leads=True)
        if profile.realm_id and profile.step_state("connect") == "done":
            status.succeeded(self.connected_text(profile, "already"))
        yield status
        yield Vertical(id="connect-problem")

    def demo_approve_row(self, method: str) -> ComposeResult:
        """In demo mode: a button that approves on the practice sign-in page, for machines
        with no browser (a server, a container, an SSH session)."""
        if self.session.demo is None:
            return
        row = Horizontal(id=f"demo-approve-{method}", classes="demo-approve pane-buttons")
        row.display = False  # shown once the sign-in address exists
        with row:
            yield Button(self.content.text("demo_approve"), id=f"demo-approve-button-{method}")
            yield Label(self.content.text("demo_approve_hint"), classes="demo-note")

    def connected_text(self, profile: Profile, key: str = "connected") -> str:
        return self.content.text(
            key,
            company=profile.company_name or "the company",
            realm=short_realm(profile.realm_id),
        )

    @property
    def method(self) -> str:
        current = self.query_one("#method-panes", ContentSwitcher).current or "pane-loopback"
        return current.removeprefix("pane-")

    @property
    def status(self) -> StatusLine:
        return self.query_one("#connect-status", StatusLine)

    @on(RadioSet.Changed, "#method-options")
    def choose_method(self, event: RadioSet.Changed) -> None:
        method = (event.pressed.id or "").removeprefix("use-")
        self.cancel_waiting()
        self.query_one("#method-panes", ContentSwitcher).current = f"pane-{method}"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)  # off while typing in a field
        if not allowed:
            return allowed
        if action == "sign_in":  # a second sign-in would lose the Stop-waiting key
            return self.listener is None
        if action == "cancel_sign_in":
            return self.listener is not None
        if action == "demo_approve":
            return self.session.demo is not None and self.authorization is not None
        return allowed

    # -- starting a sign-in ------------------------------------------------------------------

    @on(Button.Pressed, "#start-loopback, #start-paste-url, #finish-paste-tokens")
    def action_sign_in(self) -> None:
        """Start the chosen method (or, for pasted tokens, check them)."""
        if self.busy or self.listener is not None:
            return
        self.refused = False
        self.query_one("#connect-problem", Vertical).remove_children()
        method = self.method
        if method == "paste-tokens":
            self.connect_with_tokens()
            return
        self.status.working(self.content.text("waiting" if method == "loopback" else "exchanging"))
        self.start_sign_in(self.profile.name, method)

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def start_sign_in(self, profile_name: str, method: str) -> None:
        """Prepare the consent URL; for loopback, also wait for the browser to come back."""
        from qbo_wizard.core.connection.callback import LoopbackListener
        from qbo_wizard.core.connection.oauth import start_authorization, wait_for_loopback

        def run() -> None:
            authorization = start_authorization(profile_name, method)
            if method != "loopback":
                self.post_message(SignInReady(authorization))
                return
            listener = LoopbackListener(authorization.state, authorization.loopback_port)
            self.listener = listener
            self.post_message(SignInReady(authorization))
            try:
                pending = wait_for_loopback(authorization, listener)
            finally:
                self.listener = None
            self.announce_proven(pending)

        self.guarded(run)

    def guarded(self, run: Callable[[], object]) -> None:
        """Run `run()` in this worker thread; any failure becomes a plain `ConnectFailed`."""
        from qbo_wizard.core.connection.callback import LoopbackCancelled
        from qbo_wizard.core.problems import WizardError

        try:
            run()
        except LoopbackCancelled:
            self.post_message(ConnectFailed(self.content.text("cancelled"), cancelled=True))
        except WizardError as error:
            self.post_message(ConnectFailed(error.in_wizard()))
        except Exception as error:  # plain words only; never a token
            kind = type(error).__name__
            self.post_message(ConnectFailed(self.content.text("unexpected", kind=kind)))

    def announce_proven(self, pending: PendingConnection) -> None:
        """Post the proven connection, noting whether it reached another company."""
        self.post_message(ConnectionProven(pending, pending.company_change() is not None))

    @on(SignInReady)
    def sign_in_ready(self, event: SignInReady) -> None:
        """Show the sign-in address (client ID masked); for loopback, also open the browser."""
        authorization = event.authorization
        self.authorization = authorization
        method = authorization.method
        holder = self.query_one(f"#{method}-link", Vertical)
        holder.remove_children()
        holder.mount(
            LinkRow(
                Link("Intuit's sign-in page", authorization.url),
                can_open=self.session.can_open_links,
                shown_url=shown_sign_in_address(authorization.url),
            )
        )
        for row in self.query(".demo-approve"):
            row.display = True
        self.refresh_bindings()
        # The link (and the demo's approve row) push the status down: keep it in view.
        self.status.keep_in_view()
        if method == "loopback":
            self.add_class("-waiting")
            if self.session.can_open_links:
                self.app.open_url(authorization.url)
            return
        self.status.succeeded(self.content.text("url_ready"))
        if self.session.demo is None:
            self.query_one("#pasted-address", SecretInput).focus()
        # In demo mode the focus stays put, so the approve key (a) approves instead of typing.

    @on(Button.Pressed, ".demo-approve Button")
    def action_demo_approve(self) -> None:
        """Demo only: press Connect on the practice sign-in page for the user."""
        authorization = self.authorization
        if self.session.demo is None or authorization is None:
            return
        self.status.working(self.content.text("demo_approving"))
        self.approve_on_practice_page(authorization.url, authorization.method)

    @work(thread=True, exclusive=True, group="demo-approve", exit_on_error=False)
    def approve_on_practice_page(self, url: str, method: str) -> None:
        """Consent as the practice admin; loopback then follows the redirect like a browser,
        paste-back gets the landing address pasted into its field."""
        import requests

        from qbo_wizard.tui.practice import PracticeSignInRefused

        demo = self.session.demo
        if demo is None:
            return
        try:
            landed_on = demo.approve_sign_in(url, self.profile.key_set)
            if method == "loopback":
                requests.get(landed_on, timeout=10)
            else:
                self.app.call_from_thread(self.paste_landing_address, landed_on)
        except PracticeSignInRefused as refusal:
            self.post_message(SignInRefused(refusal.page_text))
        except Exception as error:  # plain words only; the address holds a sign-in code
            kind = type(error).__name__
            self.post_message(ConnectFailed(self.content.text("unexpected", kind=kind)))

    def paste_landing_address(self, address: str) -> None:
        self.query_one("#pasted-address", SecretInput).value = address
        self.finish_paste_url()

    # -- finishing ---------------------------------------------------------------------------

    @on(Button.Pressed, "#finish-paste-url")
    @on(Input.Submitted, "#pasted-address")
    def finish_paste_url(self) -> None:
        """Read the pasted address (checking `state`), then exchange the code in a worker."""
        from qbo_wizard.core.connection.callback import CallbackProblem, parse_redirect

        problem_label = self.query_one("#pasted-address-problem", Label)
        if self.authorization is None or self.authorization.method != "paste-url":
            problem_label.update("Press “Get the sign-in address” first.")
            return
        text = self.query_one("#pasted-address", SecretInput).value
        try:
            result = parse_redirect(text, self.authorization.state)
        except CallbackProblem as problem:
            problem_label.update(problem.in_wizard())
            self.status.failed(problem.in_wizard())
            return
        problem_label.update("")
        self.status.working(self.content.text("exchanging"))
        self.exchange_code(self.authorization, result)

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def exchange_code(self, authorization: Authorization, result: Any) -> None:
        """Exchange the pasted code exactly once and prove the connection."""
        from qbo_wizard.core.connection.oauth import finish_with_code

        self.guarded(lambda: self.announce_proven(finish_with_code(authorization, result)))

    def connect_with_tokens(self) -> None:
        from qbo_wizard.core.connection.oauth import ConnectProblem, check_pasted_tokens

        token = self.query_one("#refresh-token", SecretInput).value
        realm = self.query_one("#realm-id", Input).value
        problem_label = self.query_one("#pasted-tokens-problem", Label)
        try:
            check_pasted_tokens(token, realm)
        except ConnectProblem as problem:
            problem_label.update(problem.in_wizard())
            self.status.failed(problem.in_wizard())
            return
        problem_label.update("")
        self.status.working(self.content.text("checking_tokens"))
        self.check_tokens(self.profile.name, token, realm)

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def check_tokens(self, profile_name: str, token: str, realm: str) -> None:
        """Use the pasted refresh token once and prove the connection."""
        from qbo_wizard.core.connection.oauth import connect_with_tokens

        self.guarded(lambda: self.announce_proven(connect_with_tokens(profile_name, token, realm)))

    @on(ConnectionProven)
    def connection_proven(self, event: ConnectionProven) -> None:
        self.remove_class("-waiting")
        # The sign-in is used up: approving it again could only fail, so the offer goes.
        self.authorization = None
        for row in self.query(".demo-approve"):
            row.display = False
        self.refresh_bindings()
        pending = event.pending
        if not event.company_changed:
            self.save(pending, allow_company_change=False)
            return
        profile = self.profile
        old = company_words(profile.company_name or "another company", profile.realm_id)
        new = company_words(pending.company.name, pending.company.realm_id)
        question = ConfirmScreen(
            self.content.text("company_changed_title"),
            self.content.text("company_changed", old=old, new=new),
            "Switch company",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.save(pending, allow_company_change=True)
            else:
                self.status.failed(self.content.text("kept"))

        self.app.push_screen(question, answered)

    def save(self, pending: PendingConnection, *, allow_company_change: bool) -> None:
        self.busy = True
        self.store_connection(pending, allow_company_change)

    @work(thread=True, exclusive=True, group="connect-save", exit_on_error=False)
    def store_connection(self, pending: PendingConnection, allow_company_change: bool) -> None:
        """Store the proven connection: tokens to the keyring, details to the profile."""
        from qbo_wizard.core.connection.oauth import save_connection

        self.guarded(
            lambda: self.post_message(
                ConnectionSaved(save_connection(pending, allow_company_change=allow_company_change))
            )
        )

    @on(ConnectionSaved)
    def connection_saved(self, event: ConnectionSaved) -> None:
        self.busy = False
        for secret in self.query(SecretInput):
            secret.clear()
        self.status.succeeded(self.connected_text(self.profile))
        self.refresh_bindings()

    @on(SignInRefused)
    async def sign_in_refused(self, event: SignInRefused) -> None:
        """Explain the sign-in page's error (who to contact, what to do); the sign-in is over,
        so a loopback wait stops and frees its port."""
        from qbo_wizard.core.health.explain import explain

        self.refused = True
        self.stop_sign_in()
        explanation = explain(event.page_text)
        if explanation is None:
            self.status.failed(self.content.text("refused", said=event.page_text))
            return
        problem = ExplainedProblem.from_explanation(explanation, current_step="connect")
        if not explanation.detail:  # the page's own words name the person to contact
            problem.said = f"Intuit's page said: {event.page_text}"
        holder = self.query_one("#connect-problem", Vertical)
        await holder.remove_children()
        await holder.mount(problem)
        # Said once the explanation is in place, so the outcome scrolls to the top with what to
        # do below it, however long the explanation takes to be laid out.
        self.status.failed(self.content.text("refused_explained"))

    @on(ConnectFailed)
    def connect_failed(self, event: ConnectFailed) -> None:
        self.stop_sign_in()
        if event.cancelled and self.refused:
            return  # the wait stopped because the sign-in page refused; that stays on screen
        if event.cancelled:
            self.status.clear()
            self.status.update(event.message)
        else:
            self.status.failed(event.message)

    # -- cancelling ----------------------------------------------------------------------------

    @on(Button.Pressed, "#cancel-loopback")
    def action_cancel_sign_in(self) -> None:
        self.cancel_waiting()

    def stop_sign_in(self) -> None:
        """The sign-in attempt is over: stop any loopback wait (freeing its port) and let the
        user start again."""
        self.cancel_waiting()
        self.remove_class("-waiting")
        self.busy = False
        self.listener = None
        self.refresh_bindings()

    def cancel_waiting(self) -> None:
        """Stop a loopback wait (the listener closes its port)."""
        if self.listener is not None:
            self.listener.cancel()

    def on_unmount(self) -> None:
        self.cancel_waiting()
