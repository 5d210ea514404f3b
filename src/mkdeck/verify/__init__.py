"""Verify cards' technical claims as live checks on the running kernel (issue 5).

``verify_notes(result, *, run_code=False, jobs=None) -> VerificationReport`` is the entry
point ``mkdeck verify``, ``build --verify`` and ``check --verify`` use.
"""

from __future__ import annotations

from mkdeck.verify.engine import (ClaimResult, CodeResult, VerificationReport,
                                  verify_notes)

__all__ = ["ClaimResult", "CodeResult", "VerificationReport", "verify_notes"]
