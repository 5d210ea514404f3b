"""What was pushed from one vault to one Anki: the record ``mkdeck push`` keeps per Anki.

One file per Anki URL + profile + vault under ``$XDG_STATE_HOME/mkdeck/push`` (never in the
vault, so two machines pushing to two Ankis never disturb each other): for each guid the Anki
note id it was found at, its note type, deck and digest. Written atomically, and only after a
push fully succeeded, so a push cut short is redone by the next one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mkdeck.ankiconnect.package import PushError

LOG = logging.getLogger(__name__)

RECORD_FORMAT = 1


@dataclass(frozen=True, slots=True)
class RecordEntry:
    """What was last pushed of one note: Anki note id (``None`` when it was not found after
    the import), note type, deck, digest
    (:attr:`mkdeck.ankiconnect.package.PackageNote.digest`), a label, and the vault's tags
    sent (``None`` in records written before they were kept): an update replaces a note's
    tags in Anki, so push gives back the others (Anki's ``leech``, the user's ``marked``)."""

    nid: int | None
    model: str
    deck: str
    digest: str
    label: str = ""
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PushRecord:
    """What was pushed from one vault to one Anki (URL + profile), by guid.

    Attributes:
        notes: guid -> :class:`RecordEntry` of every note pushed and still in the vault.
        gone: guids removed from the vault that this Anki was found not to have (deleted
            there by hand, or never pushed): not looked for again.
    """

    url: str
    profile: str
    vault: str
    notes: Mapping[str, RecordEntry] = field(default_factory=dict)
    gone: frozenset[str] = frozenset()

    def to_text(self) -> str:
        """The record file's text: JSON, keys sorted, one note per line."""
        head = {"format": RECORD_FORMAT, "url": self.url, "profile": self.profile,
                "vault": self.vault}
        lines = [json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1] + ', "notes": {']
        items = sorted(self.notes.items())
        for i, (guid, e) in enumerate(items):
            entry: dict[str, object] = {"nid": e.nid, "model": e.model, "deck": e.deck,
                                        "digest": e.digest, "label": e.label}
            if e.tags is not None:
                entry["tags"] = list(e.tags)
            sep = "," if i < len(items) - 1 else ""
            lines.append(f"{json.dumps(guid, ensure_ascii=False)}: "
                         f"{json.dumps(entry, ensure_ascii=False, sort_keys=True)}{sep}")
        lines.append("}, " + json.dumps({"gone": sorted(self.gone)}, ensure_ascii=False)[1:])
        return "\n".join(lines) + "\n"


def state_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/mkdeck`` (``~/.local/state/mkdeck`` when unset or not absolute; XDG
    Base Directory spec)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "mkdeck"


def record_path(url: str, profile: str, vault: str | os.PathLike[str],
                environ: Mapping[str, str] | None = None) -> Path:
    """Where the record of pushes from ``vault`` to the Anki at ``url`` (profile
    ``profile``) lives: ``$XDG_STATE_HOME/mkdeck/push/<16 hex>.json``."""
    key = hashlib.sha256("\x00".join([url, profile, str(vault)]).encode("utf-8",
                                                                         "surrogateescape"))
    return state_home(environ) / "push" / f"{key.hexdigest()[:16]}.json"


def load_record(path: Path, url: str, profile: str, vault: str) -> PushRecord:
    """The record at ``path``; an empty one when there is none.

    Raises:
        PushError: the file exists but cannot be read (it is then left as it is).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PushRecord(url, profile, vault)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PushError(f"cannot read the push record {path} ({exc}); delete it to push "
                        f"as if for the first time") from None
    try:
        if data.get("format") != RECORD_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, not {RECORD_FORMAT}")
        notes = {str(g): RecordEntry(None if e["nid"] is None else int(e["nid"]),
                                     str(e["model"]), str(e["deck"]), str(e["digest"]),
                                     str(e.get("label", "")),
                                     None if e.get("tags") is None
                                     else tuple(str(t) for t in e["tags"]))
                 for g, e in data["notes"].items()}
        gone = frozenset(str(g) for g in data.get("gone", []))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise PushError(f"the push record {path} is damaged ({exc}); delete it to push as "
                        f"if for the first time") from None
    return PushRecord(url, profile, vault, notes, gone)


def foreign_notes(url: str, profile: str, vault: str,
                  environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The notes other vaults pushed to the same Anki: guid -> that vault's path.

    Read from the other records under ``$XDG_STATE_HOME/mkdeck/push`` with the same ``url``
    and ``profile``. A guid is vault-relative (file path and first field, or ID comment:
    ``mkdeck.export.identity``), so two vaults can give one guid to two cards, while Anki
    holds one note per guid. Records of vaults whose folder no longer exists (moved, renamed,
    deleted) and records that cannot be read are skipped.
    """
    out: dict[str, str] = {}
    try:
        paths = sorted((state_home(environ) / "push").glob("*.json"))
    except OSError:
        return out
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("url") != url \
                or data.get("profile") != profile:
            continue
        other, notes = data.get("vault"), data.get("notes")
        if not isinstance(other, str) or other == vault or not isinstance(notes, dict) \
                or not os.path.isdir(other):
            continue
        for guid in notes:
            out.setdefault(str(guid), other)
    return out


def save_record(path: Path, record: PushRecord) -> None:
    """Write ``record`` to ``path`` atomically (temp file, fsync, rename).

    Raises:
        OSError: it cannot be written (the old record is then untouched).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(record.to_text())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


