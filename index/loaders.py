"""Files and uploads to Documents: refuse, with one clear line, anything we could not quote answers from."""

from __future__ import annotations

import codecs
import io
import logging
import re
import stat
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from index.errors import QAError
from index.records import Document

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # what a .docx (a zip) may unpack to: a small file must not fill memory

_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))
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
    """Load a .txt, .md, .html, .pdf or .docx file; ``name`` is the file name."""
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
    """Load uploaded bytes with the same checks as a file; ``suffix`` picks the format (".html" or "html").

    Text formats must be UTF-8 (or UTF-16/32 with a byte order mark); PDF and Word files are read with pypdf and
    python-docx, and a damaged one is refused with one line, as any unreadable file is.
    """
    _check_name(name)
    suffix = "." + suffix.lower().lstrip(".")
    extract = _EXTRACTORS.get(suffix)
    if extract is None:
        supported = ", ".join(SUPPORTED_TYPES)
        raise DocumentError(f"{name}: unsupported file type '{suffix}'; supported types are {supported}")
    _check_size(name, len(data), max_bytes)
    document = extract(name, data)
    if not document.text.strip():
        scanned = " (a scanned PDF has only images of text)" if suffix == ".pdf" else ""
        raise DocumentError(f"{name}: no text to read (the file is empty or has no visible text{scanned})")
    return document


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
    """Collects the text a browser would show, with block tags turned into line and paragraph breaks, and the
    level and title of each visible h1-h6 heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self._hidden = 0
        self._heading: tuple[int, list[str]] | None = None  # the heading being read: its level and text so far

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "body":
            self._hidden = 0  # </head> may be omitted; the body is always visible
        if tag in _PARAGRAPH_TAGS:
            self._end_heading()  # a heading ends at the next block, should its close tag be missing
            if tag in _HEADINGS and not self._hidden:
                self._heading = (int(tag[1]), [])
        self.parts.append(_BREAKS.get(tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        if tag in _PARAGRAPH_TAGS:  # line-level tags break only where they open: `</li><li>`, `<br/>` give one
            self._end_heading()
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(re.sub(r"\s+", " ", data))  # whitespace in HTML source is not layout
            if self._heading is not None:
                self._heading[1].append(data)

    def close(self) -> None:
        super().close()
        self._end_heading()

    def _end_heading(self) -> None:
        if self._heading is not None:
            level, parts = self._heading
            title = " ".join("".join(parts).split())
            if title:
                self.headings.append((level, title))
            self._heading = None


def _html(name: str, data: bytes) -> Document:
    parser = _VisibleText()
    parser.feed(_main_content(_decode(name, data)))
    parser.close()
    text = re.sub(r"[^\S\n]+", " ", "".join(parser.parts))
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return Document(name, text, headings=_placed(text, parser.headings))


def _main_content(markup: str) -> str:
    """The page's main content, as HTML: its article without the navigation, menus, sidebars, comment forms and
    footer around it, found by readability-lxml (a port of the scoring behind browsers' reader views); headings
    and paragraphs are kept, so ``_VisibleText`` still reads its headings. A short page is its own main content,
    and one readability cannot parse is read whole."""
    from readability import Document as Readable
    from readability.readability import Unparseable

    try:
        return Readable(markup).summary(html_partial=True)
    except Unparseable:
        return markup


def _placed(text: str, headings: list[tuple[int, str]]) -> tuple[tuple[int, int, str], ...]:
    """``(offset, level, title)`` of each heading, found in order in the extracted ``text`` (the text is built
    first and never touched for this, so headings cannot shift a quote); one that cannot be found is left out."""
    placed, position = [], 0
    for level, title in headings:
        words = r"\s+".join(map(re.escape, title.split()))
        found = re.compile(rf"(?<![^\n]){words}").search(text, position)  # a heading starts its line
        if found:
            placed.append((found.start(), level, title))
            position = found.end()
    return tuple(placed)


def _plain(name: str, data: bytes) -> Document:
    """Plain text, kept as is, so answers quote exactly what the author wrote."""
    return Document(name, _decode(name, data))


# ATX headings ("## Title ##") and setext underlines ("===" under a level 1, "---" under a level 2).
_MARKDOWN_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _markdown(name: str, data: bytes) -> Document:
    """Markdown, kept as is like plain text (the chat strips the markup for display only), with its headings."""
    text = _decode(name, data)
    return Document(name, text, headings=markdown_headings(text))


def markdown_headings(text: str) -> tuple[tuple[int, int, str], ...]:
    """``(offset, level, title)`` of the Markdown headings in ``text``, code blocks excepted."""
    headings = []
    fence = ""
    offset = 0
    previous: tuple[int, str] | None = None  # the last line, if it could be the title of a setext heading
    for line in text.split("\n"):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            previous = None
        elif opening:
            fence, previous = opening.group(1), None
        elif atx := _MARKDOWN_HEADING.fullmatch(line):
            title = _title(atx.group(2) or "")
            if title:
                headings.append((offset, len(atx.group(1)), title))
            previous = None
        elif previous is not None and (underline := _SETEXT.fullmatch(line)):
            headings.append((previous[0], 1 if underline.group(1)[0] == "=" else 2, _title(previous[1])))
            previous = None
        else:
            starts_block = not line.strip() or line.lstrip()[:1] in "-*+>|" or line.startswith(("    ", "\t"))
            previous = None if starts_block else (offset, line)
        offset += len(line) + 1
    return tuple(headings)


def _title(markup: str) -> str:
    """A heading's text without its inline markup: links as their text, no emphasis or code marks."""
    return " ".join(re.sub(r"\*\*|__|[*`]", "", _LINK.sub(r"\1", markup)).split())


def _pdf(name: str, data: bytes) -> Document:
    """The text layer of each page (pypdf), pages apart by a blank line; ``pages`` keeps where each one starts."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    texts = []
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # its warnings about a damaged file ("EOF marker not found"): the error says it
    try:
        reader = PdfReader(io.BytesIO(data))  # an encrypted PDF with an empty password opens as it is
        for page in reader.pages:
            texts.append(_clean(page.extract_text() or ""))
    except (FileNotDecryptedError, DependencyError):
        raise DocumentError(f"{name}: the PDF is password-protected; save a copy without the password") from None
    except Exception as error:  # a damaged file makes pypdf fail in many ways; each means the same to the user
        raise DocumentError(f"{name}: not a readable PDF ({_reason(error)})") from None
    finally:
        log.setLevel(level)
    pages, position = [], 0
    for text in texts:
        pages.append(position)
        position += len(text) + 2 if text else 0  # an empty page starts where the next one does
    return Document(name, "\n\n".join(text for text in texts if text), pages=tuple(pages))


def _docx(name: str, data: bytes) -> Document:
    """The paragraphs and tables of a Word document's body, in order (python-docx), paragraphs apart by a blank
    line and table rows one a line; its heading styles ("Title", "Heading 1" ...) give the headings."""
    import docx
    from docx.table import Table

    blocks: list[str] = []
    headings = []
    position = 0
    try:
        _check_unpacked(name, data)
        for block in docx.Document(io.BytesIO(data)).iter_inner_content():
            if isinstance(block, Table):
                text = _clean("\n".join(_row_text(row) for row in block.rows))
                level = None
            else:
                text = _clean(block.text)
                level = _heading_level(block.style.name if block.style is not None else "")
            if not text:
                continue
            if level is not None:
                headings.append((position, level, " ".join(text.split())))
            blocks.append(text)
            position += len(text) + 2
    except DocumentError:
        raise
    except Exception as error:  # a damaged file makes python-docx (zip, XML) fail in many ways
        raise DocumentError(f"{name}: not a readable Word document ({_reason(error)})") from None
    return Document(name, "\n\n".join(blocks), headings=tuple(headings))


def _check_unpacked(name: str, data: bytes) -> None:
    unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(
            f"{name}: unpacks to {_human(unpacked)}, more than the {_human(MAX_UNPACKED_BYTES)} a document may hold"
        )


def _row_text(row) -> str:
    """A table row's cells apart by a space; a merged cell, which python-docx repeats, once."""
    cells = []
    for cell in row.cells:
        if not cells or cell._tc is not cells[-1]._tc:
            cells.append(cell)
    return " ".join(" ".join(cell.text.split()) for cell in cells)


def _heading_level(style: str) -> int | None:
    """The outline level of a Word paragraph style: "Title" 1, "Heading N" N + 1; None for body text."""
    if style == "Title":
        return 1
    heading = re.fullmatch(r"Heading ([1-9])", style)
    return int(heading.group(1)) + 1 if heading else None


def _clean(text: str) -> str:
    """Extracted text with universal newlines and no control characters, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text).strip()


def _reason(error: Exception) -> str:
    """An exception from a parser as a few words on one line."""
    reason = " ".join(str(error).split()) or type(error).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."


_EXTRACTORS: dict[str, Callable[[str, bytes], Document]] = {
    ".txt": _plain,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
SUPPORTED_TYPES = tuple(_EXTRACTORS)  # the file name endings read, as ".pdf"
