"""Word and line differences between two versions of a case study."""

from casestudies.diff import Part, diff_lines, diff_words


def test_a_changed_word_is_removed_and_added_between_kept_text():
    assert diff_words("Der Hund bellt laut.", "Der Hund schläft laut.") == [
        Part("same", "Der Hund "), Part("removed", "bellt"), Part("added", "schläft"),
        Part("same", " laut.")]


def test_a_changed_phrase_reads_as_one_change_not_word_by_word():
    assert diff_words("eins zwei drei.", "vier fünf sechs.") == [
        Part("removed", "eins zwei drei"), Part("added", "vier fünf sechs"), Part("same", ".")]


def test_both_texts_can_be_read_back_from_the_parts():
    old, new = "Zwei Städte am Niederrhein und mehr.", "Krefeld und Venlo am Fluss und mehr."
    parts = diff_words(old, new)
    assert "".join(p.text for p in parts if p.op != "added") == old
    assert "".join(p.text for p in parts if p.op != "removed") == new


def test_equal_texts_have_no_change_and_empty_to_text_is_all_added():
    assert diff_words("Gleich.", "Gleich.") == [Part("same", "Gleich.")]
    assert diff_words("", "Neu hier") == [Part("added", "Neu hier")]


def test_lines_are_kept_removed_and_added():
    assert diff_lines(["a", "b", "c"], ["a", "c", "d"]) == [
        Part("same", "a"), Part("removed", "b"), Part("same", "c"), Part("added", "d")]
