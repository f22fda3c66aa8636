"""The real system over the bundled article: shipped reader, hybrid retrieval, calibrated threshold."""

import pytest

from index.records import Chunk, Passage
from qa.answer import Answer
from qa.corpus import BUNDLED_ARTICLE
from qa.pipeline import MAX_QUESTION_CHARS, QAPipeline, QuestionError, read_only
from qa.reader import ExtractiveReader
from qa.verifier import DEFAULT_UNANSWERABLE_SHARE, VERIFIER_FILE, Verifier

ARTICLE = BUNDLED_ARTICLE.read_text(encoding="utf-8")


def test_answers_the_prime_minister_question_with_the_documents_words(article_pipeline):
    result = article_pipeline.run("Who is the Prime Minister of Japan?")
    assert result.answer is not None
    assert result.answer.text == "Fumio Kishida"
    assert ARTICLE[result.answer.start : result.answer.end] == result.answer.text
    assert result.answer.source == "article.txt"
    assert result.answer.score >= result.threshold
    assert result.candidates[0] == result.answer
    assert set(result.timings) == {"retrieve", "read", "total"}


def test_every_candidate_quotes_the_document(article_pipeline):
    result = article_pipeline.run("How many Russian troops are stationed on the disputed islands?")
    assert result.candidates
    for candidate in result.candidates:
        assert ARTICLE[candidate.start : candidate.end] == candidate.text
        assert candidate.context[candidate.context_start :].startswith(candidate.text)


def test_abstains_when_the_article_does_not_say(article_pipeline):
    result = article_pipeline.run("What is the population of the Kuril Islands?")
    assert result.abstained
    assert result.passages  # the closest passages are still there to show
    assert result.to_dict()["answer"] is None


@pytest.mark.parametrize(
    "question",
    [
        "日本の首相は誰ですか？",
        "Кто премьер-министр Японии?",
        "Qui a invité Poutine à des pourparlers dans une station thermale ?",
    ],
)
def test_a_question_in_another_language_is_told_so(article_pipeline, question):
    result = article_pipeline.run(question)
    assert result.abstained and result.words_unseen
    assert "is it asked in the document's language?" in result.to_dict()["reply"]


def test_a_foreign_question_sharing_only_a_name_is_seen_as_foreign(article_pipeline):
    # The reader may answer it ("Prime Minister") or not, by a confidence near the threshold that differs in the
    # second decimal between CPUs' int8 kernels; whenever it is refused, the reply asks about its language.
    french = article_pipeline.run("Quel est le rôle de Fumio Kishida ?", threshold=1.01)
    english = article_pipeline.run("What is the role of Fumio Kishida?", threshold=1.01)
    assert french.words_unseen and not english.words_unseen
    assert "is it asked in the document's language?" in french.to_dict()["reply"]
    assert "language" not in english.to_dict()["reply"]


def test_an_english_question_the_article_is_silent_on_gets_no_language_hint(article_pipeline):
    result = article_pipeline.run("What is the population of the Kuril Islands?")
    assert result.abstained and not result.words_unseen
    assert "language" not in result.to_dict()["reply"]


def test_the_threshold_decides_abstention(article_pipeline):
    question = "Who is the Kremlin spokesman?"
    answered, refused = article_pipeline.run(question, threshold=0.0), article_pipeline.run(question, threshold=1.01)
    assert answered.answer == answered.candidates[0] and answered.answer.text == "Dmitry Peskov"
    assert refused.abstained and refused.candidates[0].text == "Dmitry Peskov"  # the best guess, below the bar


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Please type a question"), ("   \n ", "Please type a question"), ("why " * 2500, "characters long")],
)
def test_bad_questions_get_a_clear_message(article_pipeline, question, message):
    with pytest.raises(QuestionError, match=message):
        article_pipeline.run(question)


def test_a_question_at_the_limit_is_still_answered(article_pipeline):
    question = ("Who is the Prime Minister of Japan? " * 100)[:MAX_QUESTION_CHARS]
    result = article_pipeline.run(question)  # long but legal: the reader clips it to its window
    assert result.question == question.strip()
    assert result.passages and result.candidates  # read, not refused


def test_a_convincing_first_passage_is_answered_alone(article_pipeline):
    question = "Who is the Kremlin spokesman?"
    passages = article_pipeline.retriever.run(question, 3)
    eager = QAPipeline(article_pipeline.retriever, article_pipeline.reader, accept_first=0.0)
    first = passages[0].chunk
    candidates = eager.candidates(question, passages)
    assert candidates != article_pipeline.reader.run(question, passages)  # the two readings differ
    assert candidates == article_pipeline.reader.run(question, passages[:1])
    assert all(first.start <= c.start and c.end <= first.end for c in candidates)


def test_an_unconvincing_first_passage_means_reading_them_all(article_pipeline):
    question = "Who is the Kremlin spokesman?"
    passages = article_pipeline.retriever.run(question, 3)
    strict = QAPipeline(article_pipeline.retriever, article_pipeline.reader, accept_first=1.01)
    assert strict.candidates(question, passages) == article_pipeline.reader.run(question, passages)


def test_the_first_passage_alone_never_decides_an_abstention(article_pipeline):
    question = "Who is the Kremlin spokesman?"
    passages = article_pipeline.retriever.run(question, 3)
    eager = QAPipeline(article_pipeline.retriever, article_pipeline.reader, accept_first=0.0)
    # Below the threshold, the first passage's answer is not taken: every passage is read before abstaining.
    assert eager.candidates(question, passages, threshold=1.01) == article_pipeline.reader.run(question, passages)


@pytest.mark.parametrize("question", ["Who is \udcff\udcfe Japan?", "\u200b\u200b\x07"])
def test_unreadable_or_invisible_questions_are_refused_as_questions(question):
    from qa.pipeline import check_question

    with pytest.raises(QuestionError):
        check_question(question)


class _FixedReader:
    """A reader that always finds the same candidates (no model), with a calibrated threshold of 0.6."""

    def __init__(self, *scores):
        self.answers = [Answer(f"a{i}", score, 0, 2, "doc") for i, score in enumerate(scores)]
        self.calls = []

    def calibrated_threshold(self) -> float:
        return 0.6

    def run(self, question, passages, top_k=None, joined=True):
        self.calls.append((question, passages, joined))
        return self.answers


def test_read_only_applies_the_readers_threshold_unless_given_one():
    passages = [Passage(Chunk(0, "doc", "ab", 0, 2), 1.0, 0)]
    reader = _FixedReader(0.7, 0.2)
    result = read_only(reader, "Who?", passages)
    assert (result.answer, result.threshold, result.passages) == (reader.answers[0], 0.6, passages)
    assert reader.calls == [("Who?", passages, True)] and set(result.timings) == {"read"}
    assert read_only(reader, "Who?", passages, threshold=0.8).abstained
    assert read_only(_FixedReader(), "Who?", passages).abstained  # no candidate at all


VALLEY = (
    "Bridges and dams of the Owen valley\n\nThe Larkspur bridge was designed by Helena Marsh and completed in 1921. "
    "The Owen dam was designed by Victor Hale and completed in 1934. "
    "The Millbrook weir was designed by Agnes Ford and completed in 1952."
)


@pytest.fixture(scope="module")
def valley_pipeline(embedder, article_pipeline):
    from index.records import Document
    from qa.corpus import build_index

    store = build_index([Document("valley.txt", VALLEY)], embedder)
    return QAPipeline.from_store(store, embedder, article_pipeline.reader)


def test_a_follow_up_is_read_in_the_light_of_the_history(valley_pipeline):
    """The history decides which date is read as the answer; whether it clears the threshold is the verifier's
    calibration (tests/qa/test_confidence.py), so the best reading is what is checked here."""
    from qa.conversation import Turn

    first = valley_pipeline.run("Who designed the Owen dam?")
    assert first.answer.text == "Victor Hale"
    alone = valley_pipeline.run("When was it completed?")
    assert alone.candidates[0].text != "1934"  # "it" could be any of the three
    followed = valley_pipeline.run("When was it completed?", history=[Turn.from_result(first)])
    best = followed.candidates[0]
    assert best.text == "1934" and VALLEY[best.start : best.end] == "1934"
    assert followed.question == "When was it completed?"
    assert followed.answer in (None, best)  # answered with it, or shown as the best guess


def test_history_leaves_a_question_that_stands_alone_as_it_was(article_pipeline):
    from qa.conversation import Turn

    question = "Who is the Kremlin spokesman?"
    earlier = [Turn("Who is the Prime Minister of Japan?", "Fumio Kishida", "Prime Minister Fumio Kishida stressed.")]
    alone, with_history = article_pipeline.run(question), article_pipeline.run(question, history=earlier)
    assert (with_history.answer, with_history.candidates) == (alone.answer, alone.candidates)
    assert article_pipeline.run(question, history=[]).candidates == alone.candidates


def test_a_yes_no_question_gets_its_supporting_sentence(article_pipeline):
    from qa.answer import SENTENCE

    result = article_pipeline.run("Did Russia send warships to the waters near the islands?")
    assert result.answer.kind == SENTENCE
    assert "sent more than 20 warships to the waters near the islands" in result.answer.text
    assert ARTICLE[result.answer.start : result.answer.end] == result.answer.text
    assert result.to_dict()["reply"].startswith('The document says: "Moscow said on Monday')


def test_a_yes_no_question_the_document_is_silent_on_is_refused(article_pipeline):
    result = article_pipeline.run("Does Japan export bananas to Brazil?")
    assert result.abstained and result.documents_silent


def test_the_verifier_is_set_for_people_asking_about_their_own_documents_unless_told_otherwise(
    article_pipeline, article_store, embedder
):
    shipped = Verifier.load(article_pipeline.reader.model_dir / VERIFIER_FILE)
    assert article_pipeline.verifier.unanswerable_share == DEFAULT_UNANSWERABLE_SHARE
    assert article_pipeline.default_threshold == shipped.for_share(DEFAULT_UNANSWERABLE_SHARE).threshold
    benchmark = QAPipeline.from_store(article_store, embedder, article_pipeline.reader, unanswerable_share=0.5)
    assert benchmark.default_threshold == shipped.for_share(0.5).threshold > article_pipeline.default_threshold
    question = "Who is the Kremlin spokesman?"  # the same answer, more confident where fewer questions go unanswered
    ours, theirs = article_pipeline.run(question).candidates[0], benchmark.run(question).candidates[0]
    assert ours.text == theirs.text and ours.score > theirs.score


def test_a_verifier_written_before_operating_points_answers_at_its_own_threshold(
    article_pipeline, article_store, embedder, tmp_path, caplog
):
    import shutil

    reader_dir = tmp_path / "reader"
    shutil.copytree(article_pipeline.reader.model_dir, reader_dir)
    old = Verifier.load(reader_dir / VERIFIER_FILE)
    old.operating_points = ()
    old.save(reader_dir / VERIFIER_FILE)
    pipeline = QAPipeline.from_store(article_store, embedder, ExtractiveReader(reader_dir))
    assert pipeline.default_threshold == old.threshold and pipeline.verifier.bias == old.bias
    assert "has no operating points" in caplog.text
