"""Hostile vaults (issue 13): each case that broke a promise, as the input that showed it.

Promises (README "Reliability"): nothing outside the vault is read; no file blocks or is read
without bound; no traceback; `ids` writes an ID only where the parser reads it, and a second
run changes no byte; nothing is left behind, even on SIGTERM."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from mkdeck.app import load as pipeline
from mkdeck.app.dump import dump_document
from mkdeck.cli import main
from mkdeck.vault import read as vault_read

CARD = "START\nBasic\nq\nBack: a\nEND\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch) -> None:
    """`check` shows paths relative to the working folder: run in the vault's parent."""
    monkeypatch.chdir(tmp_path)


def run_cli(*argv: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess[bytes]:
    """The real command line in a subprocess (a hang fails the test instead of stalling it)."""
    return subprocess.run([sys.executable, "-m", "mkdeck", *argv], capture_output=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, **kw)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the vault whose bytes must never reach any output."""
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_bytes(b"# Secret\nCANARY-4f1d\n")
    return secret


# --- 1. a note that links out of the vault ------------------------------------------------


def test_a_note_linked_out_of_the_vault_is_never_read(make_vault, outside: Path) -> None:
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[p]]\nEND\n"})
    (root / "p.md").symlink_to(outside)
    status, out, _ = run("dump", str(root))
    assert "CANARY" not in out
    diags = json.loads(out)["diagnostics"]
    assert [(d["path"], d["line"], d["code"]) for d in diags] == [("p.md", 0, "MKD015")]
    assert "outside the vault" in diags[0]["message"] and status == 1
    status, out, err = run("check", str(root))
    assert out.startswith("vault/p.md:0: MKD015 ") and status == 1
    outside.write_bytes(outside.read_bytes() + CARD.encode())  # a card ids would give an ID
    before = outside.read_bytes()
    status, _, err = run("ids", str(root))
    assert outside.read_bytes() == before and os.path.islink(root / "p.md")
    assert err.splitlines()[-2:] == ["a.md: IDs added", "1 ID added in 1 file"]


def test_a_link_inside_the_vault_is_followed(make_vault) -> None:
    root = make_vault({"real/b.md": CARD})
    (root / "a.md").symlink_to("real/b.md")
    result = pipeline.load([str(root)])
    assert [n.location.path for n in result.notes] == ["a.md", "real/b.md"]
    assert result.diagnostics == ()


def test_a_note_named_on_the_command_line_that_links_out_is_refused(make_vault,
                                                                   outside: Path) -> None:
    """`mkdeck dump vault/p.md` resolved the link and took /etc as the vault."""
    root = make_vault({"a.md": CARD})
    (root / "p.md").symlink_to(outside)
    status, out, _ = run("dump", str(root / "p.md"))
    assert "CANARY" not in out and status == 1
    assert [d["code"] for d in json.loads(out)["diagnostics"]] == ["MKD015"]


# --- 2. reads without bounds, and blocking files ----------------------------------------------


def test_dev_zero_and_a_fifo_are_findings_not_hangs(make_vault, tmp_path: Path) -> None:
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[z]] ![[x]]\nEND\n"})
    os.mkfifo(root / "x.md")
    os.mkfifo(root / "inside-dev")  # a FIFO the link below points to, inside the vault
    (root / "z.md").symlink_to("/dev/zero")
    (root / "y.md").symlink_to("inside-dev")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    for argv in (["dump", str(root)], ["check", str(root)], ["ids", str(root)],
                 ["build", str(root), "-o", str(tmp_path / "o.apkg")]):
        proc = run_cli(*argv, env=env)
        assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr, argv
    status, out, _ = run("check", str(root))
    assert out.splitlines() == [
        "vault/x.md:0: MKD014 x.md is a FIFO (named pipe), not a regular file: it is never opened; "
        "replace it by a file or add it to `ignore:` in mkdeck.yaml",
        "vault/y.md:0: MKD014 y.md is a FIFO (named pipe), not a regular file: it is never opened; "
        "replace it by a file or add it to `ignore:` in mkdeck.yaml",
        "vault/z.md:0: MKD015 z.md is a symbolic link to '/dev/zero', outside the vault: it is never "
        "read; copy the file into the vault or remove the link",
    ]


def test_a_fifo_config_is_a_finding(make_vault) -> None:
    root = make_vault({"a.md": CARD})
    os.mkfifo(root / "mkdeck.yaml")
    proc = run_cli("check", str(root), timeout=60)
    assert proc.stdout.startswith(b"vault/mkdeck.yaml:0: MKD020 mkdeck.yaml cannot be read (mkdeck.yaml "
                                  b"is a FIFO (named pipe)")


def test_size_limits_are_settings(make_vault, tmp_path: Path) -> None:
    root = make_vault({
        "mkdeck.yaml": "max_note_size: 100\nmax_media_size: 1 kB\n",
        "a.md": "START\nBasic\nq\nBack: ![](small.png) ![](big.png)\nEND\n",
        "long.md": CARD + "x" * 200,
        "small.png": b"\x89PNG" + b"\x00" * 100,
        "big.png": b"\x89PNG" + b"\x00" * 2000,
    })
    result = pipeline.load([str(root)])
    assert [f.path for f in result.vault.files] == ["a.md"]
    assert result.vault.skipped == ("long.md",)
    (d,) = [d for d in result.diagnostics if d.code == "MKD016"]
    assert d.location.path == "long.md" and "raise `max_note_size` in mkdeck.yaml" in d.message
    status, _, err = run("build", str(root), "-o", str(tmp_path / "o.apkg"), "--no-cache")
    assert ("a.md:4: MKD016 big.png holds 2004 bytes, more than the limit of 1000 bytes: it is "
            "not read; make it smaller or raise `max_media_size` in mkdeck.yaml") in err
    with zipfile.ZipFile(tmp_path / "o.apkg") as zf:
        assert json.loads(zf.read("media")) == {"0": "small.png"}


def test_media_are_copied_in_chunks_byte_exact(make_vault, tmp_path: Path) -> None:
    blob = os.urandom(3 * vault_read.CHUNK + 17)
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[s.wav]]\nEND\n", "s.wav": blob})
    parts = list(vault_read.iter_chunks(root, "s.wav"))
    assert [len(p) for p in parts] == [vault_read.CHUNK] * 3 + [17]
    assert run("build", str(root), "-o", str(tmp_path / "o.apkg"), "--no-cache")[0] == 0
    with zipfile.ZipFile(tmp_path / "o.apkg") as zf:
        assert zf.read("0") == blob


def test_a_huge_media_file_is_refused_not_read(make_vault, tmp_path: Path) -> None:
    """A 101 MiB media file (sparse: no disk used) was read whole (MemoryError)."""
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[big.wav]]\nEND\n"})
    with open(root / "big.wav", "wb") as fh:
        fh.truncate(101 * 1024 * 1024)
    status, _, err = run("build", str(root), "-o", str(tmp_path / "o.apkg"), "--no-cache")
    assert "a.md:4: MKD016 big.wav holds 105906176 bytes, more than the limit of 104857600" in err
    assert status == 1


# --- 3. tracebacks ------------------------------------------------------------------------------


def _remove_chain(top: Path) -> None:
    """Remove a chain of folders ``d/d/d/…`` under ``top`` without recursion (pytest's own
    clean-up of old temp folders recurses, and would fail on it in a later run)."""
    stack = [os.open(top, os.O_RDONLY | os.O_DIRECTORY)]
    while True:
        try:
            stack.append(os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=stack[-1]))
        except FileNotFoundError:
            break
    while len(stack) > 1:
        fd = stack.pop()
        for name in os.listdir(fd):
            os.unlink(name, dir_fd=fd)
        os.close(fd)
        os.rmdir("d", dir_fd=stack[-1])
    os.close(stack[0])


def test_a_thousand_nested_folders(make_vault, tmp_path: Path) -> None:
    """RecursionError from os.walk in the cache fingerprint."""
    root = make_vault({"a.md": CARD})
    fd = os.open(root, os.O_RDONLY)
    for _ in range(1000):
        os.mkdir("d", dir_fd=fd)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    with open(os.open("n.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
        fh.write(CARD)
    os.close(fd)
    try:
        status, _, err = run("build", str(root), "-o", str(tmp_path / "o.apkg"))
        assert status == 0 and "2 notes" in err  # the cache fingerprint walked it too
        assert len(pipeline.load([str(root)]).notes) == 2
        assert run("check", str(root))[0] == 0
        assert run("ids", str(root))[2].endswith("2 IDs added in 2 files\n")
    finally:
        _remove_chain(root)


def test_a_file_name_that_is_not_utf8_in_every_format(make_vault) -> None:
    root = make_vault({"a.md": CARD})
    bad = os.fsdecode(b"caf\xe9 \xff.md")
    (root / bad).write_bytes(CARD.encode())
    status, out, _ = run("dump", str(root))
    (d,) = json.loads(out)["diagnostics"]
    assert (d["path"], d["code"]) == ("caf\\xe9 \\xff.md", "MKD017") and status == 1
    for fmt in ("text", "json", "junit", "sarif", "github"):
        status, out, _ = run("check", str(root), "--format", fmt)
        out.encode("utf-8")
        assert status == 1, fmt
        if fmt == "json":
            assert json.loads(out)["diagnostics"][0]["path"] == "vault/caf\\xe9 \\xff.md"
        elif fmt == "sarif":
            json.loads(out)
        elif fmt == "junit":
            names = [c.get("name") for c in ET.fromstring(out.encode("utf-8")).iter("testcase")]
            assert "vault/caf\\xe9 \\xff.md" in names
        else:
            assert "vault/caf\\xe9 \\xff.md" in out, fmt
    assert "caf%5Cxe9%20%5Cxff.md" in run("check", str(root), "--format", "sarif")[1]


def test_config_values_are_validated_where_read(make_vault) -> None:
    root = make_vault({
        "mkdeck.yaml": 'deck: "\\ud800"\nignore: ["[]", "[z-a]", "t/**"]\nmax_note_size: lots\n',
        ".obsidian/plugins/obsidian-to-anki-plugin/data.json":
            '{"settings": {"Defaults": {"Deck": "x\\udcff"}}}',
        "a.md": "---\ntags: [\"\\udcff\"]\n---\n" + CARD,
        "t/b.md": CARD,
    })
    status, out, _ = run("check", str(root), "--select", "MKD02,MKD1")
    lines = out.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["vault/.obsidian/plugins/obsidian-to-anki-plugin/data.json:1:", "MKD023"],
        ["vault/a.md:1:", "MKD123"],
        ["vault/mkdeck.yaml:1:", "MKD022"],
        ["vault/mkdeck.yaml:2:", "MKD022"],
        ["vault/mkdeck.yaml:2:", "MKD022"],
        ["vault/mkdeck.yaml:3:", "MKD022"],
    ]
    assert "\\ud800, a lone surrogate" in lines[2]
    assert "`[]` is an empty character class" in out and "bad character range z-a" in out
    assert "max_note_size must be a number of bytes" in lines[5]
    result = pipeline.load([str(root)])
    assert [f.path for f in result.vault.files] == ["a.md"]  # t/** still ignores
    assert result.notes[0].deck == "x\ufffd"
    assert run("check", str(root), "--deck", "\ud800")[0] == 2


def test_deck_names_and_plugin_globs_are_validated(make_vault) -> None:
    root = make_vault({
        "mkdeck.yaml": 'deck: ":: ::"\nfolders:\n  a: {deck: "x\\x01y"}\n',
        ".obsidian/plugins/obsidian-to-anki-plugin/data.json":
            '{"settings": {"FOLDER_DECKS": {"b": "a\\u0000"}, "IGNORED_FILE_GLOBS": ["[z-a]"]}}',
        "a/n.md": CARD,
    })
    status, out, _ = run("check", str(root), "--select", "MKD02")
    assert [line.split(" ")[:2] for line in out.splitlines()] == [
        ["vault/.obsidian/plugins/obsidian-to-anki-plugin/data.json:1:", "MKD023"],
        ["vault/.obsidian/plugins/obsidian-to-anki-plugin/data.json:1:", "MKD023"],
        ["vault/mkdeck.yaml:1:", "MKD022"],
        ["vault/mkdeck.yaml:3:", "MKD022"],
    ]
    assert "U+0001" in out and "U+0000" in out and "no name between its `::`" in out
    assert pipeline.load([str(root)]).notes[0].deck == "vault"


# --- 4. ids: only where the parser reads it -------------------------------------------------


@pytest.mark.parametrize("card", [
    "START\nBasic\nq\nBack: a\n```\nEND\n",          # a code fence never closed
    "START\nBasic\nq\nBack: a\n<!--ID: 17\nEND\n",  # a malformed ID comment
])
def test_ids_never_writes_an_id_the_parser_does_not_read(make_vault, card: str) -> None:
    root = make_vault({"a.md": card, "ok.md": CARD})
    guid = dump_document(pipeline.load([str(root)]))[0]["notes"][0]["guid"]
    status, _, err = run("ids", str(root))
    assert status == 0 and "a.md:1: MKD322 the card at line 1 gets no ID" in err
    assert "1 ID added in 1 file" in err
    assert (root / "a.md").read_text() == card
    data = (root / "ok.md").read_bytes()
    for _ in range(2):
        run("ids", str(root))
        assert (root / "a.md").read_text() == card and (root / "ok.md").read_bytes() == data
    assert dump_document(pipeline.load([str(root)]))[0]["notes"][0]["guid"] == guid


def test_ids_on_eight_thousand_inline_cards_on_one_line(make_vault) -> None:
    """122 s before (quadratic); benchmarks/bench_hostile.py measures the time."""
    line = " ".join(f"STARTI [Basic] q{i} Back: a ENDI" for i in range(8000)) + "\n"
    root = make_vault({"a.md": line})
    assert run("ids", str(root))[2].endswith("8000 IDs added in 1 file\n")
    data = (root / "a.md").read_bytes()
    notes = pipeline.load([str(root)]).notes
    assert len({n.id for n in notes}) == 8000 and None not in {n.id for n in notes}
    assert run("ids", str(root))[2].endswith("0 IDs added in 0 files\n")
    assert (root / "a.md").read_bytes() == data


def test_ids_keeps_a_read_only_note(make_vault) -> None:
    root = make_vault({"a.md": CARD})
    (root / "a.md").chmod(0o444)
    status, _, err = run("ids", str(root))
    assert "a.md:0: MKD323 a.md is read-only (mode 0444)" in err and status == 0
    assert (root / "a.md").read_text() == CARD and (root / "a.md").stat().st_mode & 0o777 == 0o444


def test_ids_on_a_full_disk_says_so(make_vault, monkeypatch) -> None:
    """MKD320 said "make it writable" when the disk was full."""
    import mkdeck.app.ids

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    root = make_vault({"a.md": CARD})
    monkeypatch.setattr(mkdeck.app.ids.os, "fsync", full)
    status, _, err = run("ids", str(root))
    assert status == 1
    assert ("a.md:0: MKD320 cannot write the ID comments into a.md: No space left on device; "
            "the disk is full (or the quota is reached): free some space") in err
    assert sorted(p.name for p in root.iterdir()) == ["a.md"]
    assert (root / "a.md").read_text() == CARD


# --- 5. leftovers -----------------------------------------------------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_temp_file_of_a_killed_ids_is_reported_then_removed(make_vault) -> None:
    """kill -9 during `ids` left a full-size copy of the note that no later run removed."""
    root = make_vault({"a.md": CARD})
    leftover = root / f".a.md.mkdeck-{_dead_pid()}.0badf00d.tmp"
    leftover.write_text(CARD)
    live = root / f".a.md.mkdeck-{os.getpid()}.0badf00d.tmp"  # a running process's: kept
    live.write_text(CARD)
    status, out, _ = run("check", str(root))
    assert out.splitlines() == [f"vault/{leftover.name}:0: MKD018 {leftover.name} is a temporary "
                                f"copy left by an mkdeck process that was killed while "
                                f"writing; `mkdeck ids` removes it (or delete it)."]
    status, _, err = run("ids", str(root))
    assert f"MKD018 removed {leftover.name}" in err
    assert not leftover.exists() and live.exists()


def test_sigterm_during_a_build_leaves_no_temp_file(make_vault, tmp_path: Path) -> None:
    """`timeout` and a cancelled CI job send SIGTERM; it left `.out.apkg.<hex>.tmp`."""
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[s.wav]]\nEND\n",
                       "s.wav": os.urandom(60 * 1024 * 1024)})
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "mkdeck", "build", str(root), "-o",
                             str(out_dir / "o.apkg"), "--no-cache"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(out_dir.iterdir()) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    names = [p.name for p in out_dir.iterdir()]
    assert names and names[0].startswith(".o.apkg.mkdeck-"), names  # caught while writing
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and b"mkdeck: terminated" in err
    assert list(out_dir.iterdir()) == []


def test_a_killed_builds_temp_file_is_removed_by_the_next_build(make_vault,
                                                                tmp_path: Path) -> None:
    root = make_vault({"a.md": CARD})
    left = tmp_path / f".o.apkg.mkdeck-{_dead_pid()}.12345678.tmp"
    left.write_bytes(b"PK partial")
    assert run("build", str(root), "-o", str(tmp_path / "o.apkg"), "--no-cache")[0] == 0
    assert not left.exists() and (tmp_path / "o.apkg").exists()


# --- 6. quadratic time ----------------------------------------------------------------------


def test_dump_with_64k_links_on_one_line(make_vault) -> None:
    """22 s before (a count of newlines from the start of the field per link); the time is
    measured in benchmarks/bench_hostile.py, here the result."""
    links = " ".join(f"[[n{i}]]" for i in range(64000))
    root = make_vault({"a.md": f"START\nBasic\nq\nBack: {links}\nEND\n", "n5.md": "x"})
    doc, diags = dump_document(pipeline.load([str(root)]))
    assert doc["notes"][0]["html"]["Back"].startswith("n0 n1 n2 n3 n4 n5 n6")
    assert sum(d.code == "MKD201" for d in diags) == 63999
    assert {d.location.line for d in diags} == {4}


# --- 7. the --run-code runner watched from outside --------------------------------------------

ESCAPE = ("START\nBasic\ncode\nBack:\n```sh verify\nsetsid -f sleep 433.7\nkill -9 $PPID\n```\n"
          "```output\nx\n```\nEND\n")


def _sleepers() -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as fh:
                    if fh.read() == b"sleep\x00433.7\x00":
                        out.append(int(entry))
            except OSError:
                continue
    return out


def _leaked_cgroups() -> list[str]:
    """pids cgroups ``mkdeck-<runner pid>`` whose runner is gone (other test processes may be
    running verifiers of their own at the same time: theirs have a living runner)."""
    root = "/sys/fs/cgroup/pids"
    try:
        names = [d for d in os.listdir(root) if d.startswith("mkdeck-")]
    except OSError:
        return []
    return [d for d in names if not os.path.exists(f"/proc/{d.split('-', 1)[1]}")]


def test_a_block_that_kills_its_runner_leaves_nothing_running(make_vault) -> None:
    """`setsid -f … sleep; kill -9 $PPID`: the sleep outlived mkdeck, and as root its pids
    cgroup stayed. The runner's parent now kills and removes what it left."""
    root = make_vault({"a.md": ESCAPE})
    status, out, _ = run("verify", str(root), "--run-code")
    assert _sleepers() == []
    assert _leaked_cgroups() == []
    lines = out.splitlines()
    assert lines[0] == "a.md:5: INCONCLUSIVE ```sh verify block"
    assert "runner killed by signal 9" in lines[1]
    assert lines[-1].endswith("; code blocks: 1 inconclusive")
    assert status == 0


def _python_for(uid: int) -> str | None:
    """A Python that user ``uid`` can run (the test's own may live in /root), or ``None``."""
    import shutil

    for exe in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        try:
            if exe and subprocess.run([exe, "-c", "0"], user=uid, capture_output=True,
                                      cwd="/").returncode == 0:
                return exe
        except OSError:  # not executable by that user
            continue
    return None


def test_the_runner_watch_holds_without_root(tmp_path: Path) -> None:
    """Without root there is no cgroup: the watcher's token and subreaper sweeps still kill
    the process a block left after killing its runner. Run as user 65534 (CI runs as root);
    the runner is a standard-library script, run with a Python that user can execute."""
    import json as _json
    import shutil
    import tempfile

    from mkdeck.verify import runner

    if os.geteuid() != 0:
        python, uid = sys.executable, None
    else:
        uid = 65534
        python = _python_for(uid)
        assert python is not None, "no Python that user 65534 can run"
    base = Path(tempfile.mkdtemp(prefix="mkdeck-nonroot-"))
    try:
        base.chmod(0o755)
        script = base / "runner.py"
        shutil.copyfile(runner.__file__, script)
        block = base / "block.sh"
        block.write_text("setsid -f sleep 433.7\nkill -9 $PPID\n")
        for p in (base, script, block):
            p.chmod(0o755)
        request = {"jobs": [{"name": "code-0", "argv": ["/bin/sh", str(block)], "timeout": 10,
                             "cwd": str(base)}], "parallel": 1}
        proc = subprocess.run([python, "-E", "-s", str(script)], input=_json.dumps(request),
                              capture_output=True, text=True, timeout=60, user=uid,
                              start_new_session=True)
        assert _sleepers() == []
        lines = [_json.loads(line) for line in proc.stdout.splitlines()]
        assert lines[0]["runner"]["pids_cgroup"] is False
        assert lines[-1]["done"]["runner_died"] == "killed by signal 9"
        assert lines[-1]["done"]["killed_after_runner"] >= 1
        assert proc.returncode == 1
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- 8. smaller ------------------------------------------------------------------------------


def test_one_unreadable_note_is_one_finding(make_vault) -> None:
    """A note that cannot be read gave its own finding and one "not a note" per link to it."""
    links = "\n".join(f"see [[u]] and ![[u]] and [[u#h]] {i}" for i in range(20))
    root = make_vault({"a.md": f"START\nBasic\nq\nBack: {links}\nEND\n"})
    (root / "u.md").symlink_to("missing-target.md")
    status, out, _ = run("check", str(root))
    assert out.splitlines() == [
        "vault/u.md:0: MKD011 u.md cannot be read (No such file or directory): it is a symbolic link "
        "to 'missing-target.md', which does not exist: fix or remove the link, or add it to "
        "`ignore:` in mkdeck.yaml."]


def test_a_media_file_linked_out_of_the_vault_is_not_packed(make_vault, outside: Path,
                                                           tmp_path: Path) -> None:
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[s.png]] ![](t.png)\nEND\n"})
    (root / "s.png").symlink_to(outside)
    (root / "t.png").symlink_to(outside)
    status, _, err = run("build", str(root), "-o", str(tmp_path / "o.apkg"), "--no-cache")
    assert err.count("MKD207") == 2
    with zipfile.ZipFile(tmp_path / "o.apkg") as zf:
        assert json.loads(zf.read("media")) == {}
        assert all(b"CANARY" not in zf.read(n) for n in zf.namelist())


def test_a_fifo_sync_state_is_a_finding_not_a_hang(make_vault, tmp_path: Path) -> None:
    """The sync state `.mkdeck-state` is read by the build too: a FIFO there blocked it."""
    root = make_vault({"a.md": "START\nBasic\nq\nBack: ![[p.png]]\nEND\n", "p.png": b"\x89PNG"})
    os.mkfifo(root / ".mkdeck-state")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = run_cli("build", str(root), "-o", str(tmp_path / "o.apkg"), env=env, timeout=120)
    assert b"Traceback" not in proc.stderr and proc.returncode in (0, 1)
    assert b".mkdeck-state is a FIFO (named pipe), not a regular file" in proc.stderr
