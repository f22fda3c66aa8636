from pathlib import Path

import pytest

from index.sentences import body_end, split_sentences

ARTICLE = (Path(__file__).resolve().parents[2] / "qa" / "data" / "article.txt").read_text(encoding="utf-8")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, start, end)]


@pytest.fixture(scope="module")
def article_sentences() -> list[str]:
    return sentences(ARTICLE, 0, body_end(ARTICLE))


def test_spans_quote_the_text_exactly_in_order():
    spans = split_sentences(ARTICLE)
    assert spans == sorted(spans)
    for (_, end), (next_start, _) in zip(spans, spans[1:]):
        assert end <= next_start
        assert ARTICLE[end:next_start].strip() == ""  # only whitespace falls between sentences
    for start, end in spans:
        assert ARTICLE[start:end] == ARTICLE[start:end].strip() != ""


def test_headline_before_blank_line_is_its_own_sentence(article_sentences):
    assert article_sentences[0] == "Russia\u2019s military power and gas make Japan wary of U.S. -led sanctions"


@pytest.mark.parametrize(
    "sentence",
    [
        "Tokyo says it has lodged a protest.",  # "area.Tokyo says"
        "Russia is pressing Japan not to join potential Western sanctions if Ukraine is invaded.",  # "reported.Russia"
        "I will be relentless in my negotiations over these islands.\u201d",  # "Kishida said.I will"
        "Russia says Japan should accept Moscow\u2019s ownership.",
        "The talks made little progress, and Russia ratcheted up the pressure after Abe resigned in 2020.",
        "Russia has also built military facilities on the two largest disputed islands in recent years.",
    ],
)
def test_glued_sentences_are_split(article_sentences, sentence):
    assert sentence in article_sentences


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        ("Prime Minister Fumio Kishida", "northern territories.\u201d"),  # "territories.”It is"
        ("It is extremely regrettable", "agreed upon,\u201d Kishida said."),  # "said.I will"
        ("We consider it absurd", "plenary session in September."),  # "September.He said"
        ("He said Russia wanted", "not to mention missile systems.\u201d"),  # "systems.”Japan’s"
        ("Last year, During the Tokyo Olympics", "to visit them."),  # "in 2020.Last year"
        ("If Russia can also use", "strategic sense,\u201d Mr Brown said."),  # "October.”If Russia"
    ],
)
def test_sentence_edges_at_glued_boundaries(article_sentences, head, tail):
    assert any(s.startswith(head) and s.endswith(tail) for s in article_sentences)


@pytest.mark.parametrize(
    "inside", ["U.S. -led", "U.S. military", "Mr. Putin", "Mr. Abe", "22.5 percent", "3,500 Russian"]
)
def test_abbreviations_and_numbers_are_not_split(article_sentences, inside):
    assert sum(inside in s for s in article_sentences) == 1


def test_abbreviations_initials_and_punctuation():
    text = "Dr. Smith met J. Smith in St. Louis on Jan. 5, e.g. at noon. Was it late?Yes! Mrs. Lee paid $3.50 for it."
    assert sentences(text) == [
        "Dr. Smith met J. Smith in St. Louis on Jan. 5, e.g. at noon.",
        "Was it late?",
        "Yes!",
        "Mrs. Lee paid $3.50 for it.",
    ]


def test_quotes_and_digits_after_a_period():
    text = 'He said. "We won." In 2020. 2021 was worse. It cost 1.5 million.'
    assert sentences(text) == ["He said.", '"We won."', "In 2020.", "2021 was worse.", "It cost 1.5 million."]


def test_paragraphs_headings_and_list_items_end_sentences():
    text = "# Setup\nInstall it first\n\nThen run it\n- one item\n- two item\nIntroduction\nThe model reads text."
    assert sentences(text) == [
        "# Setup",
        "Install it first",
        "Then run it",
        "- one item",
        "- two item",
        "Introduction",
        "The model reads text.",
    ]


def test_wrapped_prose_is_not_split_at_line_breaks():
    text = "The cat sat on the\nmat and slept, while the\nDog watched from the long corridor near the old kitchen door."
    assert sentences(text) == [text]


def test_range_limits_the_spans_to_the_slice():
    start = ARTICLE.index("Tokyo says")
    end = ARTICLE.index("Japan and Russia never")
    spans = split_sentences(ARTICLE, start, end)
    assert spans[0][0] == start and spans[-1][1] == end  # glued: "islands.”Japan"
    assert [ARTICLE[a:b] for a, b in spans][:1] == ["Tokyo says it has lodged a protest."]
    assert len(spans) == 4


def test_article_boilerplate_is_cut(article_sentences):
    assert body_end(ARTICLE) == ARTICLE.index("Leave a Reply")
    assert (
        article_sentences[-1]
        == "However, these exercises should never be a subject of concern and concern for our neighbours."
    )
    assert not any("Leave a Reply" in s or "email address" in s for s in article_sentences)


def test_comment_form_with_field_labels_is_cut():
    body = "A long enough paragraph of real article prose that certainly runs well past eighty characters in all.\n"
    tail = "Share this:\nTwitter\nFacebook\n\nLeave a Comment\nRequired fields are marked *\nName *\nEmail *\n"
    assert body_end(body + tail) == len(body)


def test_boilerplate_phrase_followed_by_prose_is_kept():
    text = (
        "Intro.\nRelated posts\n"
        + "This paragraph is real content that goes on for well over eighty characters, so it is prose."
    )
    assert body_end(text) == len(text)
    assert body_end("Just a short note.") == len("Just a short note.")


def test_boilerplate_far_from_the_end_is_not_searched():
    text = "Leave a Reply\n" + "Short line.\n" * 400
    assert body_end(text) == len(text)
