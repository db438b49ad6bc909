"""Mapping the integration's lines to the company's items and accounts, and checking it later."""
