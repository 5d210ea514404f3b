"""Write the benchmark vault every mkdeck benchmark uses (seeded, deterministic).

Shape (issue 2): N cards, 20 per file; each card a one-line front (80% with inline code, 65%
with a wikilink to another note of the vault) and a back of 2–6 bullets (30% of cards add a
3–8 line C code block, 25% a bullet with inline math ``$…$``); every file has a TARGET DECK
line and every card a Tags line and an ID comment. Files sit in 10 topic folders; every file
gets the same fixed mtime so builds over the vault are repeatable. The same ``--seed`` and
``--cards`` always give byte-identical files.

Usage::

    .venv/bin/python benchmarks/gen_vault.py OUT_DIR --cards 10000 [--seed 0]

or ``gen_vault.generate(Path(OUT_DIR), cards=10_000)`` from another benchmark.
"""

from __future__ import annotations

import argparse
import os
import random
import re
from pathlib import Path

CARDS_PER_FILE = 20
TOPICS = 10
MTIME = 1_700_000_000  # 2023-11-14, fixed so .apkg timestamps repeat

WORDS = (
    "process thread memory page kernel syscall signal file socket pipe buffer cache inode "
    "scheduler mutex lock queue stack heap pointer descriptor namespace cgroup device driver "
    "interrupt timer clock mapping region segment table entry flag mode user group permission "
    "path mount block sector journal write read open close fork exec wait exit clone copy"
).split()
CALLS = ("fork()", "execve()", "mmap()", "read()", "write()", "open()", "clone()", "wait4()",
         "pipe()", "dup2()", "kill()", "sigaction()", "futex()", "epoll_wait()", "ioctl()")
MATH = ("$O(n \\log n)$", "$2^{10}$", "$x_i + y_i$", "$\\frac{a}{b}$", "$n^2$", "$\\sum_i p_i = 1$")
C_LINES = (
    "int fd = open(path, O_RDONLY);",
    "if (fd < 0) { perror(\"open\"); return 1; }",
    "char buf[4096];",
    "ssize_t n = read(fd, buf, sizeof buf);",
    "pid_t pid = fork();",
    "if (pid == 0) { execlp(\"ls\", \"ls\", NULL); }",
    "waitpid(pid, &status, 0);",
    "close(fd);",
    "void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);",
    "munmap(p, len);",
)


# Distinct code blocks (issue 15): every card its own block, in one of these languages, so
# that a per-block highlight cache cannot make Pygments look free.
CODE_LANGS = ("c", "python", "bash", "rust", "go", "javascript")
_CODE_TEMPLATES = {
    "c": ("int {v} = open(\"/tmp/{w}\", O_RDONLY);", "if ({v} < 0) return {n};",
          "ssize_t {w}_n = read({v}, buf, {n});", "close({v});"),
    "python": ("def {w}_{n}({v}):", "    return {v} * {n} + len(\"{w}\")",
               "{v} = [{n}, {n} + 1]", "print({w}_{n}({v}))"),
    "bash": ("{v}=$(ls /proc/{n} | wc -l)", "echo \"{w}: ${v}\"",
             "for i in $(seq {n}); do echo $i; done", "test -e /tmp/{w} && rm /tmp/{w}"),
    "rust": ("fn {w}_{n}({v}: u64) -> u64 {{", "    {v}.wrapping_mul({n})", "}}",
             "let {v} = {w}_{n}({n});"),
    "go": ("func {w}{n}({v} int) int {{", "\treturn {v} + {n}", "}}",
           "fmt.Println({w}{n}({n}))"),
    "javascript": ("const {v} = {n};", "function {w}_{n}(x) {{ return x + {v}; }}",
                   "console.log({w}_{n}({n}));", "let {w} = [{v}, {n}];"),
}


def _code_block(rng: random.Random, n: int) -> list[str]:
    lang = CODE_LANGS[n % len(CODE_LANGS)]
    lines = [t.format(v=f"v{n}", w=rng.choice(WORDS), n=n + i)
             for i, t in enumerate(_CODE_TEMPLATES[lang])]
    return [f"```{lang}", *lines, "```"]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _card(rng: random.Random, note_id: int, stems: list[str], topic: int,
          distinct_code: bool = False) -> list[str]:
    front = _sentence(rng, rng.randint(4, 9))
    if rng.random() < 0.80:
        front = f"What does `{rng.choice(CALLS)}` do to the {front}"
    else:
        front = f"Why is the {front} needed"
    if rng.random() < 0.65:
        front += f" in [[{rng.choice(stems)}]]"
    front += "?"
    back = [f"- {_sentence(rng, rng.randint(5, 14))}" for _ in range(rng.randint(2, 6))]
    if rng.random() < 0.25:
        back[rng.randrange(len(back))] += f" costs {rng.choice(MATH)}"
    if distinct_code:
        back.extend(["", *_code_block(rng, note_id)])
    elif rng.random() < 0.30:
        back.append("```c")
        back.extend(rng.choice(C_LINES) for _ in range(rng.randint(3, 8)))
        back.append("```")
    tags = f"bench topic-{topic:02d} {rng.choice(WORDS)}"
    return ["START", "Basic", front, "Back:", *back, f"Tags: {tags}",
            f"<!--ID: {note_id}-->", "END", ""]


def generate(out: Path, cards: int = 10_000, seed: int = 0,
             per_file: int = CARDS_PER_FILE, distinct_code: bool = False) -> Path:
    """Write a vault of ``cards`` cards under ``out`` (created; existing files overwritten).

    Args:
        out: the vault folder (gets ``.obsidian/`` so it is a vault root); notes a previous
            run wrote there are replaced.
        cards: number of cards (the last file may hold fewer than ``per_file``).
        seed: random seed; equal arguments give byte-identical files.
        per_file: cards per file (20 in the issue's shape).
        distinct_code: every card's back ends with its own code block (one of
            :data:`CODE_LANGS`, identifiers numbered by the card) instead of 30% of cards
            drawing from ten C lines (issue 15's benchmark shape).

    Returns:
        ``out``.
    """
    out = Path(out)
    rng = random.Random(seed)
    files = max(1, -(-cards // per_file))
    stems = [f"note-{i:05d}" for i in range(files)]
    (out / ".obsidian").mkdir(parents=True, exist_ok=True)
    for old in out.glob("topic-*/note-*.md"):  # a smaller vault must not keep a bigger one's
        old.unlink()
    written = 0
    for i, stem in enumerate(stems):
        topic = i % TOPICS
        folder = out / f"topic-{topic:02d}"
        folder.mkdir(exist_ok=True)
        lines = [f"# {stem}", "", f"TARGET DECK: Bench::Topic {topic:02d}", "",
                 f"Notes about the {_sentence(rng, 3)}.", ""]
        for _ in range(min(per_file, cards - written)):
            written += 1
            lines.extend(_card(rng, 1_600_000_000_000 + written, stems, topic,
                               distinct_code))
        path = folder / f"{stem}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        os.utime(path, (MTIME, MTIME))
    return out


_BLOCK_RE = re.compile(r"^START\n(.*?)\n^END$", re.M | re.S)


def cards_of(vault: Path) -> list[tuple[str, str, str]]:
    """``(front, back, tags)`` markdown of every Basic card of a generated vault, in path
    order (the Tags and ID lines left out): the same cards for the peers' own formats."""
    out = []
    for path in sorted(Path(vault).rglob("*.md")):
        for m in _BLOCK_RE.finditer(path.read_text("utf-8")):
            lines = m.group(1).split("\n")[1:]
            tags = next((x[5:].strip() for x in lines if x.startswith("Tags:")), "")
            body = "\n".join(x for x in lines if not x.startswith(("Tags:", "<!--ID:")))
            front, _, back = body.partition("\nBack:")
            out.append((front, back.strip(), tags))
    return out


def write_ankdown(vault: Path, out: Path, per_file: int = CARDS_PER_FILE) -> Path:
    """The cards of ``vault`` in ankdown's format (front ``%`` back ``%`` tags, cards
    separated by ``---``), ``per_file`` cards a file, under ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cards = cards_of(vault)
    for i in range(0, len(cards), per_file):
        chunk = [f"{f}\n\n%\n\n{b}\n\n%\n\n{', '.join(t.split())}\n"
                 for f, b, t in cards[i:i + per_file]]
        (out / f"cards-{i // per_file:05d}.md").write_text("\n---\n\n".join(chunk), "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="vault folder to write")
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--distinct-code", action="store_true",
                        help="every card its own code block, in several languages")
    args = parser.parse_args(argv)
    generate(args.out, cards=args.cards, seed=args.seed, distinct_code=args.distinct_code)
    print(f"wrote {args.cards} cards to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
