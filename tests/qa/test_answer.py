"""How a reply is worded: the one abstention text, and when it asks whether the question is in another language."""

from index.records import Chunk, Passage
from qa.answer import Result, abstention_text

TEXT = "Prime Minister Fumio Kishida spoke in Tokyo, where he is the host of the talks."
PASSAGE = Passage(Chunk(0, "article.txt", TEXT, 0, len(TEXT)), 1.0)


def test_a_question_sharing_no_word_with_the_passages_found_is_asked_about_its_language():
    result = Result("Qui est le chef du gouvernement?", None, passages=[PASSAGE])
    assert result.words_unseen
    assert abstention_text(result) == (
        "The document does not answer this question. Few or none of its words occur in the passages closest to it: "
        "is it asked in the document's language?"
    )


def test_a_question_sharing_only_names_with_the_passages_found_is_asked_about_its_language_too():
    # more than two thirds of its words occur nowhere in the passages
    assert Result("Quel est le rôle de Fumio Kishida?", None, passages=[PASSAGE]).words_unseen
    # an English question shares its little words: "did" and "speak" are missing, "Fumio Kishida" is there
    assert not Result("Where did Fumio Kishida speak?", None, passages=[PASSAGE]).words_unseen
    # words are compared by their first five letters: "ministers" is seen in "Minister"
    assert not Result("Which ministers?", None, passages=[PASSAGE]).words_unseen


def test_an_english_question_about_what_the_passages_never_name_is_not_asked_about_its_language():
    assert not Result("Who is the prime minister of France?", None, passages=[PASSAGE]).words_unseen
    assert not Result("Who is it?", None, passages=[PASSAGE]).words_unseen  # nothing to look for
    # English's little words count as seen, whether the passages use them or not
    assert not Result("Where is the judge?", None, passages=[PASSAGE]).words_unseen
    assert not Result("What did he stress?", None, passages=[PASSAGE]).words_unseen
    assert not Result("What is the capital of Peru?", None, passages=[PASSAGE]).words_unseen  # none of it is there
    assert not Result("Qui est le chef du gouvernement?", None).words_unseen  # no passage found at all
    assert abstention_text(Result("Who is the prime minister of France?", None, passages=[PASSAGE])) == (
        "The document does not answer this question."
    )
