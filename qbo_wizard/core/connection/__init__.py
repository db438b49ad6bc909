"""Connecting to QuickBooks: the app's keys, the keyring, OAuth, tokens and the API client."""
