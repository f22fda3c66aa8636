"""Unanswerable training questions made from answerable ones, after the SQuAD 2.0 literature.

There is no SQuAD 2.0 training set here, only SQuAD v1.1 (all answerable) and
SubjQA's 1,902 unanswerable review questions, so a reader trained on them
learns to quote *something* from any passage. Rajpurkar et al. (2018) and the
work on "plausible" negatives that followed made unanswerable questions by
small edits that keep a question on topic but break its link to the
paragraph. Each rule below makes one such question; the paragraph is kept,
and the result is labelled no-answer:

- ``entity_swap``: a number, year or capitalised name in the question becomes
  another of the same kind from the same article that the paragraph lacks;
- ``paragraph_swap``: a number, year or name of the question that the
  answer's sentence holds becomes another of the same kind that the paragraph
  holds elsewhere ("What did Robert Boyle prove air is necessary for?" becomes
  "What did John Mayow prove ...?", Mayow being named in the next sentence).
  Many of the tuning half's unanswerable questions that fool the
  reader are of this kind: every word is in the paragraph, only the relation
  is wrong. ``entity_swap``'s questions name what the paragraph lacks, which
  the reader learned to see;
- ``negation``: "not" added after the question's auxiliary verb (or removed);
- ``antonym``: a word swapped for its opposite (first -> last, before -> after);
- ``other_paragraph``: the question paired with another paragraph of the same
  article that does not contain any of its gold answers;
- ``similar_paragraph``: the same, but the paragraph of the article that
  shares the most of the question's words. SQuAD 2.0's unanswerable questions
  are on topic for their paragraph; a random paragraph of the article often is
  not, and teaches the reader only to refuse what is plainly off topic;
- ``answer_removed``: the question over its own paragraph with every sentence
  that holds a gold answer cut out. The rest stays on topic, names the
  question's words and often its plausible distractors, which is what a
  retrieved passage next to the answer looks like to the reader.

Every rule is deterministic for a seed, and a rule that does not apply to a
question returns None rather than a weak example.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from index.sentences import split_sentences
from qa.squad import QAExample
from qa.words import content_words

_ANTONYM_PAIRS = [
    ("first", "last"),
    ("before", "after"),
    ("largest", "smallest"),
    ("biggest", "smallest"),
    ("most", "least"),
    ("more", "less"),
    ("highest", "lowest"),
    ("high", "low"),
    ("longest", "shortest"),
    ("oldest", "newest"),
    ("earliest", "latest"),
    ("early", "late"),
    ("best", "worst"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("maximum", "minimum"),
    ("north", "south"),
    ("northern", "southern"),
    ("east", "west"),
    ("eastern", "western"),
    ("above", "below"),
    ("inside", "outside"),
    ("won", "lost"),
    ("win", "lose"),
    ("major", "minor"),
    ("top", "bottom"),
    ("start", "end"),
    ("began", "ended"),
    ("open", "closed"),
    ("opened", "closed"),
    ("rich", "poor"),
    ("strong", "weak"),
    ("upper", "lower"),
    ("positive", "negative"),
    ("private", "public"),
    ("legal", "illegal"),
    ("allowed", "forbidden"),
    ("accepted", "rejected"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
    ("common", "rare"),
    ("popular", "unpopular"),
]
ANTONYMS = dict(_ANTONYM_PAIRS) | {b: a for a, b in _ANTONYM_PAIRS}
_AUXILIARIES = "is|are|was|were|did|does|do|can|could|has|have|had|will|would|should|might|must"
_NEGATABLE = re.compile(rf"^(\s*\w+(?:\s+\w+)?\s+)({_AUXILIARIES})(\s)", re.IGNORECASE)
_NEGATED = re.compile(rf"\b({_AUXILIARIES}) not\b|\b({_AUXILIARIES})n't\b", re.IGNORECASE)
_CONTRACTED = {
    "is": "isn't", "are": "aren't", "was": "wasn't", "were": "weren't", "did": "didn't", "does": "doesn't",
    "do": "don't", "can": "can't", "could": "couldn't", "has": "hasn't", "have": "haven't", "had": "hadn't",
    "will": "won't", "would": "wouldn't", "should": "shouldn't", "must": "mustn't",
}  # fmt: skip
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.,])\d+(?:\.\d+)?(?![\w.,])")
_NAME = re.compile(r"(?<![-\w])[A-Z][a-z]+(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][a-z]+)*")
_WORD = re.compile(r"[A-Za-z]+")
_MIN_SENTENCES_LEFT = 2  # a one-sentence remainder is a different paragraph, not one with its answer cut out
# A sentence left that shares more than this share of the question's content words may well answer it in other
# words ("Who took Chopin's heart to Poland?" is answered by the sentence after the one naming his sister).
_MAX_SHARED = 0.5


@dataclass(frozen=True)
class Negative:
    """An unanswerable example and the rule that made it (kept for the model card's sample)."""

    example: QAExample
    rule: str
    source_id: str


class ArticleFacts:
    """Numbers, years, names and paragraphs per article: what ``entity_swap`` and the paragraph rules draw on."""

    def __init__(self, examples: list[QAExample]):
        self.paragraphs: dict[str, list[str]] = defaultdict(list)
        for example in examples:
            if example.context not in self.paragraphs[example.title]:
                self.paragraphs[example.title].append(example.context)
        self._entities: dict[tuple[str, str], list[str]] = {}
        self._sentence_words: dict[str, list[set[str]]] = {}

    def entities(self, title: str, kind: str) -> list[str]:
        key = (title, kind)
        if key not in self._entities:
            found: set[str] = set()
            for paragraph in self.paragraphs[title]:
                found.update(_mentions(paragraph, kind))
            self._entities[key] = sorted(found)
        return self._entities[key]

    def sentence_words(self, paragraph: str) -> list[set[str]]:
        """The content words of each sentence of ``paragraph``, worked out once for all its article's questions."""
        if paragraph not in self._sentence_words:
            self._sentence_words[paragraph] = [
                content_words(paragraph[start:end]) for start, end in split_sentences(paragraph)
            ]
        return self._sentence_words[paragraph]

    def without_answers(self, example: QAExample) -> list[str]:
        """The other paragraphs of ``example``'s article that hold none of its gold answers."""
        return [
            p
            for p in self.paragraphs[example.title]
            if p != example.context and not any(a.text and a.text in p for a in example.answers)
        ]


def _mentions(text: str, kind: str) -> list[str]:
    if kind == "year":
        return _YEAR.findall(text)
    if kind == "number":
        return [m for m in _NUMBER.findall(text) if not _YEAR.fullmatch(m)]
    names = []
    for match in _NAME.finditer(text):
        if match.start() == 0 or text[match.start() - 2 : match.start()].strip() in {".", "?", "!"}:
            continue  # a sentence's first word is capitalised anyway: not evidence of a name
        names.append(match.group())
    return names


def entity_swap(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """Swap a year, number or name of the question for another of the article's that the paragraph lacks."""
    kinds = ["year", "number", "name"]
    rng.shuffle(kinds)
    for kind in kinds:
        mentions = _mentions(example.question, kind)
        if not mentions:
            continue
        old = rng.choice(mentions)
        pool = [
            e
            for e in facts.entities(example.title, kind)
            if e != old and e not in example.context and e not in example.question
        ]
        if pool:
            new = rng.choice(pool)
            return _edited(example, example.question.replace(old, new, 1), "swap")
    return None


def paragraph_swap(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """Swap a year, number or name the question shares with the answer's sentence for one the paragraph holds elsewhere.

    The new one must stay out of every sentence holding a gold answer and out of the answers themselves, and
    no sentence naming it may share more than ``_MAX_SHARED`` of the question's other content words: such a
    sentence may well say the same of it, and the question would still be answered.
    """
    spans = split_sentences(example.context)
    sentences = [example.context[start:end] for start, end in spans]
    answer_sentences = [text for text, (start, end) in zip(sentences, spans) if _holds_answer(example, start, end)]
    kinds = ["year", "number", "name"]
    rng.shuffle(kinds)
    for kind in kinds:
        mentions = [m for m in _mentions(example.question, kind) if any(m in s for s in answer_sentences)]
        if not mentions:
            continue
        old = rng.choice(mentions)
        asked = content_words(example.question) - content_words(old)
        pool = [
            e
            for e in sorted(set(_mentions(example.context, kind)))
            if e not in old
            and old not in e
            and e not in example.question
            and not any(e in s for s in answer_sentences)
            and not any(e in a.text or a.text in e for a in example.answers)
            and not any(
                e in text and len(asked & words) > _MAX_SHARED * len(asked)
                for text, words in zip(sentences, facts.sentence_words(example.context))
            )
        ]
        if pool:
            return _edited(example, example.question.replace(old, rng.choice(pool), 1), "pswap")
    return None


def negation(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """Remove a negation the question has, or add "not" after its leading auxiliary verb."""
    question = example.question
    match = _NEGATED.search(question)
    if match:
        aux = match.group(1) or match.group(2)
        return _edited(example, question[: match.start()] + aux + question[match.end() :], "neg")
    match = _NEGATABLE.match(question)
    if match:
        aux = match.group(2)
        negated = _CONTRACTED.get(aux.lower(), aux + " not")
        negated = negated[0].upper() + negated[1:] if aux[0].isupper() else negated
        return _edited(example, question[: match.start(2)] + negated + question[match.end(2) :], "neg")
    return None


def antonym(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """Replace one word that has a listed opposite, keeping its capitalisation."""
    words = [m for m in _WORD.finditer(example.question) if m.group().lower() in ANTONYMS]
    if not words:
        return None
    match = rng.choice(words)
    opposite = ANTONYMS[match.group().lower()]
    if match.group()[0].isupper():
        opposite = opposite.capitalize()
    question = example.question[: match.start()] + opposite + example.question[match.end() :]
    return _edited(example, question, "ant")


def other_paragraph(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """The question over another paragraph of its article that holds none of its gold answers."""
    others = facts.without_answers(example)
    if not others:
        return None
    return QAExample(f"{example.id}-par", example.question, rng.choice(others), (), example.title)


def similar_paragraph(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """The question over the paragraph of its article, lacking every gold answer, that shares most of its words.

    A paragraph with a sentence that shares more than ``_MAX_SHARED`` of the question's words may answer it in
    other words, so it is passed over, as in ``answer_removed``; one that shares none is not on topic.
    """
    asked = content_words(example.question)
    best, best_shared = None, 0
    for paragraph in facts.without_answers(example):
        sentences = facts.sentence_words(paragraph)
        if any(len(asked & words) > _MAX_SHARED * len(asked) for words in sentences):
            continue
        shared = len(asked & content_words(paragraph))
        if shared > best_shared:
            best, best_shared = paragraph, shared
    if best is None:
        return None
    return QAExample(f"{example.id}-sim", example.question, best, (), example.title)


def answer_removed(example: QAExample, facts: ArticleFacts, rng: random.Random) -> QAExample | None:
    """The question over its own paragraph less every sentence that holds (part of) a gold answer."""
    spans = split_sentences(example.context)
    kept = [(start, end) for start, end in spans if not _holds_answer(example, start, end)]
    if len(kept) < _MIN_SENTENCES_LEFT or len(kept) == len(spans):
        return None
    context = " ".join(example.context[start:end] for start, end in kept)
    if any(a.text in context for a in example.answers):
        return None  # the answer is said again elsewhere: the paragraph still answers
    asked = content_words(example.question)
    if any(len(asked & content_words(example.context[start:end])) > _MAX_SHARED * len(asked) for start, end in kept):
        return None
    return QAExample(f"{example.id}-cut", example.question, context, (), example.title)


def _holds_answer(example: QAExample, start: int, end: int) -> bool:
    """Whether ``example.context[start:end]`` holds (part of) a gold answer."""
    return any(a.start < end and start < a.start + len(a.text) for a in example.answers)


def _edited(example: QAExample, question: str, tag: str) -> QAExample | None:
    if question == example.question:
        return None
    return QAExample(f"{example.id}-{tag}", question, example.context, (), example.title)


_RULE_FUNCTIONS: dict[str, Callable[[QAExample, ArticleFacts, random.Random], QAExample | None]] = {
    "entity_swap": entity_swap,
    "paragraph_swap": paragraph_swap,
    "negation": negation,
    "antonym": antonym,
    "other_paragraph": other_paragraph,
    "similar_paragraph": similar_paragraph,
    "answer_removed": answer_removed,
}


def make_negatives(
    examples: list[QAExample],
    perturb_rate: float,
    paragraph_rate: float,
    seed: int,
    removal_rate: float = 0.0,
    similar_rate: float = 0.0,
    swap_rate: float = 0.0,
) -> list[Negative]:
    """Unanswerable questions for a share of the answerable examples.

    ``perturb_rate`` of them get one edited question (a rule drawn among those
    that apply, the rarer antonym and entity rules first when they do),
    ``paragraph_rate`` of them are also paired with another paragraph,
    ``removal_rate`` of them with their own paragraph less the answer's sentences,
    ``similar_rate`` of them with the article's paragraph most like the question,
    and ``swap_rate`` of them get a name, number or year swapped for another of their paragraph's.
    """
    facts = ArticleFacts(examples)
    rng = random.Random(seed)
    made = []
    for example in examples:
        if not example.answers:
            continue
        if rng.random() < perturb_rate:
            edits = ["antonym", "entity_swap"]
            rng.shuffle(edits)
            for rule in [*edits, "negation"]:
                negative = _RULE_FUNCTIONS[rule](example, facts, rng)
                if negative is not None:
                    made.append(Negative(negative, rule, example.id))
                    break
        if rng.random() < paragraph_rate:
            negative = other_paragraph(example, facts, rng)
            if negative is not None:
                made.append(Negative(negative, "other_paragraph", example.id))
        # no draw at rate 0, so earlier runs' seeds give the same negatives as before
        if removal_rate and rng.random() < removal_rate:
            negative = answer_removed(example, facts, rng)
            if negative is not None:
                made.append(Negative(negative, "answer_removed", example.id))
        if similar_rate and rng.random() < similar_rate:
            negative = similar_paragraph(example, facts, rng)
            if negative is not None:
                made.append(Negative(negative, "similar_paragraph", example.id))
        if swap_rate and rng.random() < swap_rate:
            negative = paragraph_swap(example, facts, rng)
            if negative is not None:
                made.append(Negative(negative, "paragraph_swap", example.id))
    return made
