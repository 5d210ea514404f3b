"""How cards are split into statements: list items, table rows, sentences of paragraphs (each
at the line it starts on), callouts, cloze text, wikilinks, fenced code (not prose), headings
and the question side as context, and which statements name a syscall, flag or signal."""

from __future__ import annotations

from mkdeck.model import Field, Note, NoteType, SourceLocation
from mkdeck.verify.catalogue import compile_pattern, default_catalogue
from mkdeck.verify.claims import (clauses, context_subjects, find_names, main_clause, plain,
                                  read_card, subjects_in)

BASIC = NoteType("Basic", ("Front", "Back"))
CLOZE = NoteType("Cloze", ("Text", "Back Extra"), base="Cloze")


def _note(note_type: NoteType, *fields: tuple[int, str]) -> Note:
    built = []
    for name, (first, text) in zip(note_type.fields, fields):
        n = text.count("\n") + 1
        built.append(Field(name, text, SourceLocation("n.md", first),
                           tuple(range(first, first + n))))
    return Note(SourceLocation("n.md", 1), note_type, tuple(built), "Default")


def _lines(note: Note) -> list[list[tuple[str, SourceLocation]]]:
    return [[(line, SourceLocation("n.md", f.line_of(i)))
             for i, line in enumerate(f.markdown.split("\n"))] for f in note.fields]


def test_plain_text_of_markdown() -> None:
    assert plain("The [[li clone]] [[li syscall|call]] is **new** ==here==") == \
        "The li clone call is new here"
    assert plain("see [docs](https://x.org) and ![[pic.png]] <br> ok") == "see docs and ok"
    assert plain("`fork()` returns {{c1::0::number}} in the {{c2::child}}") == \
        "`fork()` returns 0 in the child"
    assert plain("`CLONE_FS` keeps __underscores__ and CLONE_NEW_X") == \
        "`CLONE_FS` keeps underscores and CLONE_NEW_X"
    assert plain("x <!--verify: fork.returns-child-pid--> %%hidden%% y") == "x y"


def test_names_are_calls_code_spans_and_constants_not_words() -> None:
    assert find_names("fork() and wait(2) then `ls -l` with CLONE_VM, O_CLOEXEC, SIGKILL, "
                      "MAP_SHARED and PR_SET_CHILD_SUBREAPER") == (
        "ls -l", "fork()", "wait(2)", "CLONE_VM", "O_CLOEXEC", "SIGKILL", "MAP_SHARED",
        "PR_SET_CHILD_SUBREAPER")
    assert find_names("processes write to a pipe and read from it, then exit") == ()
    assert find_names("SIGNAL handling and O_ and CLONEX, in O(1) time") == ()


def test_list_items_tables_sentences_and_lines() -> None:
    back = "\n".join([
        "## [[li fork|fork]]",                                   # 11
        "- fork() returns the PID of the child",                 # 12
        "  * nested item about exec()",                          # 13
        "1. numbered item",                                      # 14
        "",                                                      # 15
        "| flag | what |",                                       # 16
        "|------|------|",                                       # 17
        "| `CLONE_VM` | memory is shared |",                     # 18
        "",                                                      # 19
        "First sentence here. Second one starts",                # 20
        "on this line and ends here! Third?",                    # 21
        "```c",                                                  # 22
        "- not a statement: fork() in code",                     # 23
        "```",                                                   # 24
        "> [!note] Callout title",                               # 25
        "> a callout line about vfork()",                        # 26
    ])
    note = _note(BASIC, (10, "question"), (11, back))
    card = read_card(note, _lines(note))
    got = [(s.location.line, s.text) for s in card.statements]
    assert got == [
        (12, "fork() returns the PID of the child"),
        (13, "nested item about exec()"),
        (14, "numbered item"),
        (18, "`CLONE_VM` memory is shared"),
        (20, "First sentence here."),
        (20, "Second one starts on this line and ends here!"),
        (25, "Callout title"),
        (26, "a callout line about vfork()"),
    ]  # "flag what" is a header row with no claim; "Third?" is a question
    assert all(s.headings == ("fork",) for s in card.statements)
    assert all(s.context == "question" for s in card.statements)
    assert all(s.card_location == SourceLocation("n.md", 1) for s in card.statements)
    assert card.statements[3].names == ("CLONE_VM",)


def test_question_side_is_context_not_claims_except_in_cloze_notes() -> None:
    basic = _note(BASIC, (3, "`SIGSTOP` cannot be caught"), (4, "stops a process"))
    card = read_card(basic, _lines(basic))
    assert [s.text for s in card.statements] == ["stops a process"]
    cat = default_catalogue()
    assert context_subjects(card.statements[0], cat) == ["SIGSTOP", "signal"]
    cloze = _note(CLOZE, (3, "{{c1::SIGKILL}} cannot be caught"), (4, "extra: fork()"))
    card = read_card(cloze, _lines(cloze))
    assert [s.text for s in card.statements] == ["SIGKILL cannot be caught", "extra: fork()"]


def test_verify_blocks_and_their_output() -> None:
    back = "```c verify\nint main(void){return 0;}\n```\n\n```output\nhi\n```\n```sh\nls\n```"
    note = _note(BASIC, (3, "q"), (4, back))
    card = read_card(note, _lines(note))
    assert [(b.lang, b.location.line, b.expected) for b in card.code_blocks] == [
        ("c", 4, "hi\n")]
    assert card.code_blocks[0].code == "int main(void){return 0;}\n"


def test_subjects_use_ascii_word_boundaries() -> None:
    cat = default_catalogue()
    assert subjects_in("vfork() is not fork()", cat)[:2] == ["vfork", "fork"]
    assert "fork" not in subjects_in("vfork only", cat)
    assert subjects_in("li forkâ€“exec combination", cat)[:2] == ["fork", "exec"]
    assert "clone" in subjects_in("`CLONE_FS` is a flag", cat)


def test_catalogue_words_do_not_match_inside_underscore_identifiers() -> None:
    threads = compile_pattern(r"threads?\b", "test")
    assert threads.search("clone() without CLONE_THREAD") is None
    assert threads.search("CLONE_THREAD puts threads in one group")
    assert compile_pattern("exit", "test").search("_exit() and exit_group()") is None
    assert compile_pattern("shared?", "test").search("a MAP_SHARED mapping") is None
    assert compile_pattern("_exit|CLONE_THREAD", "test").search("CLONE_THREAD")
    assert compile_pattern("clone|CLONE_[A-Z]+", "test").search("CLONE_VM").group() == "CLONE_VM"


def test_asides_are_clauses_and_conditions_are_not_the_main_clause() -> None:
    assert clauses("fork() returns the PID of the child in the parent (and 0 in the child)") == [
        "fork() returns the PID of the child in the parent", "0 in the child"]
    assert clauses("kill(pid, 0) tests it")[0] == "kill(pid"  # a call's parentheses stay
    assert main_clause("an orphan keeps running after its parent dies") == \
        "an orphan keeps running"
    assert main_clause("after fork() the child has its own PID") == \
        "after fork() the child has its own PID"  # no subject: not a condition
    assert main_clause("when its parent dies") == ""
