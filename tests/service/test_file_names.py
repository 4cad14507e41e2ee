"""Uploaded file names as stored and shown (service/file_names.py): a base name, valid text, no control."""

import unicodedata

from ancols_nlp.service.file_names import MAX_CHARS, display_name


def test_a_path_keeps_its_base_name_whichever_the_separator():
    assert display_name("../../etc/passwd.txt") == "passwd.txt"
    assert display_name("C:\\Users\\agent\\Rapport définitif.pdf") == "Rapport définitif.pdf"


def test_control_and_format_characters_are_dropped_and_whitespace_made_one_space():
    assert display_name("rapport\x1b[2J\x00.txt") == "rapport[2J.txt"
    assert display_name("réponse\n\tOPH  2017.docx") == "réponse OPH 2017.docx"
    assert display_name("rapport\u202etxt.exe") == "rapporttxt.exe"  # no right-to-left override to disguise it


def test_accents_typed_as_combining_marks_are_stored_composed():
    typed = unicodedata.normalize("NFD", "Contrôle évaluation.pdf")
    assert typed != "Contrôle évaluation.pdf" and display_name(typed) == "Contrôle évaluation.pdf"


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = display_name("Rapport définitif de contrôle " * 40 + ".docx")
    assert len(name) <= MAX_CHARS and name.endswith(".docx") and name.startswith("Rapport définitif")


def test_a_name_read_from_disk_in_windows_1252_is_decoded():
    on_disk = b"rapport-\xe9t\xe9 2016.txt".decode("utf-8", "surrogateescape")  # as os.fsdecode gives it
    assert display_name(on_disk) == "rapport-été 2016.txt"
    assert display_name("rapport-\ud800.txt").encode("utf-8")  # a surrogate no byte stands for


def test_nothing_left_is_named_upload():
    assert display_name(None) == display_name("\x00\x1b") == display_name(" / ") == "upload"
