"""Sealed hand-off of a connection to a hosted integration, and who holds it afterwards."""
