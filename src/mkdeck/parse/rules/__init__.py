"""The card grammar's rules, one per module, each ``read_<rule>(state, i, ...) -> lines
consumed`` over a :class:`~mkdeck.parse.state.ParseState` (markdown-it's ``rules_block``
shape); :data:`mkdeck.parse.grammar.LINE_RULES` lists them in the order they are tried."""
