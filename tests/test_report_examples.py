"""The examples docs/codes.md shows are true: for the MKD5xx codes and the examples
``mkdeck.report.examples`` supplies (for codes registered without them), the bad example makes
``mkdeck check`` report the code and the good one does not."""

from __future__ import annotations

import pytest

from mkdeck import codes
from mkdeck.app.codes import all_codes
from mkdeck.app.check import check_paths
from mkdeck.check import CheckOptions
from mkdeck.report.examples import EXAMPLES, NO_EXAMPLE

PLUGIN_DATA_EXAMPLES = {"MKD504"}
CHECKED = sorted(set(EXAMPLES) | {c.code for c in all_codes() if c.code.startswith("MKD5")})


def found(make_vault, name: str, code: str, text: str) -> set[str]:
    # examples show CRLF as the visible escape \r\n; the file gets the real bytes
    data = text.replace("\\r\\n", "\r\n")
    files: dict[str, str | bytes] = {".obsidian/app.json": "{}"}
    if code.startswith("MKD02"):
        files["mkdeck.yaml"] = data
        files["note.md"] = "text\n"
    elif code in PLUGIN_DATA_EXAMPLES:  # the example is the plugin's data.json
        files[".obsidian/plugins/obsidian-to-anki-plugin/data.json"] = data
        files["note.md"] = "text\n"
    else:
        files["note.md"] = data if data.endswith("\n") else data + "\n"
    vault = make_vault(files, name=name)
    options = CheckOptions(verify=code.startswith("MKD4"), run_code=code == "MKD406")
    return {d.code for d in check_paths([vault], options).diagnostics}


@pytest.mark.parametrize("code", CHECKED)
def test_documented_example_is_true(code: str, make_vault) -> None:
    if code in EXAMPLES:
        bad, good = EXAMPLES[code]
    else:  # an MKD5xx code: its registered examples
        entry = next(c for c in all_codes() if c.code == code)
        bad, good = entry.bad, entry.good
    assert bad and good
    assert code in found(make_vault, "bad", code, bad)
    assert code not in found(make_vault, "good", code, good)


def test_supplied_examples_only_fill_gaps() -> None:
    by_code = {c.code: c for c in all_codes()}
    for code in EXAMPLES:
        assert code in by_code, f"{code} is not registered"
    for code in NO_EXAMPLE:
        assert code in by_code and code not in EXAMPLES
