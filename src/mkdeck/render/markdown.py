"""The markdown-it-py parser configured to read fields the way Obsidian shows them.

CommonMark + tables, strikethrough (markdown-it-py), footnotes, task lists and dollar math
(mdit-py-plugins), and mkdeck's own plugins, each a small rule in markdown-it's chains:

* ``wikilink`` (inline, before ``link``): ``[[t#h|a]]`` and ``![[t|300]]``;
* ``mark`` (inline + post-process, like ``strikethrough``): ``==x==`` → ``<mark>``;
* ``obsidian_tag`` (inline): ``#tag`` collected as a note tag when enabled;
* ``inline_lines`` (core, replaces ``inline``): tells inline rules which source line they read;
* ``callouts`` (core, after ``inline``): ``> [!type] Title`` blockquotes → callout blocks;
* ``backslash_math`` (inline, before ``escape``; block, before ``paragraph``): ``\\(…\\)`` and
  ``\\[…\\]`` as math, like ``$…$`` and ``$$…$$``.

Each plugin is a module of :mod:`mkdeck.render.plugins` with one function given to
``md.use()`` (mdit-py-plugins' shape). The render rules resolve links and media through the
:class:`~mkdeck.render.fieldenv.FieldEnv` passed as markdown-it's ``env``; everything they
report lands in ``env.diagnostics``.
"""

from __future__ import annotations

import logging
import pkgutil
import sys
import types

import markdown_it.rules_block
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from mkdeck.render.fieldenv import inline_lines
from mkdeck.render.plugins.callouts import callouts_plugin
from mkdeck.render.plugins.html import html_plugin
from mkdeck.render.plugins.links import links_plugin
from mkdeck.render.plugins.mark import mark_plugin
from mkdeck.render.plugins.math import math_plugin
from mkdeck.render.plugins.sanitize import sanitize_plugin
from mkdeck.render.plugins.tags import tags_plugin
from mkdeck.render.plugins.texmath import backslash_math_plugin
from mkdeck.render.plugins.wikilinks import wikilinks_plugin
from mkdeck.render.style import highlight_code

LOG = logging.getLogger(__name__)


def quiet_block_rule_logs() -> int:
    """Skip markdown-it's per-rule ``LOGGER.debug("entering ...")`` calls while debug logging
    is off: every block rule logs on every line it tries (840,942 calls for 10,000 cards,
    issue 15), and even a disabled ``Logger.debug`` is two Python calls. Each
    ``markdown_it.rules_block`` module whose logger is not enabled for ``DEBUG`` gets a
    stand-in whose ``debug`` is ``"".format`` (a C method that ignores its arguments): 3.6% of
    the instructions of rendering (callgrind, benchmarks/bench_build.py's vault), same output.

    Returns:
        How many modules were quietened (0 when markdown-it's debug log is wanted).
    """
    count = 0
    for info in pkgutil.iter_modules(markdown_it.rules_block.__path__):
        # the package imports every rule module (its __init__ re-exports the rules)
        module = sys.modules.get(f"markdown_it.rules_block.{info.name}")
        logger = getattr(module, "LOGGER", None)
        if isinstance(logger, logging.Logger) and not logger.isEnabledFor(logging.DEBUG):
            module.LOGGER = types.SimpleNamespace(debug="".format, wrapped=logger)
            count += 1
    return count


def _only_with_brackets(md: MarkdownIt, name: str) -> None:
    """Run core rule ``name`` only on a source holding a ``[``: the task-list rule walks every
    token of every field looking for an item that starts with ``[ ]`` or ``[x]``, and the
    contents of the tokens are cut from the source."""
    rule = next(r.fn for r in md.core.ruler.__rules__ if r.name == name)

    def gated(state: StateCore) -> None:
        if "[" in state.src:
            rule(state)

    md.core.ruler.at(name, gated)


def build_markdown() -> MarkdownIt:
    """A markdown-it-py parser reading Obsidian's markdown, rendering Anki HTML.

    Options: raw HTML kept, a single newline is ``<br>`` (Obsidian's default "strict line
    breaks" off), HTML (not XHTML) tags, Pygments highlighting.
    """
    quiet_block_rule_logs()
    md = MarkdownIt("commonmark", {"html": True, "breaks": True, "xhtmlOut": False,
                                   "highlight": highlight_code})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(tasklists_plugin, enabled=False)
    _only_with_brackets(md, "github-tasklists")
    md.use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False,
           allow_blank_lines=False, double_inline=True)
    md.use(backslash_math_plugin)
    # mkdeck's plugins, in this order (rules inserted at the same place keep it)
    md.use(html_plugin)
    md.use(wikilinks_plugin)
    md.use(mark_plugin)
    md.use(tags_plugin)
    md.core.ruler.at("inline", inline_lines)
    md.use(callouts_plugin)
    md.use(links_plugin)
    md.use(sanitize_plugin)
    md.use(math_plugin)
    return md
