"""Rendering of hand-built records: these test the HTML, not the model."""

import re
from dataclasses import replace
from html import unescape
from urllib.parse import parse_qs

from index.records import Chunk, Document, Passage
from qa.answer import SENTENCE, Answer, Result
from ui.overview import Summary
from ui.render import (
    CLOSEST_PASSAGES,
    CONTEXT_CHARS,
    VIEWER_CHARS,
    notice_html,
    question_html,
    reply_html,
    sources_html,
    viewer_html,
)

CONTEXT = "Tokyo says it has lodged a protest. Prime Minister Fumio Kishida stressed dialogue with Russia."


def make_answer(text: str, context: str = CONTEXT, score: float = 0.93, source: str = "article.txt") -> Answer:
    start = context.index(text)
    return Answer(text, score, 1000 + start, 1000 + start + len(text), source, context, start)


def make_passage(text: str, source: str = "article.txt", rank: int = 0) -> Passage:
    return Passage(Chunk(rank, source, text, 0, len(text)), 0.5, rank)


def answered(answer: Answer, *others: Answer) -> Result:
    return Result("q?", answer, [answer, *others], [make_passage(answer.context)], threshold=0.5)


def marked(html: str) -> list[str]:
    return re.findall(r"<mark[^>]*>(.*?)</mark>", html, re.DOTALL)


def test_answer_is_quoted_with_confidence_and_source():
    html = reply_html(answered(make_answer("Fumio Kishida")))
    assert "“Fumio Kishida”" in html
    assert "high confidence 0.93" in html
    assert "article.txt" in html


def test_answer_is_highlighted_inside_its_passage():
    html = reply_html(answered(make_answer("Fumio Kishida")))
    assert marked(html) == ["Fumio Kishida"]
    assert "lodged a protest. Prime Minister <mark>Fumio Kishida</mark> stressed dialogue" in html


def test_document_text_is_escaped_everywhere():
    context = 'Before <script>alert("x")</script> the <b>answer</b> & after.'
    answer = make_answer("<b>answer</b> &", context, source="<img src=x onerror=alert(1)>.txt")
    html = reply_html(answered(answer))
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert marked(html) == ["&lt;b&gt;answer&lt;/b&gt; &amp;"]


def test_reply_is_one_html_block_so_markdown_leaves_it_alone():
    context = "# Not a heading\n\n*not emphasis* and [not](a link)\n\nThe answer is 42.\n\n- not a list"
    html = reply_html(answered(make_answer("42", context)))
    assert "\n" not in html
    assert html.startswith("<div") and html.endswith("</div>")
    assert "# Not a heading — *not emphasis* and [not](a link) The answer is <mark>42</mark>" in html


def test_long_passage_is_cut_at_words_around_the_answer():
    words = " ".join(f"word{i}" for i in range(400))
    context = f"{words} the answer here {words}"
    html = reply_html(answered(make_answer("the answer here", context)))
    passage = re.search(r'<p class="qa-passage">(.*?)</p>', html).group(1)
    before, after = passage.split("<mark>the answer here</mark>")
    assert before.startswith("… word") and after.endswith("…")
    assert len(before) <= CONTEXT_CHARS + 2 and len(after) <= CONTEXT_CHARS + 2
    assert re.fullmatch(r"… (word\d+ )+", before) and re.fullmatch(r"( word\d+)+…", after)  # whole words only


def test_other_candidates_are_listed_without_the_answer():
    context = "Alpha Beta Gamma Delta Epsilon"
    best, *others = (
        make_answer(word, context, score) for word, score in zip(context.split(), (0.9, 0.5, 0.4, 0.3, 0.2))
    )
    html = reply_html(answered(best, *others))
    listed = re.findall(r"<li>“(.*?)”", html)
    assert listed == ["Beta", "Gamma", "Delta"]  # the best three after the answer; Epsilon is left out
    # a runner-up says something else than the answer: at most what the answer's 0.90 leaves
    assert "“Beta” (low confidence 0.10, <em>article.txt</em>)" in html
    unsure = reply_html(answered(make_answer("Alpha", context, 0.6), make_answer("Beta", context, 0.3)))
    assert "“Beta” (low confidence 0.30," in unsure


def test_runners_up_of_little_words_are_left_out():
    context = "Russia sent more than 20 warships, the ministry said."
    html = reply_html(answered(make_answer("20", context, 0.9), make_answer("more", context, 0.05),
                               make_answer("the", context, 0.04), make_answer("ministry", context, 0.03)))  # fmt: skip
    assert re.findall(r"<li>“(.*?)”", html) == ["ministry"]


def test_single_candidate_shows_no_candidate_list():
    assert "Other candidates" not in reply_html(answered(make_answer("Fumio Kishida")))


def test_a_silent_document_is_said_plainly_with_the_closest_passages():
    guess = make_answer("Tokyo", score=0.02)
    passages = [make_passage(f"Passage number {i} text.", rank=i) for i in range(4)]
    html = reply_html(Result("q?", None, [guess], passages, threshold=0.5, refuse_below=0.1))
    assert "The document does not answer this question." in html
    shown = re.findall(r"Passage number (\d)", html)
    assert shown == [str(i) for i in range(CLOSEST_PASSAGES)]
    assert "<mark>" not in html and "Best guess" not in html


def test_a_guess_below_the_threshold_is_not_called_a_silent_document():
    long_context = "Filler words come first. " * 20 + "Tokyo says it has lodged a protest." + " More words follow." * 20
    guess = make_answer("Tokyo", context=long_context, score=0.21)
    passages = [make_passage("Passage text.")]
    html = reply_html(Result("q?", None, [guess], passages, threshold=0.5, refuse_below=0.1))
    assert "does not answer" not in html
    assert "No confident answer was found in the document" in html and "rephrasing" in html
    assert "Best guess: “Tokyo” (low confidence 0.21, below the 0.50 threshold)" in html
    assert "<mark>Tokyo</mark>" in html
    assert "Tokyo says it has lodged a protest." in _text_of(html)
    assert guess.context not in _text_of(html) and "…" in html  # the sentences around it, not the whole passage


def test_abstention_over_several_documents_speaks_of_documents():
    passages = [make_passage("One text.", "a.txt"), make_passage("Other text.", "b.md", rank=1)]
    html = reply_html(Result("q?", None, [], passages, threshold=0.5))
    assert "The documents do not answer this question." in html
    assert "Best guess" not in html


def test_long_question_is_shortened_with_its_length():
    html = question_html("why " * 2500)
    assert len(html) < 400
    assert "(10,000 characters)" in html and "…" in html


def test_short_question_is_shown_as_typed_but_escaped():
    assert question_html("Is 2 < 3 & *why*?") == '<div class="qa-question">Is 2 &lt; 3 &amp; *why*?</div>'


def test_notice_shows_each_line_escaped():
    html = notice_html("x.pdf: unsupported file type '.pdf'", "<nothing> indexed")
    assert re.findall(r"<p>(.*?)</p>", html) == [
        "x.pdf: unsupported file type &#x27;.pdf&#x27;",
        "&lt;nothing&gt; indexed",
    ]


def test_sources_say_what_each_document_is_about_and_open_it_escaped():
    notes = Summary("<b>notes</b>.md", "Team **notes**", "We meet on *Friday*.<script>")
    html = sources_html([notes, Summary("plain.txt", "", "")], "Your documents:")
    assert html.startswith('<div class="qa-sources"><p><strong>Your documents:</strong></p>')
    assert "<b>" not in html and "<script>" not in html and "&lt;b&gt;notes&lt;/b&gt;.md" in html
    assert '<span class="qa-title">Team **notes**</span>' in html  # a title is shown as the loader read it
    assert '<span class="qa-opening">We meet on Friday.&lt;script&gt;</span>' in html  # Markdown's markup hidden
    assert _links(html) == [("<b>notes</b>.md", "0", "0"), ("plain.txt", "0", "0")]  # open at the top
    assert "plain.txt</strong> <a" in html and "qa-title" not in html.split("plain.txt")[1]  # nothing empty


def _links(html: str) -> list[tuple[str, str, str]]:
    """(source, start, end) of each viewer link, as the page's script reads them."""
    found = []
    for href in re.findall(r'<a class="qa-open" href="#qa-open\?([^"]*)"', html):
        query = parse_qs(unescape(href))
        found.append((query["source"][0], query["start"][0], query["end"][0]))
    return found


def test_every_quote_links_to_its_exact_place_in_the_document():
    context = "Alpha Beta Gamma Delta"
    best, rival = make_answer("Beta", context, 0.9, source="a & b.txt"), make_answer("Gamma", context, 0.6)
    assert _links(reply_html(answered(best, rival))) == [
        ("a & b.txt", str(best.start), str(best.end)),
        ("article.txt", str(rival.start), str(rival.end)),
    ]
    guess = make_answer("Tokyo", score=0.2)
    unsure = Result("q?", None, [guess], [make_passage(CONTEXT)], threshold=0.5, refuse_below=0.1)
    assert _links(reply_html(unsure)) == [("article.txt", str(guess.start), str(guess.end))]
    passage = Passage(Chunk(0, "b.txt", "Some passage.", 40, 53), 0.5)
    silent = Result("q?", None, [], [passage], threshold=0.5)
    assert _links(reply_html(silent)) == [("b.txt", "40", "53")]  # a passage opens at its own place


def test_documents_that_disagree_each_show_their_answer_with_its_source():
    context = "The festival is held in Quentin Bay."
    mine = make_answer("Quentin Bay", context, 0.8, source="2024.txt")
    theirs = make_answer("Port Ellery", "The festival is held in Port Ellery.", 0.6, source="2025.txt")
    same_place = make_answer("Quentin", context, 0.7, source="2024.txt")
    unsure = make_answer("Lake Orm", "Some say Lake Orm.", 0.3, source="rumour.txt")
    html = reply_html(answered(mine, same_place, theirs, unsure))  # threshold 0.5
    assert '<p class="qa-elsewhere-lead">Another document gives a different answer:</p>' in html
    elsewhere = re.search(r'<ul class="qa-elsewhere">(.*?)</ul>', html).group(1)
    assert re.findall(r"<li>“(.*?)”", elsewhere) == ["Port Ellery"]  # a confident answer of another document
    assert "(high confidence 0.60, <em>2025.txt</em>)" in elsewhere
    others = re.search(r'<ul class="qa-others">(.*?)</ul>', html).group(1)
    assert re.findall(r"<li>“(.*?)”", others) == ["Lake Orm"]  # below the threshold: only a candidate
    assert "qa-elsewhere" not in reply_html(answered(mine, unsure))


def test_glued_sentences_are_shown_with_a_space_and_the_answer_keeps_its_offsets():
    context = "Russia is pressing Japan if Ukraine is invaded.Russia sent warships.”It is extremely tense, U.S. says."
    answer = make_answer("Russia sent warships.", context)
    html = reply_html(answered(answer))
    assert "if Ukraine is invaded. <mark>Russia sent warships.</mark>” It is extremely tense, U.S. says." in html
    assert context[answer.context_start : answer.context_start + len(answer.text)] == answer.text
    assert "“Russia sent warships.”" in html  # the quote itself gains no space


def test_the_viewer_shows_the_whole_document_with_the_quote_marked_at_its_offsets():
    text = "# Guide\n\nIntro <b>here</b>.Then **bold** words.\n\n## Setup\n\nRun it."
    document = Document("guide.md", text, headings=((0, 1, "Guide"), (text.index("## Setup"), 2, "Setup")))
    start = text.index("Run it")
    html = viewer_html(document, start, start + len("Run it"))
    assert '<p class="qa-viewer-place"><strong>guide.md, Guide › Setup, characters ' in html
    assert f"characters {start}-{start + 6}</strong>" in html
    assert marked(html) == ["Run it"]
    body = _text_of(html.split('<div class="qa-document">')[1])
    assert body == "Guide\n\nIntro <b>here</b>. Then bold words.\n\nSetup\n\nRun it."  # line breaks kept, escaped
    assert "<b>" not in html
    top = viewer_html(document, 0, 0)  # opened from the side panel: at the top, nothing marked
    assert marked(top) == [] and '<span id="qa-viewer-mark"></span>' in top and "<strong>guide.md <a" not in top


def test_the_viewer_cuts_a_huge_document_around_the_quote():
    text = "word " * (VIEWER_CHARS // 2) + "ANSWER" + " word" * (VIEWER_CHARS // 2)
    start = text.index("ANSWER")
    html = viewer_html(Document("big.txt", text), start, start + 6)
    body = _text_of(html.split('<div class="qa-document">')[1])
    assert body.startswith("…") and body.endswith("…") and len(body) == 2 * VIEWER_CHARS + 6 + 2
    assert marked(html) == ["ANSWER"]


def _text_of(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


def test_markdown_markup_is_left_out_of_what_is_shown_but_not_out_of_the_answer():
    context = (
        "## Install **now**\n\n| OS | Version |\n|----|----|\n| Ubuntu | **22.04** |\n\nSee [the docs](http://x.org)."
    )
    answer = make_answer("22.04", context, source="guide.md")
    html = reply_html(answered(answer))
    shown = _text_of(html)
    for markup in ("##", "**", "|", "](", "http://x.org"):
        assert markup not in shown
    assert "Install now — OS · Version — Ubuntu · 22.04 See the docs." in shown
    assert marked(html) == ["22.04"]
    bold = make_answer("**22.04**", context, source="guide.md")
    assert bold.text == "**22.04**"  # the answer still quotes the document
    assert "“22.04”" in reply_html(answered(bold))


def test_plain_text_keeps_its_symbols():
    context = "Use C# or F#. The score was 5 | 3, as *reported*."
    html = reply_html(answered(make_answer("5 | 3", context)))
    assert marked(html) == ["5 | 3"]
    assert "*reported*" in html


def test_the_source_shows_its_page_and_headings():
    answer = replace(make_answer("Fumio Kishida", source="report.pdf"), page=3, headings=("Politics", "Japan"))
    assert "source: <em>report.pdf, page 3, Politics › Japan</em>" in reply_html(answered(answer))
    passage = Passage(Chunk(0, "guide.md", "# Setup\n\nRun **it**.", 0, 19, ("Setup",)), 0.5)
    silent = Result("q?", None, [], [passage], threshold=0.5)
    assert "<em>guide.md, Setup</em>: Setup — Run it." in reply_html(silent)


def test_noise_candidates_are_hidden():
    context = "Prime Minister Fumio Kishida met Shinzo Abe and Yoshihide Suga."
    best = make_answer("Fumio Kishida", context, 0.9)
    part, rival, faint = make_answer("Kishida", context, 0.6), make_answer("Shinzo Abe", context, 0.4), None
    faint = make_answer("Yoshihide Suga", context, 0.01)
    result = Result("q?", best, [best, part, rival, faint], [make_passage(context)], threshold=0.5, refuse_below=0.05)
    assert re.findall(r"<li>“(.*?)”", reply_html(result)) == ["Shinzo Abe"]  # not a cut of the answer, not faint


def test_a_sentence_is_what_the_document_says_not_a_quoted_answer():
    sentence = "Prime Minister Fumio Kishida stressed dialogue with Russia."
    answer = replace(make_answer(sentence, score=0.05), kind=SENTENCE)
    html = reply_html(answered(answer))
    assert f'<p class="qa-says">The document says: &quot;{sentence}&quot;</p>' in html  # reply_text's wording
    assert "qa-answer" not in html and "“" not in html.split("qa-passage")[0]
    assert marked(html) == [sentence]
    assert "low confidence 0.05" in html  # below the 0.5 threshold of ``answered``


def test_a_follow_up_says_which_question_it_was_read_with():
    html = reply_html(answered(make_answer("Fumio Kishida")), follows="Who is the Prime Minister of Japan?")
    assert '<p class="qa-follows">A follow-up to “Who is the Prime Minister of Japan?”</p>' in html
    assert "qa-follows" not in reply_html(answered(make_answer("Fumio Kishida")))


def test_a_heading_does_not_run_into_the_passage_after_it():
    context = "## Setup\n\nRun the installer first.\nThen reboot.\n\nIt takes 5 minutes."
    html = reply_html(answered(make_answer("5 minutes", context, source="guide.md")))
    assert "Setup — Run the installer first. Then reboot. It takes <mark>5 minutes</mark>." in html


def test_a_runner_up_capped_below_the_refusal_floor_is_left_out():
    context = "Alpha Beta Gamma"
    sure, other = make_answer("Alpha", context, 0.995), make_answer("Beta", context, 0.3)
    result = Result("q?", sure, [sure, other], [make_passage(context)], threshold=0.5, refuse_below=0.01)
    assert "Other candidates" not in reply_html(result)  # at most 0.005 beside a 0.995 answer: under the floor
