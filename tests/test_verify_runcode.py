"""Executable examples: fenced blocks marked ``verify`` are listed without --run-code and,
with it, compiled/run in the same isolation and compared with the ```output block."""

from __future__ import annotations

import io
import json


from mkdeck.cli import main


def _card(blocks: str) -> str:
    return f"START\nBasic\ncode\nBack:\n{blocks}\nEND\n"


C_OK = """```c verify
#include <stdio.h>
#include <unistd.h>
int main(void) {
    pid_t pid = fork();
    if (pid == 0) { return 0; }
    printf("fork returned %s\\n", pid > 0 ? "a pid" : "an error");
    return 0;
}
```
```output
fork returned a pid
```"""

PY_BAD = """```python verify
import os
print(os.getpid() == os.getpid())
```
```output
False
```"""

SH_OK = """```sh verify
printf '%s\\n' hello
exit 0
```

```output
hello
```"""


def _run(root, *flags: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["verify", str(root), "--format", "json", *flags], stdout=out, stderr=err)
    return status, json.loads(out.getvalue())


def test_blocks_are_listed_not_run_without_the_flag(make_vault) -> None:
    root = make_vault({"a.md": _card(C_OK + "\n\n" + PY_BAD)})
    status, data = _run(root)
    assert status == 0
    assert [(b["line"], b["lang"], b["verdict"]) for b in data["code_blocks"]] == [
        (5, "c", "not-run"), (19, "python", "not-run")]
    assert {d["code"] for d in data["diagnostics"]} == {"MKD408"}


def test_run_code_verifies_and_refutes(make_vault) -> None:
    root = make_vault({"a.md": _card(C_OK + "\n\n" + PY_BAD + "\n\n" + SH_OK)})
    status, data = _run(root, "--run-code")
    got = [(b["lang"], b["verdict"]) for b in data["code_blocks"]]
    assert got == [("c", "verified"), ("python", "refuted"), ("sh", "verified")]
    bad = data["code_blocks"][1]
    assert bad["evidence"]["stdout"] == "True\n" and bad["evidence"]["expected"] == "False\n"
    assert status == 1
    assert "MKD406" in {d["code"] for d in data["diagnostics"]}


def test_a_crashing_block_is_inconclusive(make_vault) -> None:
    block = "```python verify\nimport ctypes\nctypes.string_at(0)\n```\n```output\nx\n```"
    status, data = _run(make_vault({"a.md": _card(block)}), "--run-code")
    assert data["code_blocks"][0]["verdict"] == "inconclusive"
    assert data["code_blocks"][0]["evidence"]["signal"] == 11
    assert status == 0


def test_without_the_flag_no_temporary_folder_is_made(make_vault, monkeypatch) -> None:
    """Issue 13 (5): ``verify`` made an empty ``mkdeck-code-*`` folder even without
    --run-code; only a run that executes blocks may create one."""
    import tempfile

    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def spy(*args, **kwargs):
        path = real_mkdtemp(*args, **kwargs)
        made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", spy)
    root = make_vault({"a.md": _card(C_OK + "\n\n" + PY_BAD)})
    status, _ = _run(root)
    assert status == 0
    assert [p for p in made if "mkdeck-code-" in p] == []
    status, _ = _run(root, "--run-code")
    assert [p for p in made if "mkdeck-code-" in p] != []
