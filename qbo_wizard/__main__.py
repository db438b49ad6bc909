"""`python -m qbo_wizard` runs the same command as `qbo-wizard`."""

from qbo_wizard.cli import entry_point

entry_point()
