"""The sentence that bears on a yes/no, why or how question, given as the reply instead of a refusal.

An extractive reader cannot say "yes", and for "why" and "how" it often finds the right place with too little
confidence to quote a span from it. The sentence around that place still helps a person judge for themselves,
so it is offered, marked as a sentence (``Answer.kind``) and worded "The document says: ..." by
``qa.answer.reply_text``, never as a bare "yes". Only when the evidence bears on the question at all: a best
candidate below the verifier's refusal floor (the documents are silent) still refuses.
"""

from __future__ import annotations

from dataclasses import replace

from index.records import Passage
from index.sentences import split_sentences
from qa.answer import SENTENCE, Answer, Result
from qa.question_kind import SENTENCE_KINDS, YES_NO
from qa.words import content_words, share_found

# A sentence offered must hold at least this share of the question's content words. For yes/no questions these
# words choose the sentence (the reader's spans do not point at the one stating what is asked); for why and how,
# the reader's best place must speak of what was asked.
MIN_COVERAGE = 0.5


def answer_in_kind(result: Result, kind: str, floor: float | None = None) -> Result:
    """``result`` with a supporting sentence as its answer when ``kind`` asks for one and the passages hold one.

    A yes/no question gets the sentence whenever the documents are not silent (a best candidate at the verifier's
    refusal floor): a span cannot say yes or no, so the reader's confidence in its span says little here. A why or
    how question keeps a confident span and gets the sentence only instead of an abstention, and by default only
    with a best candidate at the result's threshold, the confidence an answer needs: on the tuning half of SQuAD 2.0
    dev, why and how sentences offered below it lost F1 (``python -m eval.tools.tune_sentences``; figures in the
    model card), as a sentence the reader is unsure of mostly quotes a passage that does not answer. So a why or how
    question gets one below the threshold only when the caller passes a lower ``floor``; its best guess is still
    shown in its passage. SQuAD has no yes/no answers, so F1 cannot score a yes/no sentence; its cost there
    (unanswerable questions that look like yes/no ones) is in the model card too.
    """
    if kind not in SENTENCE_KINDS or (kind != YES_NO and result.answer is not None):
        return result
    if floor is None:
        floor = result.refuse_below if kind == YES_NO else max(result.refuse_below, result.threshold)
    if not result.candidates or result.candidates[0].score < floor:
        return result  # the documents are silent, or too unsure of the place: a sentence would only look like an answer
    if kind == YES_NO:
        sentence = _covering_sentence(result) or sentence_of(result.candidates[0])
    else:
        sentence = sentence_of(result.candidates[0])
        if share_found(content_words(result.question), sentence.text) < MIN_COVERAGE:
            return result  # the reader's best place says nothing of what was asked ("Why was it built?")
    return replace(result, answer=sentence)


def sentence_of(candidate: Answer) -> Answer:
    """The whole sentence holding ``candidate``, as an answer of kind ``SENTENCE`` with its confidence."""
    for start, end in split_sentences(candidate.context):
        if start <= candidate.context_start < end:
            break
    else:  # a span the sentence splitter does not cover (white space only): the span itself
        start, end = candidate.context_start, candidate.context_start + len(candidate.text)
    shift = candidate.start - candidate.context_start
    return replace(
        candidate,
        text=candidate.context[start:end],
        start=shift + start,
        end=shift + end,
        context_start=start,
        kind=SENTENCE,
    )


def _covering_sentence(result: Result) -> Answer | None:
    """The sentence of the passages that holds most of the question's content words (at least ``MIN_COVERAGE``).

    Its confidence is that of the best candidate inside it, or of the best candidate overall when the reader
    found none there. Ties go to the better-retrieved passage.
    """
    asked = content_words(result.question)
    if not asked:
        return None
    best: tuple[float, Passage, int, int] | None = None
    for passage in result.passages:
        text = passage.chunk.text
        for start, end in split_sentences(text):
            coverage = share_found(asked, text[start:end])
            if coverage >= MIN_COVERAGE and (best is None or coverage > best[0]):
                best = (coverage, passage, start, end)
    if best is None:
        return None
    _, passage, start, end = best
    chunk = passage.chunk
    inside = [
        c for c in result.candidates if c.source == chunk.source and chunk.start + start <= c.start < chunk.start + end
    ]
    score = (inside or result.candidates)[0].score
    return Answer(
        chunk.text[start:end],
        score,
        chunk.start + start,
        chunk.start + end,
        chunk.source,
        chunk.text,
        start,
        margin=(inside or result.candidates)[0].margin,
        passage=result.passages.index(passage),
        kind=SENTENCE,
    )
