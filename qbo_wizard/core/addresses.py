"""Intuit addresses the wizard shows and registers, with no imports so any module can use them
(the first screen reads them without loading the network libraries)."""

from __future__ import annotations

# The page Intuit's OAuth Playground redirects to. Intuit pre-registers it on development keys;
# for production keys the user adds it to the production redirect URIs (it is HTTPS).
PLAYGROUND_REDIRECT_URI = "https://developer.intuit.com/v2/OAuth2Playground/RedirectUrl"
PLAYGROUND_URL = "https://developer.intuit.com/app/developer/playground"

# The loopback redirect the create-app step asks users to register for development keys.
DEFAULT_LOOPBACK_PORT = 8765
LOOPBACK_PATH = "/callback"
