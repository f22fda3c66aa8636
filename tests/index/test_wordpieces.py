"""Word pieces read with ``tokenizers`` alone: the ids, types and offsets transformers' fast tokenizer gives."""

import threading
from pathlib import Path

import pytest

from index.encoder import encoder_dir
from index.errors import QAError
from index.wordpieces import WordPieces, pad_rows
from qa.corpus import BUNDLED_QUESTIONS
from qa.modeling import SHIPPED_READER
from qa.squad import load_examples

ARTICLE = (Path(__file__).resolve().parents[2] / "qa" / "data" / "article.txt").read_text(encoding="utf-8")
QUESTIONS = [e.question for e in load_examples(BUNDLED_QUESTIONS)][:6]
LONG = "Why did Russia call Japan's protest over the drills near the Kuril Islands unfriendly? " * 30


@pytest.fixture(scope="module", params=["encoder", "reader"])
def both(request):
    """Ours and transformers' tokenizer, for the embedder's directory and the reader's."""
    from transformers import AutoTokenizer

    directory = encoder_dir() if request.param == "encoder" else SHIPPED_READER
    return WordPieces(directory), AutoTokenizer.from_pretrained(str(directory), local_files_only=True)


def test_question_and_context_windows_are_transformers_ones(both):
    ours, theirs = both
    windows = ours.encode_pairs(QUESTIONS[:2], [ARTICLE, ARTICLE[:300]], max_length=128, stride=32)
    expected = theirs(
        QUESTIONS[:2],
        [ARTICLE, ARTICLE[:300]],
        truncation="only_second",
        max_length=128,
        stride=32,
        return_overflowing_tokens=True,
        return_offsets_mapping=True,
    )
    assert len(windows) == len(expected["input_ids"]) > 10  # the article overflows into many windows
    for i, (pair, encoding) in enumerate(windows):
        assert pair == expected["overflow_to_sample_mapping"][i]
        assert encoding.ids == expected["input_ids"][i]
        assert encoding.type_ids == expected["token_type_ids"][i]
        assert encoding.offsets == [tuple(o) for o in expected["offset_mapping"][i]]
        assert encoding.sequence_ids == expected.sequence_ids(i)


def test_texts_are_cut_and_counted_as_transformers_does(both):
    ours, theirs = both
    texts = [*QUESTIONS, LONG]
    expected = theirs(texts, truncation="longest_first", max_length=256)
    assert [e.ids for e in ours.encode(texts, 256)] == expected["input_ids"]
    plain = theirs(texts, add_special_tokens=False, return_offsets_mapping=True)
    assert ours.offsets(texts) == [[tuple(o) for o in row] for row in plain["offset_mapping"]]
    assert [ours.count(t) for t in texts] == [len(row) for row in plain["input_ids"]]
    assert ours.count(LONG) > 512 and ours.vocab_size == theirs.vocab_size == 30522


def test_the_padding_and_truncation_saved_in_the_file_are_not_applied():
    tokenizer = WordPieces(encoder_dir())  # its tokenizer.json pads and cuts everything to 128 pieces
    assert tokenizer.count(LONG) > 128
    assert len(tokenizer.encode(["Who?"], 256)[0].ids) == 4  # [CLS] who ? [SEP], no padding


def test_each_way_of_cutting_keeps_its_own_settings_across_threads():
    tokenizer = WordPieces(encoder_dir())
    expected = {64: [len(e.ids) for _, e in tokenizer.encode_pairs(["Who?"], [ARTICLE], 64, 16)]}
    expected[256] = [len(e.ids) for e in tokenizer.encode([LONG], 256)]
    seen, failures = [], []

    def work(width: int) -> None:
        for _ in range(30):
            if width == 64:
                got = [len(e.ids) for _, e in tokenizer.encode_pairs(["Who?"], [ARTICLE], 64, 16)]
            else:
                got = [len(e.ids) for e in tokenizer.encode([LONG], 256)]
            (seen if got == expected[width] else failures).append(width)

    threads = [threading.Thread(target=work, args=(w,)) for w in (64, 256, 64, 256)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and len(seen) == 120


def test_a_missing_or_broken_tokenizer_is_a_clear_error(tmp_path):
    with pytest.raises(QAError, match="no usable tokenizer.json"):
        WordPieces(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{not json")
    with pytest.raises(QAError, match="no usable tokenizer.json"):
        WordPieces(tmp_path)


def test_saving_copies_the_tokenizer_beside_a_model(tmp_path):
    WordPieces(SHIPPED_READER).save(tmp_path)
    assert WordPieces(tmp_path).encode_pairs(["Who?"], [ARTICLE], 64, 16)[0][1].ids[:3] == [101, 2040, 1029]


def test_rows_are_padded_to_the_longest_with_a_mask():
    ids, types, mask = pad_rows([[101, 7, 102], [101, 102]], [[0, 0, 0], [0, 0]])
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0]]
    assert types.tolist() == [[0, 0, 0], [0, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
