"""Each other document's own answer, read from its passages alone (a stand-in reader: this tests the choice)."""

from dataclasses import replace

from index.records import Chunk, Passage
from qa.answer import SENTENCE, Answer, Result
from ui.elsewhere import with_other_documents


def passage(source: str, text: str, rank: int) -> Passage:
    return Passage(Chunk(rank, source, text, 0, len(text)), 0.5, rank)


def found(text: str, source: str, score: float) -> Answer:
    return Answer(text, score, 0, len(text), source, text, 0)


class Reader:
    """Answers each document with what ``answers`` says, and records what it was asked to read."""

    def __init__(self, answers: dict[str, Answer]):
        self.answers, self.read = answers, []

    def candidates(self, question: str, passages: list[Passage], threshold: float = 0.0) -> list[Answer]:
        sources = {p.chunk.source for p in passages}
        self.read.append((question, sorted(sources)))
        return [self.answers[source] for source in sorted(sources) if source in self.answers]


PASSAGES = [passage("2025.txt", "Held in Port Ellery.", 0), passage("2024.txt", "Held in Quentin Bay.", 1)]
PASSAGES += [passage("2025.txt", "It moved.", 2), passage("notes.txt", "Nothing here.", 3)]
ANSWER = found("Port Ellery", "2025.txt", 0.68)
RESULT = Result("Where is it held?", ANSWER, [ANSWER, found("moved", "2025.txt", 0.1)], PASSAGES, threshold=0.34)


def test_each_other_document_is_read_alone_and_a_confident_answer_follows_the_answer():
    reader = Reader({"2024.txt": found("Quentin Bay", "2024.txt", 0.67), "notes.txt": found("here", "notes.txt", 0.2)})

    result = with_other_documents(reader, RESULT)

    assert reader.read == [("Where is it held?", ["2024.txt"]), ("Where is it held?", ["notes.txt"])]
    assert [c.text for c in result.candidates] == ["Port Ellery", "Quentin Bay", "moved"]  # notes.txt: unsure
    assert result.answer == ANSWER and result.passages == PASSAGES


def test_one_document_a_sentence_or_an_abstention_reads_nothing_more():
    reader = Reader({})
    alone = replace(RESULT, passages=PASSAGES[:1])
    sentence = replace(RESULT, answer=replace(ANSWER, kind=SENTENCE))
    abstention = replace(RESULT, answer=None)
    for result in (alone, sentence, abstention):
        assert with_other_documents(reader, result) is result
    assert reader.read == []
