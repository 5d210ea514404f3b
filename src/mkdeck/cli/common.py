"""What every ``mkdeck`` subcommand shares: the streams it writes to and the exit statuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


@dataclass
class IO:
    """The streams a command writes to (``sys.stdout``/``sys.stderr`` by default)."""

    stdout: TextIO
    stderr: TextIO
