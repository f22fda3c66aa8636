"""Results as chat messages: HTML built from escaped text only, so no document can inject markup.

Every message is one ``<div>`` on one line. Markdown leaves an HTML block alone
up to the first blank line, so the chat's Markdown renderer never reinterprets
a document's ``*``, ``_``, ``#`` or ``[...]`` inside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from qa.answer import Answer, Result, abstention_text

CONTEXT_CHARS = 240  # shown on each side of the answer
PASSAGE_CHARS = 320  # shown of each closest passage when abstaining
QUESTION_CHARS = 300  # of a question echoed into the chat
OTHER_CANDIDATES = 3
CLOSEST_PASSAGES = 2


def reply_html(result: Result) -> str:
    """The answer quoted, with confidence, source, the passage around it and the runners-up; or an abstention."""
    if result.answer is None:
        return _abstention(result)
    answer = result.answer
    others = [c for c in result.candidates if c != answer][:OTHER_CANDIDATES]
    parts = [
        f'<blockquote class="qa-answer"><strong>“{_text(answer.text)}”</strong></blockquote>',
        f'<p class="qa-meta">confidence {answer.score:.2f} · source: <em>{_text(answer.source)}</em></p>',
        f'<p class="qa-passage">{_highlight(answer)}</p>',
    ]
    if others:
        items = "".join(f"<li>“{_text(c.text)}” ({c.score:.2f}, <em>{_text(c.source)}</em>)</li>" for c in others)
        parts.append(f'<p>Other candidates:</p><ul class="qa-others">{items}</ul>')
    return _block("qa-reply", parts)


def _abstention(result: Result) -> str:
    """Says plainly that the documents do not answer, or that no confident answer was found; then what came
    closest: the best guess highlighted in its whole passage, or the closest passages, so the user can judge."""
    parts = [f'<p class="qa-abstain"><strong>{_text(abstention_text(result))}</strong></p>']
    if result.candidates and not result.documents_silent:
        guess = result.candidates[0]
        parts += [
            f'<p class="qa-meta">Best guess: “{_text(guess.text)}” (confidence {guess.score:.2f}, below the '
            f"{result.threshold:.2f} threshold) · source: <em>{_text(guess.source)}</em></p>",
            f'<p class="qa-passage">{_highlight(guess, whole=True)}</p>',
        ]
    elif result.passages:
        items = "".join(
            f"<li><em>{_text(p.chunk.source)}</em>: {_text(_clip_end(p.chunk.text, PASSAGE_CHARS))}</li>"
            for p in result.passages[:CLOSEST_PASSAGES]
        )
        parts.append(f'<p>Closest passages:</p><ol class="qa-passages">{items}</ol>')
    return _block("qa-reply", parts)


def question_html(question: str) -> str:
    """The user's question as typed (a very long one shortened, so it cannot flood the chat)."""
    shown = _clip_end(question, QUESTION_CHARS)
    if shown != question:
        shown += f" ({len(question):,} characters)"
    return _block("qa-question", [_text(shown)])


def notice_html(*lines: str) -> str:
    """A plain message from the system: a refused question or upload, or what got indexed."""
    return _block("qa-notice", [f"<p>{_text(line)}</p>" for line in lines])


def sources_html(names: Sequence[str], own: bool) -> str:
    """Which documents the chat answers from, for the side panel."""
    heading = "Your documents (this session only):" if own else "Shared documents:"
    items = "".join(f"<li>{_text(name)}</li>" for name in names)
    return _block("qa-sources", [f"<p><strong>{heading}</strong></p><ul>{items}</ul>"])


def _highlight(answer: Answer, whole: bool = False) -> str:
    """The passage around the answer (all of it when ``whole``), the answer itself in ``<mark>``."""
    end = answer.context_start + len(answer.text)
    limit = len(answer.context) if whole else CONTEXT_CHARS
    before = _clip_start(answer.context[: answer.context_start], limit)
    after = _clip_end(answer.context[end:], limit)
    return f"{_text(before)}<mark>{_text(answer.text)}</mark>{_text(after)}"


def _clip_start(text: str, limit: int) -> str:
    """The last ``limit`` characters or fewer, starting at a word."""
    text = _flat(text)
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "…" + (cut[space:] if space >= 0 else cut)


def _clip_end(text: str, limit: int) -> str:
    """The first ``limit`` characters or fewer, ending at a word."""
    text = _flat(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut) + "…"


def _flat(text: str) -> str:
    """Runs of whitespace (line breaks included) as one space: a message must stay on one line."""
    return re.sub(r"\s+", " ", text)


def _text(text: str) -> str:
    return escape(_flat(text))


def _block(kind: str, parts: Sequence[str]) -> str:
    return f'<div class="{kind}">{"".join(parts)}</div>'
