from qa.features import build_features, label_window
from qa.squad import GoldAnswer, QAExample
from qa.windows import encode_windows

CONTEXT = " ".join(f"Sentence number {i} talks about nothing much." for i in range(60)) + (
    " Japanese trading companies Mitsui And Mitsubishi have a combined 22.5 percent stake in the project."
)
ANSWER = "22.5 percent"


def _example():
    return QAExample("q1", "What is the combined stake?", CONTEXT, (GoldAnswer(ANSWER, CONTEXT.index(ANSWER)),), "t")


def test_answer_tokens_map_back_to_the_exact_answer_characters(tokenizer):
    windows = encode_windows(tokenizer, [_example().question], [CONTEXT], max_length=128, stride=32)
    assert len(windows) > 3
    start = CONTEXT.index(ANSWER)
    labelled = [(w, label_window(w, start, start + len(ANSWER))) for w in windows]
    holding = [(w, span) for w, span in labelled if span != (0, 0)]
    assert holding
    for window, (s, e) in holding:
        assert CONTEXT[window.offsets[s][0] : window.offsets[e][1]] == ANSWER
        assert window.context_start <= s <= e <= window.context_end


def test_windows_without_the_answer_are_labelled_no_answer(tokenizer):
    features = build_features(tokenizer, [_example()], max_length=128, stride=32)
    labels = [(f.start, f.end) for f in features]
    assert 0 < labels.count((0, 0)) < len(features)  # some windows hold the answer, some do not
    assert labels[-1] != (0, 0)  # the answer is at the very end of the context
    assert all(len(f.input_ids) <= 128 for f in features)


def test_unanswerable_examples_are_no_answer_everywhere(tokenizer):
    example = QAExample("q2", "Who?", CONTEXT, (), "t")
    assert {(f.start, f.end) for f in build_features(tokenizer, [example], 128, 32)} == {(0, 0)}


def test_an_over_long_question_is_cut_so_the_context_keeps_the_window(tokenizer):
    question = "Why did the Prime Minister of Japan stress dialogue with Russia? " * 20
    windows = encode_windows(tokenizer, [question], [CONTEXT], max_length=128, stride=32)
    assert windows and all(w.context_start == 1 + 64 + 1 for w in windows)  # [CLS], 64 question pieces, [SEP]
    assert windows[-1].offsets[windows[-1].context_end][1] == len(CONTEXT)  # every word of the context is read
