from pathlib import Path

from index.chunker import Chunker
from index.records import Document
from index.sentences import body_end, split_sentences

ARTICLE_PATH = Path(__file__).resolve().parents[2] / "qa" / "data" / "article.txt"
ARTICLE = Document("article.txt", ARTICLE_PATH.read_text(encoding="utf-8"))


def assert_exact(chunks, document, first_id=0):
    assert [c.id for c in chunks] == list(range(first_id, first_id + len(chunks)))
    for c in chunks:
        assert c.source == document.name
        assert c.text == document.text[c.start : c.end] == c.text.strip() != ""


def test_tokenizer_is_loaded_lazily():
    chunker = Chunker()
    assert chunker.tokenizer is None
    assert [c.text for c in chunker.chunk(Document("a.txt", "Hello there. Bye now."))] == ["Hello there. Bye now."]
    assert chunker.tokenizer is not None


def test_article_chunks_are_exact_whole_sentences_within_budget(tokenizer):
    chunks = Chunker(tokenizer=tokenizer).chunk(ARTICLE, first_id=7)
    assert_exact(chunks, ARTICLE, first_id=7)
    assert len(chunks) > 3
    sentences = split_sentences(ARTICLE.text, 0, body_end(ARTICLE.text))
    starts, ends = {s for s, _ in sentences}, {e for _, e in sentences}
    for c in chunks:
        assert c.start in starts and c.end in ends
        assert tokenizer.count(c.text) <= Chunker.max_tokens
    assert chunks[0].start == 0
    assert chunks[-1].end == sentences[-1][1]
    assert all("Leave a Reply" not in c.text and "email address" not in c.text for c in chunks)


def test_consecutive_chunks_share_one_sentence(tokenizer):
    chunks = Chunker(max_tokens=120, overlap_sentences=1, tokenizer=tokenizer).chunk(ARTICLE)
    sentences = split_sentences(ARTICLE.text, 0, body_end(ARTICLE.text))
    for left, right in zip(chunks, chunks[1:]):
        shared = [s for s in sentences if left.start <= s[0] and s[1] <= left.end and right.start <= s[0]]
        assert len(shared) == 1 and shared[0] == (right.start, left.end)


def test_no_overlap_when_disabled(tokenizer):
    chunks = Chunker(max_tokens=120, overlap_sentences=0, tokenizer=tokenizer).chunk(ARTICLE)
    assert all(left.end <= right.start for left, right in zip(chunks, chunks[1:]))
    sentences = split_sentences(ARTICLE.text, 0, body_end(ARTICLE.text))
    assert sum(len(split_sentences(ARTICLE.text, c.start, c.end)) for c in chunks) == len(sentences)


def test_long_sentences_are_split_at_word_boundaries(tokenizer):
    chunks = Chunker(max_tokens=20, overlap_sentences=0, tokenizer=tokenizer).chunk(ARTICLE)
    assert_exact(chunks, ARTICLE)
    assert all(tokenizer.count(c.text) <= 20 for c in chunks)
    sentence_starts = {s for s, _ in split_sentences(ARTICLE.text)}
    assert all(c.start in sentence_starts or ARTICLE.text[c.start - 1].isspace() for c in chunks)
    sentence = "Washington\u2019s broad coalition campaign"
    pieces = [c for c in chunks if c.start >= ARTICLE.text.index(sentence)][:2]
    assert pieces[0].text.startswith(sentence) and not pieces[0].text.endswith(".")
    assert " ".join(p.text for p in pieces).endswith("the Wall Street Journal reported.")
    squeezed = "".join(ARTICLE.text[: body_end(ARTICLE.text)].split())
    assert "".join("".join(c.text.split()) for c in chunks) == squeezed  # pieces tile the body, nothing lost


def test_a_huge_word_is_cut_between_tokens(tokenizer):
    document = Document("url.txt", "See " + "-".join(["segment"] * 100) + " now.")
    chunks = Chunker(max_tokens=50, overlap_sentences=0, tokenizer=tokenizer).chunk(document)
    assert_exact(chunks, document)
    assert chunks[0].text == "See" and chunks[-1].text == "now."
    assert [tokenizer.count(c.text) for c in chunks[1:-1]] == [50, 50, 50, 49]
    assert "".join(c.text for c in chunks) == document.text.replace(" ", "")


def test_document_of_only_boilerplate_has_no_chunks(tokenizer):
    assert Chunker(tokenizer=tokenizer).chunk(Document("empty.txt", "Leave a Reply\n\nShare this:")) == []


def test_each_chunk_keeps_the_headings_it_starts_under(tokenizer):
    from index.loaders import load_text

    sections = "\n\n".join(f"## Part {n}\n\n" + f"Sentence {n} says something about part {n}. " * 12 for n in (1, 2))
    document = load_text("guide.md", f"# Guide\n\n{sections}\n".encode(), ".md")
    chunks = Chunker(max_tokens=40, tokenizer=tokenizer).chunk(document)
    assert_exact(chunks, document)
    assert {c.headings for c in chunks} == {("Guide",), ("Guide", "Part 1"), ("Guide", "Part 2")}
    for chunk in chunks:
        assert chunk.headings == document.heading_path(chunk.start)
    assert all(c.headings == () for c in Chunker(tokenizer=tokenizer).chunk(ARTICLE))


def test_the_chunker_counts_with_the_embedders_own_word_pieces():
    from index.embedder import Embedder

    chunker = Chunker()
    chunker.chunk(Document("a.txt", "One sentence here. And another one."))
    assert chunker.tokenizer is Embedder().tokenizer  # one tokenizer per process, not one per component
