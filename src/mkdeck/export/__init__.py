"""Export rendered notes as an Anki package (``.apkg``): the only part of mkdeck using genanki.

Modules: :mod:`~mkdeck.export.identity` (a note's guid from its ID comment or its file, note
type and first field; duplicate IDs), :mod:`~mkdeck.export.notetypes` (note types as Anki
models with fixed ids), :mod:`~mkdeck.export.cards` (which cards Anki makes of a note),
:mod:`~mkdeck.export.plan` (``plan_export``: validates and lays out the package: ids, cards,
decks, note types, media), :mod:`~mkdeck.export.apkg` (``write_package`` writes a plan
atomically and reproducibly; ``write_apkg`` plans and writes), :mod:`~mkdeck.export.cache`
(the build cache), :mod:`~mkdeck.export.templates` (Anki's card template rules: the question
and answer of each card) and :mod:`~mkdeck.export.preview` (the preview page of a plan). Nothing is imported here, so that ``mkdeck build`` served from the cache
never loads genanki.
"""
