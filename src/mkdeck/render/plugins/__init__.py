"""mkdeck's markdown-it plugins, one per module, each a function given to ``md.use()``:
:mod:`~.wikilinks`, :mod:`~.links` (images and links), :mod:`~.html`, :mod:`~.mark`,
:mod:`~.tags`, :mod:`~.callouts`, :mod:`~.math`. :func:`mkdeck.render.markdown.build_markdown`
uses them in order."""
