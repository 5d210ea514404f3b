"""Probe programs (run as scripts by the isolating runner, never imported)."""
