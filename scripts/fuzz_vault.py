"""A mutation fuzzer for hostile vaults: real notes mutated with card syntax, Unicode and size
extremes, run through mkdeck's commands, with the reliability promises checked on every case.

Seeds are read at run time: the repository's own ``cards/`` and ``tests/data/corpus/`` (byte
copies of the public corpus, see its ``SOURCES.md``), plus every ``--corpus DIR`` given and
``../shared/corpus`` (from the repository or its parent folders) when it exists. Nothing is
copied into the repository.

Two modes:

* in-process (default): each case writes one mutated note into a small vault that also holds
  a symbolic link to a canary file outside the vault, a FIFO note, a link to ``/dev/zero`` and
  a linked note, then runs what the commands run: ``pipeline.load`` (parse), ``dump_document``
  (render, identity), ``run_checks`` and one report format, and ``ids.give_ids`` twice on the
  note's bytes; every 25th case also builds a package (``export.build.build``);
* ``--cli``: each case builds a fresh vault (the same, plus at random: a note that is not
  UTF-8 by name, a folder tree 300 deep, a sparse media file over the size limit, a read-only
  note, a hostile ``mkdeck.yaml``) and runs one real ``mkdeck`` command in a subprocess
  (``dump``, ``check --format F``, ``build``, ``ids`` twice).

Checked on every case: no exception or traceback, exit status 0/1/2, no hang (``--timeout``
seconds), output that is valid UTF-8 JSON / XML / SARIF, the canary's bytes nowhere in any
output or package, no file opened outside the vault and the Python installation (an audit
hook on ``open``, in-process), no temporary file left behind, ``ids`` keeps every byte of the
note in order, adds only ID comments, gives every card an ID or a finding, and a second run
changes nothing.

Usage (a failure prints its seed and saves its input under ``--out``)::

    .venv/bin/python scripts/fuzz_vault.py --cases 100000 --seed 1
    .venv/bin/python scripts/fuzz_vault.py --cli --cases 2000 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:
    sys.path.insert(0, str(REPO / "src"))

LOG = logging.getLogger("fuzz_vault")

FRAGMENTS: tuple[bytes, ...] = (
    b"START\n", b"END\n", b"START\nBasic\nq\nBack: a\nEND\n", b"START\nCloze\n{{c1::x}}\nEND\n",
    b"STARTI [Basic] q Back: a ENDI", b"STARTI [Cloze] {{c1::a}} ENDI", b"STARTI", b"ENDI",
    b"```\n", b"```anki\n", b"~~~\n", b"````\n", b"<!--ID: 17", b"<!--ID: 1700000000000-->\n",
    b"<!--", b"-->", b"ID: 5\n", b"TARGET DECK: X::Y\n", b"TARGET DECK\n", b"FILE TAGS: a b\n",
    b"Tags: x y/z\n", b"Tags: [[x]]\n", b"---\n", b"---\ntags: [a, \"\\ud800\"]\n---\n",
    b"---\ntarget-deck: \"\\udcff\"\ntags: &a [*a]\n---\n", b"%%", b"> [!note]\n> ", b"> ",
    b"[[", b"]]", b"![[", b"![[p]]", b"![[p#H]]", b"![[p#^b1]]", b"![[out]]", b"[[out#h]]",
    b"![[fifo]]", b"![[dev]]", b"![](pic.png)", b"![](../../etc/passwd)", b"![[out.png]]",
    b"![](big.wav)", b"$", b"$$", b"`", b"``", b"{{c1::", b"}}", b"::", b"DELETE\n",
    b"FROZEN - Basic:\n", b"Basic\n", b"Cloze\n", b"Back: ", b"Front: ", b"Text: ", b"\r",
    b"\r\n", b"\xef\xbb\xbf", b"\x00", b"\x1f", b"\xff", b"\xed\xa0\x80", b"\xc3", b"\xf0\x9f",
    "é".encode(), "e\u0301".encode(), "\u202e".encode(), "😀".encode(), "\u2028".encode(),
    "\u0085".encode(), "\ufeff".encode(), "ß".encode(), b"^b1", b"#tag", b"==hl==", b"<div>",
    b"</div>", b"\t", b"  \n", b"\\", b"|", b"[^1]", b"[^1]: n\n", b"- [ ] ", b"| a | b |\n",
)
_INSERTED_CHARS = frozenset("<!-ID: 0123456789>\r\n\t\u2028\u0085")


def seed_dirs(extra: list[Path]) -> list[Path]:
    """Folders of seed notes: ``cards/``, ``tests/data/corpus/``, ``extra``, and the first
    ``shared/corpus`` found beside the repository or a parent folder of it."""
    dirs = [REPO / "cards", REPO / "tests" / "data" / "corpus", *extra]
    for parent in (REPO.parent, *REPO.parent.parents):
        shared = parent / "shared" / "corpus"
        if shared.is_dir():
            dirs.append(shared)
            break
    return [d for d in dirs if d.is_dir()]


def load_seeds(dirs: list[Path]) -> list[bytes]:
    """The bytes of every ``.md`` file in ``dirs`` (read now, never copied)."""
    out = []
    for d in dirs:
        for p in sorted(d.rglob("*.md")):
            if p.is_file() and not p.is_symlink():
                out.append(p.read_bytes())
    if not out:
        out.append(b"START\nBasic\nq\nBack: a\nEND\n")
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    """1 to 4 random mutations of ``data``: fragments spliced in (at a line start or anywhere),
    repeated (up to a size extreme), lines deleted, duplicated, swapped or quoted, bytes
    flipped, line endings changed, the text cut."""
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(12)
        n = len(data)
        pos = rng.randint(0, n)
        if kind <= 3:  # a fragment, most often at a line start
            if kind <= 1 and n:
                nl = data.rfind(b"\n", 0, pos)
                pos = nl + 1
            data = data[:pos] + rng.choice(FRAGMENTS) + data[pos:]
        elif kind == 4:  # a fragment repeated: size extremes
            frag = rng.choice(FRAGMENTS)
            times = rng.choice((2, 3, 10, 100, 1000, rng.randint(1, 20000 // max(1, len(frag)))))
            sep = rng.choice((b"", b" ", b"\n"))
            data = data[:pos] + sep.join([frag] * times) + data[pos:]
        elif kind == 5 and n:  # delete a slice
            end = min(n, pos + rng.randint(1, 200))
            data = data[:pos] + data[end:]
        elif kind == 6:  # duplicate or swap lines
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif kind == 7 and n:  # flip a byte
            i = rng.randrange(n)
            data = data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]
        elif kind == 8:  # line endings
            ending = rng.choice((b"\r\n", b"\r", b"\n"))
            data = re.sub(rb"\r\n|\r|\n", ending, data)
        elif kind == 9:  # quote a run of lines (callouts, deep nesting)
            lines = data.split(b"\n")
            i = rng.randrange(len(lines))
            depth = rng.choice((1, 2, 5, 300))
            for k in range(i, min(len(lines), i + rng.randint(1, 20))):
                lines[k] = b"> " * depth + lines[k]
            data = b"\n".join(lines)
        elif kind == 10 and n:  # cut
            data = data[:pos]
        else:  # Unicode extremes inside a line
            data = data[:pos] + rng.choice(FRAGMENTS[-30:]) * rng.randint(1, 50) + data[pos:]
    return data


# --- checks shared by both modes ---------------------------------------------------------------

class Failure(Exception):
    """A broken promise; the message says which."""


def check_subsequence(before: str, after: str) -> None:
    """``after`` keeps every character of ``before`` in order and adds only ID-comment text."""
    i = 0
    added: list[str] = []
    nb = len(before)
    for ch in after:
        if i < nb and ch == before[i]:
            i += 1
        else:
            added.append(ch)
    if i != nb:
        raise Failure("ids lost bytes of the note")
    extra = set(added) - _INSERTED_CHARS
    if extra and not extra <= set(">"):
        # a callout prefix copied onto the ID line is quote characters and spaces
        raise Failure(f"ids added text other than ID comments: {sorted(extra)[:5]}")


def check_ids(data: bytes, rel: str, config: object) -> tuple[int, int]:
    """``give_ids`` on a note's bytes, twice: bytes kept, only IDs added, every card given an
    ID or a finding, the second run a no-op. Returns ``(cards, IDs added)``."""
    from mkdeck.app.ids import _parse_text, give_ids
    from mkdeck.config.notetypes import NoteTypeIndex

    index = NoteTypeIndex(config.note_types)  # type: ignore[attr-defined]
    text = data.decode("utf-8", "surrogateescape")
    before = _parse_text(text, rel, config, index)  # type: ignore[arg-type]
    used: set[int] = set()
    done = give_ids(text, rel, config, used, index=index)  # type: ignore[arg-type]
    if done.added:
        check_subsequence(text, done.text)
        done.text.encode("utf-8", "surrogateescape")
    after = _parse_text(done.text, rel, config, index)  # type: ignore[arg-type]
    if len(after) != len(before):
        raise Failure(f"ids changed the number of cards ({len(before)} -> {len(after)})")
    lacking = sum(1 for n in after if n.id is None)
    reported = sum(1 for d in done.diagnostics if d.code in ("MKD321", "MKD322"))
    if lacking != reported:
        raise Failure(f"{lacking} cards without an ID after ids, {reported} findings")
    again = give_ids(done.text, rel, config, used, index=index)  # type: ignore[arg-type]
    if again.added or again.text != done.text:
        raise Failure("ids is not idempotent: a second run changed the note")
    return len(before), done.added


def check_format(name: str, text: str) -> None:
    """Output of a report format is valid for its kind and encodes as UTF-8."""
    text.encode("utf-8")
    if name in ("json", "sarif"):
        json.loads(text)
    elif name == "junit":
        ET.fromstring(text.encode("utf-8"))


# --- in-process --------------------------------------------------------------------------------

class Hang(Exception):
    """A case ran longer than its time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: object) -> None:
        raise Hang(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class OpenAudit:
    """An audit hook (PEP 578) recording every file opened outside the allowed folders while
    armed: the vault, the Python installation, mkdeck's sources, the cache and /proc."""

    allowed: list[str] = field(default_factory=list)
    armed: bool = False
    outside: list[str] = field(default_factory=list)

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self.armed or event != "open":
            return
        path = args[0]
        if isinstance(path, int) or path is None:
            return
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        real = os.path.realpath(str(path))
        if not any(real == a or real.startswith(a + os.sep) for a in self.allowed):
            self.outside.append(real)


class InProcess:
    """The in-process runner: one small hostile vault, one mutated note per case."""

    def __init__(self, work: Path, timeout: float) -> None:
        self.work = work
        self.timeout = timeout
        self.vault = work / "vault"
        self.outside = work / "outside"
        self.vault.mkdir(parents=True)
        self.outside.mkdir()
        self.canary = b"CANARY-" + os.urandom(8).hex().encode()
        (self.outside / "secret.md").write_bytes(b"# h\n" + self.canary + b"\n")
        (self.outside / "secret.png").write_bytes(self.canary)
        v = self.vault
        (v / "out.md").symlink_to(self.outside / "secret.md")
        (v / "out.png").symlink_to(self.outside / "secret.png")
        (v / "dev.md").symlink_to("/dev/zero")
        os.mkfifo(v / "fifo.md")
        (v / "p.md").write_bytes(b"# H\ntext ^b1\n\n## Sub\nmore\n")
        (v / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
        self.note = v / "n.md"
        self.cache = work / "cache"
        import mkdeck

        self.audit = OpenAudit(allowed=[
            os.path.realpath(self.vault), os.path.realpath(sys.prefix),
            os.path.realpath(sys.base_prefix), os.path.realpath(sys.exec_prefix),
            os.path.realpath(Path(mkdeck.__file__).parent), os.path.realpath(self.cache),
            os.path.realpath(work / "build"), "/proc", "/dev/null", "/dev/urandom",
            "/usr/lib", "/usr/share/zoneinfo", "/etc/localtime",
        ])
        sys.addaudithook(self.audit.hook)
        (work / "build").mkdir()

    def case(self, data: bytes, n: int, formats: tuple[str, ...]) -> dict[str, int]:
        """Run one case; raise :class:`Failure` or :class:`Hang` when a promise breaks."""
        from mkdeck.app import load as pipeline
        from mkdeck.app.codes import code_table
        from mkdeck.app.dump import dump_document
        from mkdeck.app.check import run_checks
        from mkdeck.report import FileSummary, Report, render

        self.note.write_bytes(data)
        stats = {"cards": 0, "ids": 0}
        self.audit.outside.clear()
        self.audit.armed = True
        try:
            with time_limit(self.timeout):
                result = pipeline.load([str(self.vault)])
                doc, _ = dump_document(result)
                dumped = json.dumps(doc, ensure_ascii=False)
                dumped.encode("utf-8")
                if self.canary.decode() in dumped:
                    raise Failure("the canary outside the vault is in the dump")
                checked = run_checks(result)
                name = formats[n % len(formats)]
                report = Report(checked.diagnostics,
                                tuple(FileSummary(f.path, f.notes) for f in checked.files),
                                codes=code_table())
                check_format(name, render(name, report))
                cards, added = check_ids(data, "n.md", result.vault.config)
                stats = {"cards": cards, "ids": added}
                if n % 25 == 0:
                    self._build(n)
        finally:
            self.audit.armed = False
        if self.audit.outside:
            raise Failure(f"opened outside the vault: {sorted(set(self.audit.outside))[:3]}")
        return stats

    def _build(self, n: int) -> None:
        from mkdeck.app.build import build

        out = self.work / "build" / "deck.apkg"
        build([str(self.vault)], out, use_cache=False, jobs=1,
              environ={"XDG_CACHE_HOME": str(self.cache), "SOURCE_DATE_EPOCH": "1700000000"})
        if out.exists():
            with zipfile.ZipFile(out) as zf:
                for member in zf.namelist():
                    if self.canary in zf.read(member):
                        raise Failure("the canary outside the vault is in the package")
        left = [p.name for p in (self.work / "build").iterdir() if p.name.endswith(".tmp")]
        if left:
            raise Failure(f"build left temp files: {left}")


# --- through the CLI ---------------------------------------------------------------------------

CLI_COMMANDS = ("dump", "check-text", "check-json", "check-junit", "check-sarif",
                "check-github", "build", "ids")


class Cli:
    """The CLI runner: a fresh hostile vault per case, one real ``mkdeck`` command."""

    def __init__(self, work: Path, timeout: float) -> None:
        self.work = work
        self.timeout = timeout
        self.canary = b"CANARY-" + os.urandom(8).hex().encode()
        self.outside = work / "outside"
        self.outside.mkdir(parents=True)
        (self.outside / "secret.md").write_bytes(b"# h\n" + self.canary + b"\n")
        (self.outside / "secret.png").write_bytes(self.canary)
        self.env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"),
                        SOURCE_DATE_EPOCH="1700000000", PYTHONPATH=str(REPO / "src"))

    def _vault(self, data: bytes, rng: random.Random) -> Path:
        v = self.work / "vault"
        if v.exists():
            for p in v.rglob("*"):
                with contextlib.suppress(OSError):
                    p.chmod(0o755) if p.is_dir() and not p.is_symlink() else None
            shutil.rmtree(v)
        v.mkdir()
        (v / "n.md").write_bytes(data)
        (v / "p.md").write_bytes(b"# H\ntext ^b1\n")
        (v / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (v / "out.md").symlink_to(self.outside / "secret.md")
        (v / "out.png").symlink_to(self.outside / "secret.png")
        if rng.random() < 0.3:
            os.mkfifo(v / "fifo.md")
        if rng.random() < 0.3:
            (v / "dev.md").symlink_to("/dev/zero")
        if rng.random() < 0.2:
            (v / os.fsdecode(b"bad\xff name.md")).write_bytes(b"START\nBasic\nq\nEND\n")
        if rng.random() < 0.1:
            fd = os.open(v, os.O_RDONLY)
            for _ in range(300):
                os.mkdir("d", dir_fd=fd)
                nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nfd
            with open(os.open("deep.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
                f.write(b"START\nBasic\ndeep\nEND\n")
            os.close(fd)
        if rng.random() < 0.15:
            with open(v / "big.wav", "wb") as f:
                f.truncate(101 * 1024 * 1024)  # sparse: over the media limit, costs no disk
        if rng.random() < 0.15:
            ro = v / "ro.md"
            ro.write_bytes(b"START\nBasic\nread-only\nEND\n")
            ro.chmod(0o444)
        if rng.random() < 0.2:
            (v / "mkdeck.yaml").write_bytes(rng.choice((
                b'ignore: ["[]", "[z-a]"]\n', b'deck: "\\ud800"\n', b"max_note_size: 100\n",
                b"max_media_size: 10 kb\n", b"folders: {'': {deck: '\\udcff'}}\n",
                b"ignore: [&a [*a]]\n", b"deck: [[[[[[[[[[x]]]]]]]]]]\n")))
        return v

    def case(self, data: bytes, n: int, rng: random.Random) -> dict[str, int]:
        v = self._vault(data, rng)
        command = CLI_COMMANDS[n % len(CLI_COMMANDS)]
        before = {p: p.read_bytes() for p in v.rglob("*.md")
                  if p.is_file() and not p.is_symlink() and p.name != "n.md"}
        out = self.work / "out.apkg"
        if command == "dump":
            argv = ["dump", str(v)]
        elif command.startswith("check-"):
            argv = ["check", str(v), "--format", command.split("-", 1)[1]]
        elif command == "build":
            argv = ["build", str(v), "-o", str(out), "--no-cache"]
        else:
            argv = ["ids", str(v)]
        proc = self._run(argv)
        if command == "ids":
            after = v / "n.md"
            first = after.read_bytes()
            check_subsequence(data.decode("utf-8", "surrogateescape"),
                              first.decode("utf-8", "surrogateescape"))
            second = self._run(argv)
            if after.read_bytes() != first:
                raise Failure("a second `mkdeck ids` changed the note")
            del second
        for p, content in before.items():
            if p.exists() and p.read_bytes() != content and command != "ids":
                raise Failure(f"{command} changed {p.name}")
        if command == "ids":
            for p, content in before.items():
                if p.name == "ro.md" and p.read_bytes() != content:
                    raise Failure("ids rewrote a read-only note")
        if command == "dump":
            json.loads(proc.stdout)
        elif command.startswith("check-"):
            check_format(command.split("-", 1)[1], proc.stdout.decode("utf-8"))
        if self.canary in proc.stdout or self.canary in proc.stderr:
            raise Failure("the canary outside the vault is in the output")
        if command == "build" and out.exists():
            with zipfile.ZipFile(out) as zf:
                for member in zf.namelist():
                    if self.canary in zf.read(member):
                        raise Failure("the canary outside the vault is in the package")
            out.unlink()
        left = [str(p) for p in (*v.rglob("*.tmp"), *self.work.glob(".*.tmp"))]
        if left:
            raise Failure(f"temp files left behind: {left[:3]}")
        return {"cards": 0, "ids": 0}

    def _run(self, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
        try:
            proc = subprocess.run([sys.executable, "-m", "mkdeck", *argv], capture_output=True,
                                  timeout=self.timeout, env=self.env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise Hang(f"mkdeck {argv[0]} ran over {self.timeout} s") from None
        if proc.returncode not in (0, 1, 2):
            raise Failure(f"mkdeck {argv[0]} exited {proc.returncode}: "
                          f"{proc.stderr[-500:].decode('utf-8', 'replace')}")
        if b"Traceback" in proc.stderr:
            raise Failure(f"mkdeck {argv[0]} printed a traceback: "
                          f"{proc.stderr[-800:].decode('utf-8', 'replace')}")
        return proc


# --- driver ------------------------------------------------------------------------------------

@dataclass
class Totals:
    cases: int = 0
    failures: int = 0
    cards: int = 0
    ids: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def run(cases: int, seed: int, *, cli: bool = False, timeout: float = 60.0,
        out: Path | None = None, corpus: list[Path] | None = None,
        progress: bool = False) -> Totals:
    """Run ``cases`` cases from ``seed``; case ``i`` mutates with ``random.Random(seed*1e9+i)``,
    so any failure can be replayed alone (``--seed S --start I --cases 1``)."""
    seeds = load_seeds(seed_dirs(corpus or []))
    totals = Totals()
    t0 = time.monotonic()
    logging.disable(logging.CRITICAL)  # mkdeck logs warnings for hostile files on purpose
    with tempfile.TemporaryDirectory(prefix="mkdeck-fuzz-") as tmp:
        work = Path(tmp)
        runner: InProcess | Cli = Cli(work, timeout) if cli else InProcess(work, timeout)
        formats = ("text", "json", "junit", "sarif", "github")
        for i in range(cases):
            rng = random.Random(seed * 1_000_000_000 + i)
            data = mutate(rng.choice(seeds), rng)
            try:
                if isinstance(runner, Cli):
                    stats = runner.case(data, i, rng)
                else:
                    stats = runner.case(data, i, formats)
                totals.cards += stats["cards"]
                totals.ids += stats["ids"]
            except Exception as exc:  # noqa: BLE001 - every exception is a finding here
                totals.failures += 1
                msg = f"seed {seed} case {i}: {type(exc).__name__}: {exc}"
                totals.failed.append(msg)
                print(msg, file=sys.stderr, flush=True)
                if out is not None:
                    out.mkdir(parents=True, exist_ok=True)
                    (out / f"case-{seed}-{i}.md").write_bytes(data)
                    if not isinstance(exc, (Failure, Hang)):
                        import traceback

                        (out / f"case-{seed}-{i}.txt").write_text(traceback.format_exc())
            totals.cases += 1
            if progress and totals.cases % (50 if cli else 1000) == 0:
                print(f"{totals.cases} cases, {totals.failures} failures, "
                      f"{time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    totals.seconds = time.monotonic() - t0
    return totals


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cli", action="store_true", help="run the real mkdeck command per case")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before a case hangs")
    p.add_argument("--out", type=Path, default=None, help="folder for failing inputs")
    p.add_argument("--corpus", type=Path, action="append", default=[],
                   help="another folder of seed notes (read at run time)")
    args = p.parse_args(argv)
    totals = run(args.cases, args.seed, cli=args.cli, timeout=args.timeout, out=args.out,
                 corpus=args.corpus, progress=True)
    mode = "cli" if args.cli else "in-process"
    print(json.dumps({"mode": mode, "seed": args.seed, "cases": totals.cases,
                      "failures": totals.failures, "cards": totals.cards, "ids": totals.ids,
                      "seconds": round(totals.seconds, 1)}))
    return 1 if totals.failures else 0


if __name__ == "__main__":
    sys.exit(main())
