import io
from pathlib import Path

import pytest
from made_documents import make_docx, make_pdf
from pypdf import PdfReader, PdfWriter

from index.errors import QAError
from index.loaders import DocumentError, load_document, load_text

ARTICLE = Path(__file__).resolve().parents[2] / "qa" / "data" / "article.txt"

PAGE = """<!DOCTYPE html>
<html><head><title>Page title</title><style>p { color: red; }</style>
<script>var hidden = "<p>not shown</p>";</script></head>
<body>
  <h1>Tom &amp; Jerry</h1>
  <p>First   paragraph,
     wrapped in the source.<br>After a break&nbsp;here.</p>
  <noscript>Enable JavaScript</noscript><template><p>template text</p></template>
  <ul><li>One &lt;item&gt;</li><li>Jerry&#8217;s <b>bold</b> item</li></ul>
  <div>Last <i>words</i>.</div>
</body></html>
"""


def test_html_keeps_visible_text_only(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    document = load_document(path)
    assert document.name == "page.html"
    assert document.text == (
        "Tom & Jerry\n\n"
        "First paragraph, wrapped in the source.\nAfter a break here.\n\n"
        "One <item>\nJerry\u2019s bold item\n\n"
        "Last words."
    )


def test_html_without_closing_head_keeps_body(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text("<html><head><title>T</title><body><p>Body text.</p></body></html>", encoding="utf-8")
    assert load_document(path).text == "Body text."


def test_markdown_and_text_are_kept_as_is(tmp_path):
    markdown = "# Title\n\nSome *emphasis* and a [link](http://x.org).\n"
    (tmp_path / "notes.md").write_text(markdown, encoding="utf-8")
    (tmp_path / "notes.markdown").write_text(markdown, encoding="utf-8")
    assert load_document(tmp_path / "notes.md").text == markdown
    assert load_document(tmp_path / "notes.markdown").text == markdown
    assert load_document(ARTICLE).text == ARTICLE.read_text(encoding="utf-8")


def test_bom_and_windows_newlines_are_normalised():
    document = load_text("win.txt", "\ufeffLine one.\r\nLine two.\r\n".encode(), ".txt")
    assert document.text == "Line one.\nLine two.\n"


def test_upload_goes_through_the_same_checks():
    assert load_text("up.HTML", b"<p>Hi &amp; bye</p>", "HTML").text == "Hi & bye"
    with pytest.raises(DocumentError, match="binary"):
        load_text("up.txt", b"\x89PNG\r\n\x1a\n\x00\x00", ".txt")


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DocumentError, match=r"^image\.txt: looks like a binary file, not UTF-8 text$"):
        load_document(path)


def test_non_utf8_text_is_rejected(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café au lait".encode("latin-1"))
    with pytest.raises(DocumentError, match=r"^latin1\.txt: not UTF-8 text \(invalid byte at position 3\)"):
        load_document(path)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError, match=r"^nope\.txt: no such file"):
        load_document(tmp_path / "nope.txt")


def test_directory_is_not_a_file(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(DocumentError, match=r"^folder\.txt: not a file"):
        load_document(tmp_path / "folder.txt")


def test_unsupported_type_names_the_supported_ones(tmp_path):
    path = tmp_path / "report.odt"
    path.write_bytes(b"PK\x03\x04")
    expected = (
        r"^report\.odt: unsupported file type '\.odt'; supported types are "
        r"\.txt, \.md, \.markdown, \.html, \.htm, \.pdf, \.docx$"
    )
    with pytest.raises(DocumentError, match=expected):
        load_document(path)


def test_oversized_file_says_size_and_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 20, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^big\.txt: file is 20 bytes, larger than the 10 bytes limit$"):
        load_document(path, max_bytes=10)
    with pytest.raises(DocumentError, match=r"^up\.txt: file is 5\.0 MB, larger than the 5\.0 MB limit$"):
        load_text("up.txt", b"x" * (5 * 1024 * 1024 + 1), ".txt")


@pytest.mark.parametrize(
    ("name", "content"), [("empty.txt", ""), ("blank.md", " \n\n\t"), ("s.html", "<script>x=1</script>")]
)
def test_empty_document_is_rejected(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError, match=rf"^{name}: no text to read"):
        load_document(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text_with_a_byte_order_mark_is_read(encoding):
    text = "Tokyo says it has lodged a protest.\nÉté à Kyōto.\n"
    data = ("\ufeff" + text).encode(encoding) if encoding.endswith("-be") else text.encode(encoding)
    assert load_text("wide.txt", data, ".txt").text == text


def test_utf16_that_does_not_decode_is_named_as_such():
    with pytest.raises(DocumentError, match="not valid UTF-16 text"):
        load_text("wide.txt", b"\xff\xfeA\x00\x00\xd8", ".txt")  # a lone high surrogate at the end


def test_a_file_that_cannot_be_opened_says_why(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    with pytest.raises(DocumentError, match="loop.txt: cannot open") as refused:
        load_document(loop)
    assert "no such file" not in str(refused.value)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    with pytest.raises(DocumentError, match="dangling.txt: no such file"):
        load_document(tmp_path / "dangling.txt")


def test_a_name_that_is_not_utf8_is_refused():
    with pytest.raises(DocumentError, match=r"caf\\xe9\.txt: the file name is not valid UTF-8"):
        load_text("caf\udce9.txt", b"Some text.", ".txt")


def test_pdf_text_is_read_page_by_page_and_each_quote_knows_its_page(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf([["First page (intro).", "More text."], [], ["The answer is 42."]]))
    document = load_document(path)
    assert document.text == "First page (intro).\nMore text.\n\nThe answer is 42."
    assert document.page_at(document.text.index("More")) == 1
    assert document.page_at(document.text.index("42")) == 3  # the empty second page holds nothing to cite
    assert document.headings == ()


def test_docx_paragraphs_tables_and_headings_are_read_in_order():
    document = load_text("guide.docx", make_docx(), ".docx")
    assert document.text == (
        "Field guide\n\nInstall\n\nRun the installer. It takes a minute.\n\nLinux\n\nOn Linux, use the script."
        "\n\nOS Version\nUbuntu 22.04\n\nWindows\n\nDouble-click setup.exe."
    )
    assert [(level, title) for _, level, title in document.headings] == [
        (1, "Field guide"),
        (2, "Install"),
        (3, "Linux"),
        (2, "Windows"),
    ]
    assert all(document.text.startswith(title, offset) for offset, _, title in document.headings)
    assert document.heading_path(document.text.index("Ubuntu")) == ("Field guide", "Install", "Linux")
    assert document.heading_path(document.text.index("setup.exe")) == ("Field guide", "Windows")
    assert document.page_at(0) is None


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
@pytest.mark.parametrize("data", [b"", b"garbage, not a document", b"%PDF-1.4\n1 0 obj\n<<", b"PK\x03\x04broken"])
def test_a_damaged_pdf_or_docx_gets_one_clear_line(suffix, data, capfd):
    kind = "PDF" if suffix == ".pdf" else "Word document"
    with pytest.raises(DocumentError, match=rf"^broken{suffix}: not a readable {kind} \([^\n]+\)$") as refused:
        load_text(f"broken{suffix}", data, suffix)
    assert isinstance(refused.value, QAError)
    assert capfd.readouterr().err == ""  # pypdf's own warnings do not add to the one line


def test_a_truncated_docx_is_refused():
    data = make_docx()
    with pytest.raises(DocumentError, match=r"^cut\.docx: not a readable Word document"):
        load_text("cut.docx", data[: len(data) // 2], ".docx")


def test_a_docx_that_unpacks_to_too_much_is_refused(monkeypatch):
    monkeypatch.setattr("index.loaders.MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(DocumentError, match=r"^big\.docx: unpacks to .*, more than the 1000 bytes a document may hold"):
        load_text("big.docx", make_docx(), ".docx")


def test_a_password_protected_pdf_says_so():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([["Secret text."]]))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(DocumentError, match=r"^locked\.pdf: the PDF is password-protected"):
        load_text("locked.pdf", out.getvalue(), ".pdf")


def test_a_pdf_without_a_text_layer_says_it_may_be_scanned():
    with pytest.raises(DocumentError, match=r"^scan\.pdf: no text to read .*scanned PDF"):
        load_text("scan.pdf", make_pdf([[]]), ".pdf")


def test_markdown_headings_give_each_place_its_path():
    text = (
        "# Guide\n\nIntro.\n\n## Install **now**\n\nRun it.\n\n```\n# a comment, not a heading\n```\n\n"
        "Linux\n-----\n\nUse the script.\n\n# Appendix #\n\nEnd.\n"
    )
    document = load_text("guide.md", text.encode(), ".md")
    assert document.text == text  # kept as is
    assert [(level, title) for _, level, title in document.headings] == [
        (1, "Guide"),
        (2, "Install now"),
        (2, "Linux"),
        (1, "Appendix"),
    ]
    assert document.heading_path(text.index("Run it")) == ("Guide", "Install now")
    assert document.heading_path(text.index("a comment")) == ("Guide", "Install now")
    assert document.heading_path(text.index("Use the")) == ("Guide", "Linux")
    assert document.heading_path(text.index("End.")) == ("Appendix",)
    assert document.heading_path(0) == ("Guide",)


def test_html_headings_are_placed_in_the_extracted_text(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    assert load_document(path).headings == ((0, 1, "Tom & Jerry"),)
    page = "<h1>Install</h1><p>Intro.</p><h2>On <b>Linux</b></h2><p>Run it.</p><template><h2>Hidden</h2></template>"
    document = load_text("p.html", page.encode(), ".html")
    assert document.text == "Install\n\nIntro.\n\nOn Linux\n\nRun it."
    assert document.headings == ((0, 1, "Install"), (17, 2, "On Linux"))
    assert document.heading_path(document.text.index("Run")) == ("Install", "On Linux")


NEWS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour rebuilt | Quentin Bay News</title></head>
<body>
<header><a href="/" class="logo">Quentin Bay News</a>
  <nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/contact">Contact us</a></li></ul></nav>
  <form class="search"><input name="q"><button>Search</button></form>
</header>
<div class="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Accept all cookies</a></div>
<main><article>
<h1>The harbour of Quentin Bay is rebuilt</h1>
<p>The old harbour of Quentin Bay, damaged by the storm of 2023, has been rebuilt at a cost of 12 million euros.
The works took eighteen months and were paid for by the town and the regional government.</p>
<p>The new breakwater is 400 metres long, twice the length of the old one, and protects the fishing fleet from
the winter storms that come from the north-west.</p>
<h2>Who paid for it</h2>
<p>The regional government paid two thirds of the cost; the town raised the rest through a harbour fee charged to
visiting yachts. The mayor, Tomas Lindqvist, said the fee would stay in place until 2030.</p>
</article></main>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Storm closes the coast road</a></li>
<li><a href="/b">New ferry timetable</a></li></ul><h3>Newsletter</h3><p>Sign up for our newsletter.</p></aside>
<section class="comments"><h3>Leave a comment</h3><form><textarea></textarea><button>Post</button></form></section>
<footer><nav><a href="/about">About</a> | <a href="/privacy">Privacy policy</a></nav>
<p>&copy; 2025 Quentin Bay News. All rights reserved.</p></footer>
</body></html>
"""


def test_html_keeps_the_main_text_and_its_headings_without_menus_sidebars_or_footer():
    document = load_text("harbour.html", NEWS_PAGE.encode(), ".html")
    assert document.text.startswith("The harbour of Quentin Bay is rebuilt\n\nThe old harbour of Quentin Bay")
    assert document.text.endswith("said the fee would stay in place until 2030.")
    for boilerplate in (
        "Home",
        "Contact us",
        "Search",
        "cookies",
        "Most read",
        "ferry",
        "newsletter",
        "comment",
        "Privacy",
        "All rights reserved",
    ):
        assert boilerplate not in document.text
    assert [title for _, _, title in document.headings] == ["The harbour of Quentin Bay is rebuilt", "Who paid for it"]
    assert document.heading_path(document.text.index("Tomas Lindqvist")) == (
        "The harbour of Quentin Bay is rebuilt",
        "Who paid for it",
    )


def test_plain_text_has_no_pages_or_headings():
    document = load_document(ARTICLE)
    assert (document.pages, document.headings) == ((), ())
