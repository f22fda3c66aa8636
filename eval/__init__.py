"""Evaluation of the question-answering system: official SQuAD scores, retrieval metrics, reports."""
