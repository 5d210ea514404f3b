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


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _card(rng: random.Random, note_id: int, stems: list[str], topic: int) -> list[str]:
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
    if rng.random() < 0.30:
        back.append("```c")
        back.extend(rng.choice(C_LINES) for _ in range(rng.randint(3, 8)))
        back.append("```")
    tags = f"bench topic-{topic:02d} {rng.choice(WORDS)}"
    return ["START", "Basic", front, "Back:", *back, f"Tags: {tags}",
            f"<!--ID: {note_id}-->", "END", ""]


def generate(out: Path, cards: int = 10_000, seed: int = 0,
             per_file: int = CARDS_PER_FILE) -> Path:
    """Write a vault of ``cards`` cards under ``out`` (created; existing files overwritten).

    Args:
        out: the vault folder (gets ``.obsidian/`` so it is a vault root); notes a previous
            run wrote there are replaced.
        cards: number of cards (the last file may hold fewer than ``per_file``).
        seed: random seed; equal arguments give byte-identical files.
        per_file: cards per file (20 in the issue's shape).

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
            lines.extend(_card(rng, 1_600_000_000_000 + written, stems, topic))
        path = folder / f"{stem}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        os.utime(path, (MTIME, MTIME))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="vault folder to write")
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate(args.out, cards=args.cards, seed=args.seed)
    print(f"wrote {args.cards} cards to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
