"""The practice QuickBooks: a local Intuit OAuth 2.0 server and Accounting API v3.

It is the "other side" of the wizard, so nothing here imports the rest of the application.
Start it with `SimulatorServer(port=0).start()` (see `server.py`) or `qbo-wizard simulator`.

How the real client libraries are pointed at it, unmodified
------------------------------------------------------------
intuit-oauth (`intuitlib`): pass the discovery URL as the environment.
    `AuthClient(client_id, client_secret, redirect_uri, environment=info["discovery_url"])`.
    `intuitlib.utils.get_discovery_doc` treats any value other than "sandbox"/"sand"/
    "production"/"prod" as the URL of a discovery document and reads the authorize, token,
    revoke, userinfo and JWKS endpoints from it. The simulator's discovery document points all
    of them at the simulator.

python-quickbooks (`quickbooks.QuickBooks`): set the API URL attributes on the instance.
    `QuickBooks.api_url` is a property that returns `self.sandbox_api_url_v3` when
    `self.sandbox` is true and `self.api_url_v3` otherwise (`sandbox` is true only when the
    AuthClient's environment is the string "sandbox", so with a discovery URL it is false).
    Both are class attributes, so assigning them on the instance targets the simulator without
    touching the class or the library:

        qb = QuickBooks(auth_client=auth_client, refresh_token=refresh_token,
                        company_id=realm_id, minorversion=75)
        qb.api_url_v3 = qb.sandbox_api_url_v3 = info["api_base_url"]

    Hand the AuthClient a current access token before constructing QuickBooks: with
    `auth_client.access_token` set, python-quickbooks does not refresh on its own.

    python-quickbooks sends requests through `requests_oauthlib.OAuth2Session`, which refuses
    plain-http URLs unless the documented oauthlib switch `OAUTHLIB_INSECURE_TRANSPORT=1` is in
    the environment. The simulator serves http on 127.0.0.1 only, so set that variable for the
    process (or test) that talks to the simulator, and only then.
"""
