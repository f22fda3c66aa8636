"""The evaluation's modes and corpora, apart from the runner so that ``qa``'s parser names them without loading it.

Every ``qa`` command builds the whole parser; importing the runner for these two tuples would load its reports
and plots into a plain ``qa ask`` too.
"""

MODES = ("e2e", "reader")  # the first of MODES and of CORPORA is the default (qa eval --mode, --corpus)
CORPORA = ("file", "title")  # e2e retrieves over every context of the file, or over the question's article alone
