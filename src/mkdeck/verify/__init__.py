"""Verify cards' technical claims as live checks on the running kernel (issue 5)."""

from __future__ import annotations
