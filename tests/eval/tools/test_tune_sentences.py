from eval.tools.tune_sentences import SentenceTrial, best_floor


def trial(confidence: float, without: float, with_sentence: float) -> SentenceTrial:
    return SentenceTrial("q", "why", confidence, without, with_sentence)


def test_floor_keeps_the_sentences_that_gain_and_drops_those_that_cost():
    trials = [trial(0.05, 1.0, 0.0), trial(0.10, 1.0, 0.0), trial(0.30, 0.0, 0.6), trial(0.50, 0.0, 0.4)]
    floor, total = best_floor(trials)
    assert floor == 0.30 and abs(total - 3.0) < 1e-9  # the two refusals kept, the two sentences given


def test_floor_is_lowest_when_every_sentence_gains_and_above_all_when_none_does():
    assert best_floor([trial(0.01, 0.0, 0.5), trial(0.2, 0.0, 0.3)])[0] <= 0.01  # every sentence given
    floor, total = best_floor([trial(0.01, 1.0, 0.0), trial(0.9, 1.0, 0.2)])
    assert floor > 0.9 and total == 2.0


def test_ties_go_to_the_higher_floor():
    assert best_floor([trial(0.2, 0.5, 0.5)])[0] > 0.2
