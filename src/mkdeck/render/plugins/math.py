"""Math as MathJax (``\\( \\)`` and ``\\[ \\]``): render rules for mdit-py-plugins'
``dollarmath`` tokens, keeping a cloze's ``}}`` apart."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

LOG = logging.getLogger(__name__)


def _math_text(content: str, env: Any) -> str:
    fenv = env.get("field") if isinstance(env, dict) else None
    text = content.strip()
    if fenv is not None and fenv.cloze:
        # Anki ends a cloze at the first "}}": keep math's braces apart (O2A issues 292, 313)
        while "}}" in text:
            text = text.replace("}}", "} }")
    return escapeHtml(text)


def _render_math_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                        env: Any) -> str:
    return f"\\({_math_text(tokens[idx].content, env)}\\)"


def _render_math_display(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                         env: Any) -> str:
    return f"\\[{_math_text(tokens[idx].content, env)}\\]"


def _render_math_block(self: Any, tokens: Sequence[Token], idx: int, options: Any,
                       env: Any) -> str:
    return f"<p>\\[{_math_text(tokens[idx].content, env)}\\]</p>\n"




def math_plugin(md: MarkdownIt) -> None:
    """Add the math render rules to ``md`` (``dollarmath_plugin`` makes the tokens)."""
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_display)
    md.add_render_rule("math_block", _render_math_block)
