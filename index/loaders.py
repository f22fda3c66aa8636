"""Files and uploads to Documents: refuse, with one clear line, anything we could not quote answers from."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from index.errors import QAError
from index.records import Document

MAX_BYTES = 5 * 1024 * 1024

# Tags whose content is never shown on the page.
_HIDDEN = frozenset({"script", "style", "head", "template", "noscript"})
_PARAGRAPH_TAGS = frozenset(
    (
        "p div h1 h2 h3 h4 h5 h6 section article header footer main nav aside blockquote pre ul ol dl table figure"
        " figcaption form hr address"
    ).split()
)
# What an opening tag turns into, so sentences and paragraphs stay apart in the extracted text.
_BREAKS = {
    **dict.fromkeys(_PARAGRAPH_TAGS, "\n\n"),
    **dict.fromkeys(("br", "li", "tr", "dt", "dd"), "\n"),
    **dict.fromkeys(("td", "th"), " "),
}


class DocumentError(QAError):
    """A document that cannot be loaded; the message is one line meant for the user."""


def load_document(path: str | Path, max_bytes: int = MAX_BYTES) -> Document:
    """Load a .txt, .md or .html file; ``name`` is the file name."""
    path = Path(path)
    if not path.exists():
        raise DocumentError(f"{path.name}: no such file ({path})")
    if not path.is_file():
        raise DocumentError(f"{path.name}: not a file ({path})")
    _check_size(path.name, path.stat().st_size, max_bytes)  # before reading: never pull a huge file into memory
    return load_text(path.name, path.read_bytes(), path.suffix, max_bytes)


def load_text(name: str, data: bytes, suffix: str, max_bytes: int = MAX_BYTES) -> Document:
    """Load uploaded bytes with the same checks as a file; ``suffix`` picks the format (".html" or "html")."""
    suffix = "." + suffix.lower().lstrip(".")
    extract = _EXTRACTORS.get(suffix)
    if extract is None:
        supported = ", ".join(_EXTRACTORS)
        raise DocumentError(f"{name}: unsupported file type '{suffix}'; supported types are {supported}")
    _check_size(name, len(data), max_bytes)
    text = extract(_decode(name, data))
    if not text.strip():
        raise DocumentError(f"{name}: no text to read (the file is empty or has no visible text)")
    return Document(name=name, text=text)


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise DocumentError(f"{name}: file is {_human(size)}, larger than the {_human(max_bytes)} limit")


def _human(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _decode(name: str, data: bytes) -> str:
    """UTF-8 (a BOM is dropped) with universal newlines; binary data is refused, not decoded into garbage."""
    if b"\x00" in data:
        raise DocumentError(f"{name}: looks like a binary file, not UTF-8 text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"{name}: not UTF-8 text (invalid byte at position {error.start}); save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _VisibleText(HTMLParser):
    """Collects the text a browser would show, with block tags turned into line and paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "body":
            self._hidden = 0  # </head> may be omitted; the body is always visible
        self.parts.append(_BREAKS.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        if tag in _PARAGRAPH_TAGS:  # line-level tags break only where they open: `</li><li>`, `<br/>` give one
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))  # whitespace in HTML source is not layout


def _html_text(source: str) -> str:
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    text = re.sub(r"[^\S\n]+", " ", "".join(parser.parts))
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Plain text and Markdown are kept as is, so answers quote exactly what the author wrote.
_EXTRACTORS = {".txt": str, ".md": str, ".markdown": str, ".html": _html_text, ".htm": _html_text}
