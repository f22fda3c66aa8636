"""Words of substance: function words dropped, words of any script kept."""

from qa.words import content_words


def test_function_words_go_and_subject_words_stay():
    assert content_words("Who is the Prime Minister of Japan?") == {"prime", "minister", "japan"}


def test_words_of_other_scripts_are_words_too():
    assert content_words("Кто премьер-министр Японии?") == {"кто", "премьер", "министр", "японии"}
    assert content_words("日本の首相は誰ですか？") == {"日本の首相は誰ですか"}  # no spaces: one word, but not nothing
