"""Where the stages meet: one module per command's flow, over the stage packages.

``load`` (PATHs → vault → config → parsed notes), ``build`` (parse → render → (verify) →
package, with the build cache), ``check`` (the check engine with the build stages as rules),
``verify`` (parse → claims → verdicts), ``dump`` (parse → render → identity, as JSON),
``ids`` (ID comments written into the notes), ``preview`` (parse → render → package plan →
(verify) → the preview page), ``push`` (build the whole vault → AnkiConnect: import, move,
delete → the per-Anki record and the sync state) and ``watch`` (build, then rebuild after
every batch of saves). Only this package imports several stages; the later stages are
imported inside the functions that need them, so that a command loads only what it runs
(``mkdeck build`` served from the cache never loads genanki or the renderer).
"""
