"""The registry of diagnostic codes: every finding mkdeck can report, with its fix.

Each stage declares its own codes next to the code that reports them::

    UNCLOSED_BLOCK = register(
        "MKD102", Severity.ERROR, "START without END",
        fix="Add an END line after the card's last field.",
        bad="START\\nBasic\\nfront\\nSTART\\n…", good="START\\nBasic\\nfront\\nEND",
    )
    diagnostics.append(UNCLOSED_BLOCK.at(SourceLocation(path, 12), "START at line 12 is never closed …"))

Ranges: ``MKD0xx`` vault and config, ``MKD1xx`` card grammar (parse), ``MKD2xx`` rendering
(links, embeds, media, math), ``MKD3xx`` export and identity, ``MKD4xx`` verification,
``MKD5xx`` vault checks that only ``mkdeck check`` runs. A code, once released, keeps its
meaning forever; ``docs/codes.md`` is generated from this registry, and
:func:`mkdeck.app.codes.all_codes` lists every module that declares codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mkdeck.model import Diagnostic, Severity, SourceLocation

_CODE_RE = re.compile(r"^MKD\d{3}$")


@dataclass(frozen=True, slots=True)
class Code:
    """A diagnostic code and its documentation.

    Attributes:
        code: ``"MKD"`` and three digits.
        severity: default severity of its findings.
        title: a few words naming the problem (``"START without END"``).
        fix: how to fix the input, one or two sentences.
        bad: a short example of input that triggers it.
        good: the same input, fixed.
    """

    code: str
    severity: Severity
    title: str
    fix: str
    bad: str = ""
    good: str = ""

    def at(
        self, location: SourceLocation, message: str, severity: Severity | None = None
    ) -> Diagnostic:
        """A :class:`Diagnostic` of this code at ``location``.

        Args:
            location: where the problem is written.
            message: the specific message (what is wrong here and how to fix it).
            severity: overrides the code's default severity (rarely needed).
        """
        return Diagnostic(self.code, severity or self.severity, location, message)


REGISTRY: dict[str, Code] = {}


def register(
    code: str, severity: Severity, title: str, *, fix: str, bad: str = "", good: str = ""
) -> Code:
    """Declare a diagnostic code.

    Raises:
        ValueError: when ``code`` is not ``MKD`` + 3 digits, or is already registered with a
            different title (two stages must not share a code).
    """
    if not _CODE_RE.match(code):
        raise ValueError(f"diagnostic code {code!r} is not of the form MKD000")
    entry = Code(code, severity, title, fix, bad, good)
    old = REGISTRY.get(code)
    if old is not None and old.title != title:
        raise ValueError(f"diagnostic code {code} registered twice: {old.title!r} and {title!r}")
    REGISTRY[code] = entry
    return entry


# Codes that belong to no single stage.
INTERNAL_ERROR = register(
    "MKD001",
    Severity.ERROR,
    "internal error",
    fix="This is a bug in mkdeck, not in your notes: please report it with the file named.",
)
