"""``python -m eval.tools.carve_titles``: two disjoint halves of the titles, and each half's questions whole."""

import gzip
import json

import pytest

from eval.tools.carve_titles import carve, main
from qa.squad import QuestionSetError, load_examples


def _questions(path, titles):
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for t, title in enumerate(titles):
            for q in range(t + 1):
                record = {
                    "id": f"{title}-{q}",
                    "title": title,
                    "context": f"{title} was built in 19{q}0.",
                    "question": f"When was {title} built?",
                    "answers": [],
                    "is_impossible": True,
                    "source": "x",
                }
                out.write(json.dumps(record) + "\n")


def test_the_titles_are_split_alternately_in_sorted_order_into_disjoint_halves():
    train, tune = carve(["Rhine", "Amazon", "Force", "Warsaw", "Amazon"])
    assert train == ["Amazon", "Rhine"] and tune == ["Force", "Warsaw"]


def test_each_part_holds_every_question_of_its_titles_and_no_other(tmp_path, capsys):
    titles = ["Oxygen", "Force", "Rhine", "Geology", "Warsaw"]
    _questions(tmp_path / "q.jsonl.gz", titles)
    (tmp_path / "tune.txt").write_text("\n".join(titles) + "\n\n")
    main([str(tmp_path / "q.jsonl.gz"), "--titles", str(tmp_path / "tune.txt"), "--out", str(tmp_path / "carved")])
    train = (tmp_path / "carved" / "train_titles.txt").read_text().split()
    tune = (tmp_path / "carved" / "tune_titles.txt").read_text().split()
    assert train == ["Force", "Oxygen", "Warsaw"] and tune == ["Geology", "Rhine"]
    kept = load_examples(str(tmp_path / "carved" / "train.jsonl.gz"))
    assert {e.title for e in kept} == set(train)
    assert len(kept) == 2 + 1 + 5  # Force 2, Oxygen 1, Warsaw 5 questions: all of each article
    other = load_examples(str(tmp_path / "carved" / "tune.jsonl.gz"))
    assert {e.title for e in other} == set(tune) and len(other) == 4 + 3  # Geology 4, Rhine 3
    assert "3 articles to train on (8 questions), 2 to decide on (7)" in capsys.readouterr().out


def test_a_titles_file_that_matches_nothing_is_a_users_error(tmp_path):
    _questions(tmp_path / "q.jsonl.gz", ["Oxygen", "Force"])
    (tmp_path / "tune.txt").write_text("Rhine\nWarsaw\n")
    with pytest.raises(QuestionSetError, match="none of the 1 train titles"):
        main([str(tmp_path / "q.jsonl.gz"), "--titles", str(tmp_path / "tune.txt"), "--out", str(tmp_path / "c")])
