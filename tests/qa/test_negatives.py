"""Synthetic unanswerable questions: each rule really breaks the link between question and paragraph."""

import random

from qa.negatives import (
    ANTONYMS,
    ArticleFacts,
    answer_removed,
    antonym,
    entity_swap,
    make_negatives,
    negation,
    other_paragraph,
    paragraph_swap,
    similar_paragraph,
)
from qa.squad import GoldAnswer, QAExample

P1 = "The treaty was signed in 1951 by Shigeru Yoshida in San Francisco, ending the occupation of Japan."
P2 = "In 1956 Ichiro Hatoyama visited Moscow, and 3,500 troops stayed on the islands of Etorofu."
P3 = "The largest island is Etorofu, and the islands lie north of Hokkaido."


def example(qid: str, question: str, context: str, answer: str, title: str = "Kurils") -> QAExample:
    return QAExample(qid, question, context, (GoldAnswer(answer, context.index(answer)),), title)


EXAMPLES = [
    example("a", "Who signed the treaty in San Francisco in 1951?", P1, "Shigeru Yoshida"),
    example("b", "Which city did Ichiro Hatoyama visit in 1956?", P2, "Moscow"),
    example("c", "What is the largest island?", P3, "Etorofu"),
    example("d", "How many troops stayed on the islands?", P2, "3,500"),
]
FACTS = ArticleFacts(EXAMPLES)


def test_other_paragraph_really_lacks_every_gold_answer():
    for seed in range(20):
        negative = other_paragraph(EXAMPLES[2], FACTS, random.Random(seed))
        assert negative is not None and negative.is_impossible
        assert negative.context != EXAMPLES[2].context
        assert "Etorofu" not in negative.context  # P2 also mentions Etorofu, so only P1 qualifies
        assert negative.context == P1


def test_entity_swap_puts_in_an_entity_of_the_same_kind_that_the_paragraph_lacks():
    seen = set()
    for seed in range(30):
        negative = entity_swap(EXAMPLES[0], FACTS, random.Random(seed))
        assert negative is not None and negative.is_impossible and negative.context == P1
        assert negative.question != EXAMPLES[0].question
        seen.add(negative.question)
        if "1951" not in negative.question:
            assert "1956" in negative.question  # the article's other year; it is not in P1
    assert any("Ichiro Hatoyama" in q or "Moscow" in q or "Hokkaido" in q or "Etorofu" in q for q in seen)
    for question in seen:
        swapped_in = set(question.replace("?", "").split()) - set(EXAMPLES[0].question.replace("?", "").split())
        assert all(word not in P1 for word in swapped_in)


def test_negation_adds_or_removes_not():
    assert negation(EXAMPLES[2], FACTS, random.Random(0)).question == "What isn't the largest island?"
    negated = example("n", "Which city didn't Hatoyama visit?", P2, "Moscow")
    assert negation(negated, FACTS, random.Random(0)).question == "Which city did Hatoyama visit?"


def test_antonym_swaps_a_word_for_its_opposite():
    negative = antonym(EXAMPLES[2], FACTS, random.Random(0))
    assert negative.question == "What is the smallest island?" and negative.is_impossible
    assert antonym(EXAMPLES[1], FACTS, random.Random(0)) is None  # nothing to swap
    # every pair goes both ways, but for the two words with two opposites: smallest (largest, biggest), closed
    # (open, opened) each swap back to the last one listed
    assert {word for word in ANTONYMS if ANTONYMS.get(ANTONYMS[word]) != word} == {"largest", "open"}


LONG = (
    "The islands were seized by the Soviet Union in 1945. Japan still claims the four southern islands. "
    "Talks on a peace treaty stalled in 2019. Fishing boats from Hokkaido are often detained."
)


def test_answer_removed_cuts_every_sentence_that_holds_the_answer_and_nothing_else():
    source = example("e", "When did the Soviet Union seize the islands?", LONG, "1945")
    negative = answer_removed(source, FACTS, random.Random(0))
    assert negative is not None and negative.is_impossible
    assert "1945" not in negative.context and "Soviet" not in negative.context
    assert negative.context == (
        "Japan still claims the four southern islands. Talks on a peace treaty stalled in 2019. "
        "Fishing boats from Hokkaido are often detained."
    )


def test_answer_removed_refuses_when_what_is_left_may_still_answer():
    repeated = LONG + " The year 1945 is remembered in Moscow."
    assert (
        answer_removed(example("f", "When did the Soviet Union seize the islands?", repeated, "1945"), FACTS, None)
        is None
    )
    reworded = LONG + " In the last days of the war Soviet troops came to seize the islands."
    question = "When did Soviet troops seize the islands?"
    assert answer_removed(example("g", question, reworded, "1945"), FACTS, None) is None
    assert answer_removed(example("h", "Who signed the treaty?", P1, "Shigeru Yoshida"), FACTS, None) is None


def test_make_negatives_is_deterministic_and_labels_each_negative_with_the_rule_that_made_it():
    first = make_negatives(EXAMPLES * 10, perturb_rate=1.0, paragraph_rate=1.0, seed=3)
    assert first == make_negatives(EXAMPLES * 10, perturb_rate=1.0, paragraph_rate=1.0, seed=3)
    assert {n.rule for n in first} == {"entity_swap", "antonym", "other_paragraph"}
    source = {e.id: e for e in EXAMPLES}
    for n in first:  # a question rule edits the question in its own paragraph; a paragraph rule does the opposite
        edited = n.example.question != source[n.source_id].question
        moved = n.example.context != source[n.source_id].context
        assert (edited, moved) == ((True, False) if n.rule in {"entity_swap", "antonym"} else (False, True))
    # negation is the question rule of last resort: taken where no antonym or entity of the article fits
    plain = [example("e", "What is the climate like?", P3, "Etorofu")]
    assert [n.rule for n in make_negatives(plain, perturb_rate=1.0, paragraph_rate=0.0, seed=3)] == ["negation"]
    assert all(n.example.is_impossible and n.source_id in {"a", "b", "c", "d"} for n in first)
    assert make_negatives(EXAMPLES, perturb_rate=0.0, paragraph_rate=0.0, seed=3) == []
    removed = make_negatives(
        [example("e", "When did the Soviet Union seize the islands?", LONG, "1945")], 0.0, 0.0, 3, 1.0
    )
    assert [n.rule for n in removed] == ["answer_removed"]


def test_similar_paragraph_takes_the_paragraph_most_like_the_question_that_lacks_the_answer():
    question = "How many Russian troops are stationed on the disputed islands?"
    own = "About 3,500 Russian troops are stationed on the disputed islands."
    answering = "Russia keeps 3,500 soldiers there."  # holds the gold answer: never a negative
    near = "Russian warships sailed near the islands. Tokyo protested."  # shares russian, islands
    far = "Russian gas flows to Japan."  # shares russian only
    off = "Sanctions were announced in March."  # shares nothing
    examples = [example("q", question, own, "3,500")] + [
        example(f"x{i}", "What happened?", text, text.split()[0]) for i, text in enumerate([answering, far, near, off])
    ]
    negative = similar_paragraph(examples[0], ArticleFacts(examples), random.Random(0))
    assert negative is not None and negative.is_impossible and negative.context == near
    assert negative.question == question and negative.id == "q-sim"


def test_similar_paragraph_passes_over_what_may_answer_in_other_words_and_what_is_off_topic():
    question = "How many Russian troops are stationed on the disputed islands?"
    own = "About 3,500 Russian troops are stationed on the disputed islands."
    reworded = "Some three and a half thousand Russian troops are stationed on the disputed islands."
    off = "Sanctions were announced in March."
    examples = [example("q", question, own, "3,500")] + [
        example(f"x{i}", "What happened?", text, text.split()[0]) for i, text in enumerate([reworded, off])
    ]
    assert similar_paragraph(examples[0], ArticleFacts(examples), random.Random(0)) is None


def test_make_negatives_pairs_the_similar_paragraph_only_when_asked():
    made = make_negatives(EXAMPLES, perturb_rate=0.0, paragraph_rate=0.0, seed=3, similar_rate=1.0)
    assert made and {n.rule for n in made} == {"similar_paragraph"}
    sources = {e.id: e for e in EXAMPLES}
    for n in made:
        source = sources[n.source_id]
        assert n.example.context != source.context
        assert all(answer.text not in n.example.context for answer in source.answers)
    assert make_negatives(EXAMPLES, perturb_rate=0.0, paragraph_rate=0.0, seed=3) == []


MAYOW = (
    "In the late 17th century, Robert Boyle proved that air is necessary for combustion. "
    "English chemist John Mayow refined this work by showing that fire requires only a part of air."
)


def test_paragraph_swap_puts_in_a_name_the_paragraph_holds_outside_the_answers_sentence():
    source = example("m", "What did Robert Boyle prove that air is necessary for?", MAYOW, "combustion")
    negative = paragraph_swap(source, ArticleFacts([source]), random.Random(0))
    assert negative is not None and negative.is_impossible and negative.context == MAYOW
    assert negative.question == "What did John Mayow prove that air is necessary for?"
    assert negative.id == "m-pswap"


def test_paragraph_swap_refuses_when_the_other_name_may_be_answered_too():
    # the second sentence says much the same of Mayow, so the swapped question would still be answered
    both = MAYOW.replace("refined this work by showing that fire requires only a part of air", "held air necessary")
    source = example("m", "What did Robert Boyle prove that air is necessary for?", both, "combustion")
    assert paragraph_swap(source, ArticleFacts([source]), random.Random(0)) is None
    # nothing of the question's is in the answer's sentence, or nothing of its kind elsewhere: no swap
    assert paragraph_swap(EXAMPLES[2], FACTS, random.Random(0)) is None
    assert paragraph_swap(EXAMPLES[0], FACTS, random.Random(0)) is None


def test_make_negatives_swaps_within_the_paragraph_only_when_asked():
    source = example("m", "What did Robert Boyle prove that air is necessary for?", MAYOW, "combustion")
    made = make_negatives([source], perturb_rate=0.0, paragraph_rate=0.0, seed=3, swap_rate=1.0)
    assert [n.rule for n in made] == ["paragraph_swap"] and made[0].source_id == "m"
    assert make_negatives([source], perturb_rate=0.0, paragraph_rate=0.0, seed=3) == []
