"""Bad and good examples for codes whose owners registered none, so that ``docs/codes.md``
shows one for every code about what a note says. The registry's own examples always win
(:func:`examples_for`); ``tests/test_report_examples.py`` checks that each bad example here
makes ``mkdeck check`` report its code and the good one does not.

Codes in :data:`NO_EXAMPLE` are about files, the machine or mkdeck itself, not about text one
could show.
"""

from __future__ import annotations

from mkdeck import codes

# code -> (bad, good). MKD02x examples are mkdeck.yaml; the others are a note's markdown.
EXAMPLES: dict[str, tuple[str, str]] = {
    "MKD025": (
        "deck: Linux\n" "links: text\n" "deck: Linux::Syscalls\n",
        "deck: Linux::Syscalls\n" "links: text\n",
    ),
    "MKD108": (
        "START\n" "Basic\n" "What does fork() return?\n" "Back: the child's PID\n"
        "<!--ID: 1701613701250-->\n" "<!--ID: 1701613701251-->\n" "END",
        "START\n" "Basic\n" "What does fork() return?\n" "Back: the child's PID\n"
        "<!--ID: 1701613701250-->\n" "END",
    ),
    "MKD114": (
        "DELETE\n" "<!--ID: 1701613701250-->",
        "(the note deleted in Anki, and both lines removed)",
    ),
    "MKD115": (
        "FROZEN - Basci:\n" "Back: <small>from the lecture</small>",
        "FROZEN - Basic:\n" "Back: <small>from the lecture</small>",
    ),
    "MKD116": (
        "STARTI What does fork() return? Back: the child's PID ENDI",
        "STARTI [Basic] What does fork() return? Back: the child's PID ENDI",
    ),
    "MKD117": (
        "```c\n" "int main(void) { return 0; }\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n"
        "END",
        "```c\n" "int main(void) { return 0; }\n" "```\n" "\n" "START\n" "Basic\n" "q\n"
        "Back: a\n" "END",
    ),
    "MKD118": (
        "START\n" "Basic\n" "What does this print?\n" "Back:\n" "```sh\n" "echo hi\n" "END",
        "START\n" "Basic\n" "What does this print?\n" "Back:\n" "```sh\n" "echo hi\n" "```\n"
        "END",
    ),
    "MKD119": (
        "FILE TAGS: linux [[kernel]]\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n" "END",
        "FILE TAGS: linux kernel\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n" "END",
    ),
    "MKD120": (
        "STARTI [Basic] What does fork() return?\n" "Back: the child's PID ENDI",
        "STARTI [Basic] What does fork() return? Back: the child's PID ENDI",
    ),
    "MKD121": (
        "TARGET DECK Linux::Syscalls\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n" "END",
        "TARGET DECK: Linux::Syscalls\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n" "END",
    ),
    "MKD122": (
        "START\n" "Basic\n" "q\n" "Back: a\n" "DELETE\n" "<!--ID: 1701613701250-->\n" "END",
        "DELETE\n" "<!--ID: 1701613701250-->",
    ),
    "MKD123": (
        "---\n" "tags: [linux, kernel\n" "---\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n"
        "END",
        "---\n" "tags: [linux, kernel]\n" "---\n" "\n" "START\n" "Basic\n" "q\n" "Back: a\n"
        "END",
    ),
    "MKD405": (
        "START\n" "Basic\n" "What does epoll_wait() do?\n" "Back:\n"
        "- `epoll_wait()` waits for events on an epoll instance\n" "END",
        "START\n" "Basic\n" "What does fork() return in the child?\n" "Back:\n"
        "- `fork()` returns 0 in the child\n" "END",
    ),
    "MKD406": (
        "START\n" "Basic\n" "What does this print?\n" "Back:\n" "```sh verify\n" "echo hello\n"
        "```\n" "```output\n" "bye\n" "```\n" "END",
        "START\n" "Basic\n" "What does this print?\n" "Back:\n" "```sh verify\n" "echo hello\n"
        "```\n" "```output\n" "hello\n" "```\n" "END",
    ),
}

NO_EXAMPLE: dict[str, str] = {
    "MKD001": "a bug in mkdeck",
    "MKD010": "bytes that are not UTF-8",
    "MKD011": "file permissions",
    "MKD012": "a non-markdown file named on the command line",
    "MKD013": "a note named on the command line that the config ignores",
    "MKD014": "a FIFO, socket or device where a note or media file should be",
    "MKD015": "a symbolic link to a file outside the vault",
    "MKD016": "a file's size",
    "MKD017": "a file name's bytes",
    "MKD018": "a file left by a killed run",
    "MKD023": "a damaged .obsidian/plugins/obsidian-to-anki-plugin/data.json",
    "MKD024": "the plugin's regex settings in data.json",
    "MKD206": "a chain of more than five notes embedding each other",
    "MKD302": "an invisible control character",
    "MKD305": "a bug in mkdeck's renderer or note-type config",
    "MKD306": "a media file that exists but cannot be read",
    "MKD307": "two media files in different folders",
    "MKD308": "a note type changed between two builds",
    "MKD311": "a custom note type's config",
    "MKD320": "file permissions",
    "MKD321": "a file that changed while mkdeck ran",
    "MKD323": "file permissions",
    "MKD332": "a card edited between two builds",
    "MKD333": "notes removed between two builds",
    "MKD334": "a deck changed between two builds",
    "MKD335": "file permissions",
    "MKD336": "notes edited after the last build",
    "MKD403": "a probe that failed on this machine",
    "MKD404": "what this machine lacks (a compiler, strace, root)",
    "MKD407": "a program that does not build or run",
    "MKD408": "running without --run-code",
}


def examples_for(entry: codes.Code) -> tuple[str, str]:
    """``(bad, good)`` for ``entry``: each its registered example, else the one here, else
    ``""``."""
    bad, good = EXAMPLES.get(entry.code, ("", ""))
    return entry.bad or bad, entry.good or good
