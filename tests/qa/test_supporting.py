"""Yes/no, why and how questions: the sentence that bears on them instead of a refusal, never a bare span."""

from index.records import Chunk, Passage
from qa.answer import SENTENCE, Answer, Result, reply_text
from qa.question_kind import HOW, SPAN, WHY, YES_NO
from qa.supporting import answer_in_kind

SENTENCES = (
    "Russia held naval exercises near the islands and sent senior leaders there.",
    "Moscow said it had sent more than 20 warships to the waters near the islands.",
    "Japan never signed a peace treaty because Tokyo wanted the islands back.",
)
TEXT = " ".join(SENTENCES)
CHUNK = Chunk(0, "news.txt", TEXT, 50, 50 + len(TEXT))


def _span(text: str, score: float) -> Answer:
    start = TEXT.index(text)
    return Answer(text, score, 50 + start, 50 + start + len(text), "news.txt", TEXT, start, margin=1.0)


def _result(question: str, candidates: list[Answer], threshold: float = 0.5, floor: float = 0.05) -> Result:
    best = candidates[0] if candidates and candidates[0].score >= threshold else None
    return Result(question, best, candidates, [Passage(CHUNK, 1.0)], threshold, refuse_below=floor)


def test_a_yes_no_question_gets_the_sentence_that_holds_its_words():
    # The reader's best span stands in another sentence; the question's words point at the right one.
    result = _result("Did Moscow send warships to the waters near the islands?", [_span("senior leaders", 0.2)])
    answered = answer_in_kind(result, YES_NO)
    assert answered.answer.kind == SENTENCE
    assert answered.answer.text == SENTENCES[1]
    assert TEXT[answered.answer.context_start :].startswith(answered.answer.text)
    assert answered.answer.start - 50 == TEXT.index(SENTENCES[1])
    assert answered.answer.score == 0.2  # no candidate inside it: the best one's confidence
    assert reply_text(answered.answer) == f'The document says: "{SENTENCES[1]}"'


def test_a_confident_span_to_a_yes_no_question_becomes_its_sentence():
    result = _result("Did Japan sign a peace treaty?", [_span("Tokyo wanted the islands back", 0.8)])
    answered = answer_in_kind(result, YES_NO)
    assert (answered.answer.text, answered.answer.score) == (SENTENCES[2], 0.8)


def test_why_and_how_keep_a_confident_span_and_get_a_sentence_instead_of_refusing_above_the_floor():
    confident = _result("Why did Japan not sign?", [_span("Tokyo wanted the islands back", 0.8)])
    assert answer_in_kind(confident, WHY) is confident
    unsure = _result("Why did Japan not sign?", [_span("Tokyo wanted the islands back", 0.3)])
    assert unsure.abstained
    answered = answer_in_kind(unsure, WHY, floor=0.2)
    assert (answered.answer.kind, answered.answer.text, answered.answer.score) == (SENTENCE, SENTENCES[2], 0.3)
    assert answer_in_kind(unsure, HOW, floor=0.2).answer.text == SENTENCES[2]


def test_by_default_why_and_how_need_the_confidence_an_answer_needs_and_yes_no_the_refusal_floor():
    unsure = _result("Why did Japan not sign a peace treaty?", [_span("Tokyo wanted the islands back", 0.3)])
    assert answer_in_kind(unsure, WHY).abstained and answer_in_kind(unsure, HOW).abstained
    assert answer_in_kind(unsure, WHY, floor=0.25).answer.text == SENTENCES[2]
    assert answer_in_kind(unsure, YES_NO).answer.text == SENTENCES[2]


def test_silent_documents_still_refuse():
    below_floor = _result("Did Japan export bananas?", [_span("senior leaders", 0.01)])
    assert answer_in_kind(below_floor, YES_NO).abstained
    assert answer_in_kind(_result("Why is the sky blue?", []), WHY).abstained


def test_span_questions_are_left_alone():
    result = _result("Who sent warships?", [_span("Moscow", 0.3)])
    assert answer_in_kind(result, SPAN) is result


def test_the_reply_of_a_span_is_the_span():
    span = _span("Moscow", 0.9)
    assert reply_text(span) == "Moscow"
    record = _result("Who sent warships?", [span]).to_dict()
    assert record["reply"] == "Moscow" and record["answer"]["kind"] == "span"


def test_a_why_sentence_must_speak_of_what_was_asked():
    unsure = _result("Why was the bridge painted?", [_span("Tokyo wanted the islands back", 0.3)])
    assert answer_in_kind(unsure, WHY, floor=0.2).abstained
    bare = _result("Why?", [_span("Tokyo wanted the islands back", 0.3)])  # a follow-up: no words to match
    assert answer_in_kind(bare, WHY, floor=0.2).answer.text == SENTENCES[2]
