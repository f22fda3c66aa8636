import numpy as np
import pytest

from qa.decoding import confidence, snap_to_words, window_spans
from qa.windows import encode_windows


def _window(tokenizer, question="Who?", context="Fumio Kishida stressed dialogue with Russia."):
    return encode_windows(tokenizer, [question], [context])[0], context


def test_spans_stay_in_context_and_respect_order_and_length(tokenizer):
    window, context = _window(tokenizer)
    rng = np.random.default_rng(0)
    n = len(window.input_ids)
    spans = window_spans(rng.normal(size=n), rng.normal(size=n), window, max_answer_tokens=3)
    assert spans
    for span in spans:
        assert 0 <= span.start < span.end <= len(context)
        tokens = [
            t
            for t in range(window.context_start, window.context_end + 1)
            if window.offsets[t][0] >= span.start and window.offsets[t][1] <= span.end
        ]
        assert 1 <= len(tokens) <= 3
    assert [s.margin for s in spans] == sorted((s.margin for s in spans), reverse=True)


def test_margin_is_span_logit_minus_window_null_logit(tokenizer):
    window, context = _window(tokenizer)
    n = len(window.input_ids)
    starts, ends = np.zeros(n), np.zeros(n)
    last = next(t for t in range(n) if window.offsets[t][1] == len("Fumio Kishida"))
    starts[window.context_start], ends[last] = 5.0, 4.0
    starts[0], ends[0] = 1.0, 2.0  # no-answer logits
    best = window_spans(starts, ends, window)[0]
    assert context[best.start : best.end] == "Fumio Kishida"
    assert best.margin == pytest.approx(9.0 - 3.0)


def test_margin_ignores_a_shift_of_all_logits(tokenizer):
    """What makes scores comparable across windows: softmax logits are defined up to a shift."""
    window, _ = _window(tokenizer)
    rng = np.random.default_rng(1)
    n = len(window.input_ids)
    starts, ends = rng.normal(size=n), rng.normal(size=n)
    plain = window_spans(starts, ends, window)
    shifted = window_spans(starts + 7.0, ends - 3.0, window)
    assert [(s.start, s.end) for s in plain] == [(s.start, s.end) for s in shifted]
    assert [s.margin for s in plain] == pytest.approx([s.margin for s in shifted])


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("Prime Minister Fumio Kishida stressed", 16, 26, "Fumio Kishida"),  # "umio Kishi": cut inside two words
        ("troops, about 3,500 of them", 14, 20, "3,500"),  # trailing space and comma trimmed
        ("a 22.5 percent stake", 2, 14, "22.5 percent"),
        ("the U.S. ambassador", 4, 8, "U.S."),  # an abbreviation keeps its period
        ("Abe resigned in 2020.", 16, 21, "2020"),  # a sentence-final period goes
        ("his (former) office", 4, 11, "former"),  # a bracket that is not closed inside goes
    ],
)
def test_snap_to_words(text, start, end, expected):
    s, e = snap_to_words(text, start, end)
    assert text[s:e] == expected


def test_confidence_is_a_probability_centred_on_zero_margin():
    assert confidence(0.0) == 0.5
    assert 0.0 < confidence(-1000.0) < confidence(-1.0) < 0.5 < confidence(1.0) < confidence(1000.0) <= 1.0
