"""Results as chat messages: HTML built from escaped text only, so no document can inject markup.

Every message is one ``<div>`` on one line. Markdown leaves an HTML block alone
up to the first blank line, so the chat's Markdown renderer never reinterprets
a document's ``*``, ``_``, ``#`` or ``[...]`` inside it. A Markdown document's own
markup (``##``, ``**``, table pipes, link targets) is left out of what is shown,
for display only: answers and their offsets still quote the document exactly. So is the space shown
between sentences glued together in the source (``invaded.Russia``).

Each quote links to the document viewer (``qa-open`` links, read by the page's script in ``ui.app``): the link
carries the source and the quote's exact offsets into its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from html import escape
from urllib.parse import urlencode

from index.records import Chunk, Document
from index.sentences import split_sentences
from qa.answer import SENTENCE, Answer, Result, abstention_text, citation, reply_text
from qa.confidence import ConfidenceLevels, confidence_text, shown_score
from qa.words import content_words
from ui.overview import Summary

CONTEXT_CHARS = 240  # shown on each side of the answer
PASSAGE_CHARS = 320  # shown of each closest passage when abstaining
QUESTION_CHARS = 300  # of a question echoed into the chat
OTHER_CANDIDATES = 3
CLOSEST_PASSAGES = 2
VIEWER_CHARS = 100_000  # of a document shown in the viewer on each side of the answer
OPENING_CHARS = 200  # of a document's first sentence on the first screen


def reply_html(result: Result, levels: ConfidenceLevels | None = None, follows: str | None = None) -> str:
    """The answer quoted, with confidence, source, the passage around it and the runners-up; or an abstention.

    ``levels`` name the confidence in words (default: as if ``result``'s threshold were the calibrated one);
    ``follows`` is the earlier question a follow-up was read with, said first so the user knows.
    """
    levels = levels or ConfidenceLevels.calibrated(result.threshold)
    lead = [f'<p class="qa-follows">A follow-up to “{_text(follows)}”</p>'] if follows else []
    if result.answer is None:
        return _abstention(result, levels, lead)
    answer = result.answer
    runners_up = [c for c in result.candidates if c != answer and not _noise(c, answer, result)]
    elsewhere = _elsewhere(answer, runners_up, result.threshold)
    others = [_beside(c, answer) for c in runners_up if c not in elsewhere]
    others = [c for c in others if c.score >= _floor(result)][:OTHER_CANDIDATES]
    parts = [
        *lead,
        _lead(answer),
        f'<p class="qa-meta">{confidence_text(answer.score, levels)} · source: <em>{_text(_place(answer))}</em>'
        f" {open_link(answer.source, answer.start, answer.end)}</p>",
        f'<p class="qa-passage">{_highlight(answer)}</p>',
    ]
    if elsewhere:
        who = "Another document gives" if len(elsewhere) == 1 else "Other documents give"
        parts.append(
            f'<p class="qa-elsewhere-lead">{who} a different answer:</p>'
            f'<ul class="qa-elsewhere">{_candidates(elsewhere, levels)}</ul>'
        )
    if others:
        parts.append(f'<p>Other candidates:</p><ul class="qa-others">{_candidates(others, levels)}</ul>')
    return _block("qa-reply", parts)


def _elsewhere(answer: Answer, runners_up: list[Answer], threshold: float) -> list[Answer]:
    """The best answer of each other document that is confident enough to be given: when documents disagree,
    the user sees each one's answer with its source rather than only the most confident."""
    best: dict[str, Answer] = {}
    for candidate in runners_up:
        if candidate.source != answer.source and candidate.score >= threshold:
            best.setdefault(candidate.source, candidate)
    return list(best.values())


def _beside(candidate: Answer, answer: Answer) -> Answer:
    """A runner-up with its confidence at most what the answer leaves: the two say different things, so both
    cannot be right, and a runner-up must not look likelier than that (one below the refusal floor then is
    left out, as any other)."""
    return replace(candidate, score=min(candidate.score, 1.0 - answer.score))


def _candidates(candidates: Sequence[Answer], levels: ConfidenceLevels) -> str:
    return "".join(
        f"<li>“{_text(_quote(c))}” ({confidence_text(c.score, levels)}, <em>{_text(_place(c))}</em>)"
        f" {open_link(c.source, c.start, c.end)}</li>"
        for c in candidates
    )


def open_link(source: str, start: int, end: int, label: str = "open in document") -> str:
    """A link that opens ``source`` in the page's viewer with ``text[start:end]`` highlighted (``ui.app``)."""
    target = urlencode({"source": source, "start": start, "end": end})
    return f'<a class="qa-open" href="#qa-open?{escape(target)}">{_text(label)}</a>'


def _lead(answer: Answer) -> str:
    """A span quoted as the answer; a sentence as what the document says (``reply_text``, the CLI's wording),
    since it only bears on a yes/no, why or how question and must not pass for a quoted answer."""
    if answer.kind == SENTENCE:
        return f'<p class="qa-says">{_text(reply_text(replace(answer, text=_quote(answer))))}</p>'
    return f'<blockquote class="qa-answer"><strong>“{_text(_quote(answer))}”</strong></blockquote>'


def _noise(candidate: Answer, answer: Answer, result: Result) -> bool:
    """A runner-up not worth a reader's look: below the refusal floor (when one is known, under the threshold),
    the answer's own words cut or padded, or only little words ("the", "more")."""
    words, best = " ".join(candidate.text.lower().split()), " ".join(answer.text.lower().split())
    return candidate.score < _floor(result) or words in best or best in words or not content_words(candidate.text)


def _floor(result: Result) -> float:
    """The refusal floor when one is known (under the threshold), else 0."""
    return result.refuse_below if result.refuse_below < result.threshold else 0.0


def _abstention(result: Result, levels: ConfidenceLevels, lead: list[str]) -> str:
    """Says plainly that the documents do not answer, or that no confident answer was found; then what came
    closest: the best guess highlighted in the sentences around it, as an answer is (the link opens the whole
    document), or the closest passages, so the user can judge."""
    parts = [*lead, f'<p class="qa-abstain"><strong>{_text(abstention_text(result))}</strong></p>']
    if result.candidates and not result.documents_silent:
        guess = result.candidates[0]
        parts += [
            f'<p class="qa-meta">Best guess: “{_text(_quote(guess))}” ({confidence_text(guess.score, levels)}, '
            f"below the {shown_score(result.threshold)} threshold) · source: <em>{_text(_place(guess))}</em>"
            f" {open_link(guess.source, guess.start, guess.end)}</p>",
            f'<p class="qa-passage">{_highlight(guess)}</p>',
        ]
    elif result.passages:
        items = "".join(
            f"<li><em>{_text(citation(p.chunk.source, headings=p.chunk.headings))}</em>: "
            f"{_text(_clip_end(_passage_text(p.chunk), PASSAGE_CHARS))}"
            f" {open_link(p.chunk.source, p.chunk.start, p.chunk.end, 'open passage in document')}</li>"
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


def sources_html(summaries: Sequence[Summary], heading: str) -> str:
    """Which documents the chat answers from, for the side panel: what each is about (its title and first
    sentence, ``ui.overview``) and a link that opens it in the viewer."""
    items = "".join(
        f"<li><strong>{_text(s.name)}</strong> {open_link(s.name, 0, 0, 'open')}"
        + "".join(f'<br><span class="qa-{kind}">{_text(line)}</span>' for kind, line in _about(s) if line)
        + "</li>"
        for s in summaries
    )
    return _block("qa-sources", [f"<p><strong>{_text(heading)}</strong></p><ul>{items}</ul>"])


def _about(summary: Summary) -> list[tuple[str, str]]:
    opening = _clip_end("".join(_shown(summary.opening, summary.name)), OPENING_CHARS)
    return [("title", summary.title), ("opening", opening)]


def viewer_html(document: Document, start: int, end: int) -> str:
    """``document`` in the page's viewer with ``text[start:end]`` marked (nothing marked when they are equal),
    under its name and place. It is shown as the chat shows passages (Markdown's markup hidden, glued sentences
    spaced) but cut only by the offsets, so the mark sits exactly where the quote stands in the text."""
    text = document.text
    end = min(max(end, 0), len(text))
    start = min(max(start, 0), end)
    first, last = max(0, start - VIEWER_CHARS), min(len(text), end + VIEWER_CHARS)
    before, inside, after = _split(_shown(text[first:last], document.name), start - first, end - first)
    if end > start:
        place = f"{citation(document.name, document.page_at(start), document.heading_path(start))}, "
        place += f"characters {start}-{end}"
        mark = f'<mark id="qa-viewer-mark">{escape(inside)}</mark>'
    else:
        place, mark = document.name, '<span id="qa-viewer-mark"></span>'
    body = f"{'…' if first else ''}{escape(before)}{mark}{escape(after)}{'…' if last < len(text) else ''}"
    close = '<a class="qa-close" href="#qa-close">close</a>'
    header = f'<p class="qa-viewer-place"><strong>{escape(place)}</strong> {close}</p>'
    return f'<div class="qa-viewer">{header}<div class="qa-document">{body}</div></div>'


def _highlight(answer: Answer) -> str:
    """The passage around the answer, the answer itself in ``<mark>``: a few sentences, not the whole passage read
    (three joined chunks would be a wall of text)."""
    shown = _shown(answer.context, answer.source)
    before, inside, after = _split(shown, answer.context_start, answer.context_start + len(answer.text))
    before, after = _clip_start(before, CONTEXT_CHARS), _clip_end(after, CONTEXT_CHARS)
    return f"{_text(before)}<mark>{_text(inside)}</mark>{_text(after)}"


def _split(shown: list[str], start: int, end: int) -> tuple[str, str, str]:
    """The shown text before, inside and after ``[start, end)``; space shown at the edges of the inside (a glued
    sentence's) goes outside, so a mark never starts or ends with a blank."""
    inside = "".join(shown[start:end])
    core = inside.strip()
    lead = inside[: len(inside) - len(inside.lstrip())]
    trail = inside[len(inside.rstrip()) :] if core else ""
    return "".join(shown[:start]) + lead, core, trail + "".join(shown[end:])


def _place(answer: Answer) -> str:
    return citation(answer.source, answer.page, answer.headings)


def _quote(answer: Answer) -> str:
    """The answer as shown: without the Markdown markup it may hold (read in its passage, so a ``**`` that
    opens before the answer is known for what it is)."""
    shown = _shown(answer.context, answer.source) if answer.context else _shown(answer.text, answer.source)
    start = answer.context_start if answer.context else 0
    return _split(shown, start, start + len(answer.text))[1]


def _passage_text(chunk: Chunk) -> str:
    return "".join(_shown(chunk.text, chunk.source))


# Markdown markup, hidden on screen: the groups named "hide" of each match (the rest of the match stays).
_MARKUP = [
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        r"^(?P<hide> {0,3}#{1,6}(?:[ \t]+|$))(?:.*?)(?P<hide2>(?:[ \t]+#+)?[ \t]*)$",  # ATX heading marks
        r"^(?P<hide> {0,3}(?:=+|-+|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})[ \t]*)$",  # setext underlines, rules
        r"^(?P<hide> {0,3}(?:`{3,}|~{3,}).*)$",  # code fences
        r"^(?P<hide> *\|? *:?-+:? *(?:\| *:?-+:? *)+\|? *)$",  # a table's header separator row
        r"^(?P<hide> {0,3}(?:>[ \t]?)+)",  # block quotes
        r"(?P<hide>\*\*|__)(?=\S)(?:.+?)(?<=\S)(?P<hide2>\*\*|__)",  # strong
        r"(?<![\w*])(?P<hide>\*)(?=[^\s*])(?:[^*\n]+?)(?<=[^\s*])(?P<hide2>\*)(?![\w*])",  # emphasis
        r"(?<![\w_])(?P<hide>_)(?=[^\s_])(?:[^_\n]+?)(?<=[^\s_])(?P<hide2>_)(?![\w_])",
        r"(?P<hide>~~)(?=\S)(?:.+?)(?<=\S)(?P<hide2>~~)",  # strikethrough
        r"(?P<hide>`+)(?:[^`\n]+?)(?P<hide2>(?P=hide))",  # inline code
        r"(?P<hide>!?\[)(?:[^\]\n]*)(?P<hide2>\]\([^)\n]*\)|\]\[[^\]\n]*\])",  # links, images
        r"(?P<hide>\\)(?=[!-/:-@\[-`{-~])",  # backslash escapes
    )
]
_BULLET = re.compile(r"^[ \t]*(?P<bullet>[-*+])[ \t]+", re.MULTILINE)
_TABLE_ROW = re.compile(r" *\|.*|.*\|.*")
_SEPARATOR_ROW = re.compile(r" *\|? *:?-+:? *(?:\| *:?-+:? *)+\|? *")


def _shown(text: str, source: str) -> list[str]:
    """What each character of ``text`` shows as: itself, or for Markdown's markup nothing (or a bullet, or a
    separator between table cells), and the first character of a sentence glued to the one before it
    (``invaded.Russia``, common in scraped text) after a space; one entry per character, so any span of the
    text has its shown form."""
    shown = list(text)
    if source.lower().endswith((".md", ".markdown")):
        _hide_markup(text, shown)
    sentences = split_sentences(text)
    for (_, end), (start, _) in zip(sentences, sentences[1:]):
        if end == start:  # no space between them: the sentence splitter found a glued end
            shown[start] = " " + shown[start]
    return shown


def _hide_markup(text: str, shown: list[str]) -> None:
    for pattern in _MARKUP:
        for match in pattern.finditer(text):
            for group in ("hide", "hide2"):
                if group in pattern.groupindex and match.group(group) is not None:
                    shown[match.start(group) : match.end(group)] = [""] * (match.end(group) - match.start(group))
    for match in _BULLET.finditer(text):
        if shown[match.start("bullet")]:  # not part of a rule ("* * *")
            shown[match.start("bullet")] = "•"
    _show_tables(text, shown)


def _show_tables(text: str, shown: list[str]) -> None:
    """In a table (a run of rows around a separator row), the outer pipes of each row go, the inner ones become
    a separator between cells."""
    lines, starts, position = text.split("\n"), [], 0
    for line in lines:
        starts.append(position)
        position += len(line) + 1
    in_table = [False] * len(lines)
    for number, line in enumerate(lines):
        if _SEPARATOR_ROW.fullmatch(line) and "|" in line:
            for step in (-1, 1):
                row = number + step
                while 0 <= row < len(lines) and _TABLE_ROW.fullmatch(lines[row]) and not in_table[row]:
                    in_table[row] = not _SEPARATOR_ROW.fullmatch(lines[row])
                    row += step
                    if step == -1:
                        break  # a table has one header row
    for number, line in enumerate(lines):
        if not in_table[number]:
            continue
        stripped = line.strip()
        first, last = line.find("|"), line.rfind("|")
        for column in (i for i, char in enumerate(line) if char == "|"):
            outer = (column == first and stripped.startswith("|")) or (column == last and stripped.endswith("|"))
            shown[starts[number] + column] = "" if outer else " · "


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


_TITLE_BREAK = re.compile(r"(?<=\w)[^\S\n]*\n[^\S\n]*\n\s*")


def _flat(text: str) -> str:
    """Runs of whitespace (line breaks included) as one space: a message must stay on one line. A paragraph break
    after a line without closing punctuation (a heading, mostly) shows as a dash, so the title does not run into
    the sentence after it."""
    return re.sub(r"\s+", " ", _TITLE_BREAK.sub(" — ", text))


def _text(text: str) -> str:
    return escape(_flat(text))


def _block(kind: str, parts: Sequence[str]) -> str:
    return f'<div class="{kind}">{"".join(parts)}</div>'


def message_text(message: dict) -> str:
    """A chat message's HTML, whether Gradio hands its content back as a string or as a list of parts."""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))
