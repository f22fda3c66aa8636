"""Files and uploads to Documents: refuse, with one clear line, anything we could not quote answers from."""

from __future__ import annotations

import codecs
import re
import stat
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


# Byte order marks of the wide Unicode encodings, UTF-32 first: its little-endian mark begins with UTF-16's.
_WIDE_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DocumentError(QAError):
    """A document that cannot be loaded; the message is one line meant for the user."""


def load_document(path: str | Path, max_bytes: int = MAX_BYTES) -> Document:
    """Load a .txt, .md or .html file; ``name`` is the file name."""
    path = Path(path)
    _check_name(path.name)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{path.name}: not a file ({path})")
        _check_size(path.name, info.st_size, max_bytes)  # before reading: never pull a huge file into memory
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"{path.name}: no such file ({path})") from None
    except OSError as error:  # a symlink loop, no permission, ...
        raise DocumentError(f"{path.name}: cannot open ({error.strerror}) ({path})") from None
    return load_text(path.name, data, path.suffix, max_bytes)


def load_text(name: str, data: bytes, suffix: str, max_bytes: int = MAX_BYTES) -> Document:
    """Load uploaded bytes with the same checks as a file; ``suffix`` picks the format (".html" or "html")."""
    _check_name(name)
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


def _check_name(name: str) -> None:
    """Answers cite the document by name, and the index stores it as UTF-8: refuse, before any work, a name that
    is not (undecodable bytes in a file name reach Python as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        shown = name.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
        raise DocumentError(f"{shown}: the file name is not valid UTF-8; rename the file") from None


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
    """UTF-8, or UTF-16/32 when a byte order mark says so (the mark is dropped), with universal newlines;
    binary data is refused, not decoded into garbage."""
    wide = next((encoding for mark, encoding in _WIDE_MARKS if data.startswith(mark)), None)
    if wide is not None:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError as error:
            raise DocumentError(f"{name}: not valid {wide.upper()} text ({error.reason}); save it as UTF-8") from None
    elif b"\x00" in data:
        raise DocumentError(f"{name}: looks like a binary file, not UTF-8 text")
    else:
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
