"""The first screen's description of the loaded documents, and the questions it offers for an unknown index."""

from index.loaders import load_text
from index.records import Document
from qa.corpus import bundled_documents
from ui.overview import Summary, example_questions

FESTIVAL = Document("festival.txt", "The Zorblax festival is held every summer in Quentin Bay. It was founded in 1987.")
HANDBOOK = load_text(
    "handbook.md",
    b"# Staff handbook\n\nThe handbook says how we **work**.\n\n"
    b"## Budget approval\n\nAna signs it.\n\n## Leave\n\nTen days.",
    ".md",
)


def test_the_bundled_article_is_introduced_by_its_title_line_and_first_sentence():
    summary = Summary.of(bundled_documents()[0])
    assert summary.title == "Russia’s military power and gas make Japan wary of U.S. -led sanctions"
    assert summary.opening.startswith("Washington’s broad coalition campaign to deter Russia is facing resistance")
    assert summary.opening.endswith("the Wall Street Journal reported.")


def test_a_document_with_headings_is_introduced_by_its_first_heading_and_first_prose():
    assert Summary.of(HANDBOOK) == Summary("handbook.md", "Staff handbook", "The handbook says how we **work**.")
    assert Summary.of(FESTIVAL) == Summary("festival.txt", "", FESTIVAL.text.split(" It")[0])  # no title line


def test_examples_ask_about_section_headings_then_first_sentences():
    assert example_questions([HANDBOOK, FESTIVAL]) == [
        "What is said about Budget approval?",
        "What is said about Leave?",
        "What is Staff handbook about?",  # its first sentence has no "X is ..." subject to ask about
        "What is the Zorblax festival?",
    ]
    assert example_questions([FESTIVAL], limit=4) == ["What is the Zorblax festival?"]
    assert example_questions([]) == []
