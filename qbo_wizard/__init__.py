"""qbo-wizard: connect an integration to QuickBooks Online, step by step."""

__version__ = "0.1.0"
