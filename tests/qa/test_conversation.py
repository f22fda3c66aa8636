"""Follow-ups: which questions lean on the last turn, and how that turn shapes what is retrieved and read."""

import json

import pytest

from index.records import Chunk, Document, Passage
from qa.answer import Answer, Result
from qa.conversation import FollowUp, Turn, follow_up, is_follow_up

TEXT = "The dam was built by Victor Hale. It was completed in 1934. The weir came later."


@pytest.mark.parametrize(
    "question",
    [
        "When did he resign?",
        "Where does she work?",
        "When was it completed?",
        "In what year did that happen?",
        "When did Moscow say that?",
        "Why?",
        "Why not?",
        "Où?",  # accented Latin letters are still Latin
        "In which month?",
        "According to whom?",
        "What about the weir?",
        "How big is their stake?",
        "Where did he invite Putin for talks in 2016?",  # the name comes after the pronoun
    ],
)
def test_follow_ups_are_recognised(question):
    assert is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who is the Prime Minister of Japan?",
        "What did Soviet forces seize from Japan in 1945?",
        "Which islands that Russia holds are disputed?",  # "that" opening a relative clause points nowhere
        "Who is Putin?",  # short, but names its subject
        "How many troops are stationed on the Kuril Islands?",
        "When did Germany found their first settlement?",  # "their" points back to Germany, named before it
        "Which Japanese companies own part of the Sakhalin project, and how big is their share?",
        "日本の首相は誰ですか？",  # a script without spaces between words: one "word", yet a whole question
        "Кто премьер-министр?",  # two words, but Cyrillic: the short-question rule reads Latin-script words only
    ],
)
def test_questions_that_stand_alone(question):
    assert not is_follow_up(question)


def _result(question: str, answer_text: str) -> Result:
    chunk = Chunk(4, "dam.txt", TEXT, 100, 100 + len(TEXT))
    start = TEXT.index(answer_text)
    answer = Answer(answer_text, 0.9, 100 + start, 100 + start + len(answer_text), "dam.txt", TEXT, start)
    return Result(question, answer, [answer], [Passage(chunk, 0.5)], 0.3)


def test_a_turn_keeps_the_answers_sentence_and_passage():
    turn = Turn.from_result(_result("Who built the dam?", "Victor Hale"))
    assert (turn.question, turn.answer, turn.sentence) == (
        "Who built the dam?",
        "Victor Hale",
        "The dam was built by Victor Hale.",
    )
    assert turn.chunk.id == 4
    silent = Turn.from_result(Result("Who built the weir?", None))
    assert (silent.answer, silent.sentence, silent.chunk) == ("", "", None)


def test_a_turn_kept_as_json_comes_back_with_its_passage_cut_from_the_document():
    documents = {"dam.txt": Document("dam.txt", "x" * 100 + TEXT, headings=((0, 1, "The dam"),))}
    turn = Turn.from_result(_result("Who built the dam?", "Victor Hale"))
    kept = json.loads(json.dumps(turn.to_dict()))  # as a browser tab keeps it

    back = Turn.from_dict(kept, documents)
    assert back == Turn(turn.question, turn.answer, turn.sentence, Chunk(4, "dam.txt", TEXT, 100, 180, ("The dam",)))
    # what the tab sends back is not trusted: the passage's text is always the document's own
    assert Turn.from_dict({**kept, "passage": ["dam.txt", 4, 100, 107]}, documents).chunk.text == "The dam"
    # a passage whose document is no longer asked, or whose place does not fit it, is left out; the turn stays
    for place in (
        ["gone.txt", 4, 0, 7],
        ["dam.txt", 4, 100, 181],
        ["dam.txt", 4, 7, 7],
        ["dam.txt", 4, "0", 7],
        "dam.txt",
        None,
    ):
        assert Turn.from_dict({**kept, "passage": place}, documents) == Turn(turn.question, turn.answer, turn.sentence)
    for malformed in (
        None,
        [],
        "turn",
        {"question": "Who?"},
        {**kept, "answer": 3},
        {**kept, "sentence": "x" * 10_001},
    ):
        assert Turn.from_dict(malformed, documents) is None


def test_a_follow_up_is_read_with_the_last_turn_and_its_passage_first():
    earlier = Turn("Who built the bridge?", "Ada Berg", "The bridge was built by Ada Berg.")
    last = Turn.from_result(_result("Who built the dam?", "Victor Hale"))
    follow = follow_up("When was it completed?", [earlier, last])
    assert follow == FollowUp("When was it completed?", last)
    assert follow.query == "When was it completed? Who built the dam? The dam was built by Victor Hale."
    assert follow.reading.startswith("When was it completed?")  # the question word comes first
    assert "Victor Hale" in follow.reading and "Ada Berg" not in follow.reading
    assert follow.set_aside == {"victor hale"}
    other = [Passage(Chunk(i, "dam.txt", "x", i * 10, i * 10 + 1), 1.0 / (i + 1), i, 0.1 * i) for i in range(5)]
    retrieved = [other[1], Passage(last.chunk, 0.2, 1, 0.9), other[2], other[3]]
    passages = follow.passages(retrieved, 3)
    assert [p.chunk.id for p in passages] == [4, 1, 2]  # the previous answer's passage once, and first
    assert [p.rank for p in passages] == [0, 1, 2]
    assert [p.similarity for p in passages] == [0.9, 0.1, 0.2]  # each keeps its similarity to the question
    assert follow.passages(other[:3], 3)[0].similarity is None  # not found again: unknown


def test_no_history_or_a_standalone_question_is_read_as_it_is():
    last = Turn("Who built the dam?", "Victor Hale")
    assert follow_up("When was it completed?", []) is None
    assert follow_up("When was it completed?", None) is None
    assert follow_up("Who is the Prime Minister of Japan?", [last]) is None
    follow = follow_up("Why?", [last])
    assert follow.passages([Passage(Chunk(0, "a", "x", 0, 1), 1.0)], 3)[0].chunk.id == 0  # no passage to put first


def test_a_follow_up_to_a_follow_up_carries_the_turn_that_one_leaned_on():
    unrelated = Turn("Who built the bridge?", "Ada Berg")
    first = Turn("Who designed the Owen dam?", "Victor Hale")
    second = Turn("When was it completed?", "1934")
    follow = follow_up("Why was it built?", [unrelated, first, second])
    assert follow.earlier == (first,)  # not the bridge: the dam's question stood on its own
    assert follow.reading == "Why was it built? When was it completed? 1934 Who designed the Owen dam? Victor Hale"
    assert follow.set_aside == {"1934", "victor hale"}
