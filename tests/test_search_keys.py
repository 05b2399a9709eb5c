"""Search keys (cpkb.text.search_keys) and the glossary's variants: no build needed."""

from __future__ import annotations

from cpkb.source import handbook
from cpkb.source.problems import Problem
from cpkb.text.search_keys import STOP_WORDS, fold, phrase_keys, query_keys, search_keys, synonym_forms

from conftest import ROOT


def test_fold_and_phrase_keys():
    assert fold("Tiết kiệm ĐIỆN") == "tiet kiem dien"
    assert phrase_keys("Lắp biến tần cho bơm") == [
        "zzlapbientancho",
        "zzbientanchobom",
        "zztanchobom",
        "zzchobom",
        "zzbom",
    ]
    assert phrase_keys("lò hơi\nbã mía") == ["zzlohoi", "zzhoi", "zzbamia", "zzmia"], "no key across a line break"


def test_a_query_is_its_keys_four_words_at_a_time_and_finds_its_words_in_sequence():
    keys = phrase_keys("Thu hồi nước ngưng về lò hơi")
    assert query_keys("thu hoi nuoc ngung ve lo") == ["zzthuhoinuocngung", "zzvelo"]
    # Pagefind matches a query key as a prefix of a page key: every key of a
    # query in sequence is then the start of some key of the page.
    for query in ("thu hoi nuoc ngung ve lo hoi", "nuoc ngung", "ngung ve lo", "lò hơi"):
        assert all(any(k.startswith(q) for k in keys) for q in query_keys(query)), query
    assert not any(k.startswith(q) for k in keys for q in query_keys("nuoc lo"))  # not in sequence


def test_synonyms_match_with_diacritics_only():
    terms = [("bẫy hơi", "steam trap"), ("biến tần", "VSD", "VFD")]
    assert synonym_forms("giảm bay hơi của dịch", terms) == []  # evaporation, not a steam trap
    assert synonym_forms("lắp biến tần", terms) == ["biến tần", "VSD", "VFD"]


def test_english_keys_skip_the_small_words_people_leave_out():
    stop = STOP_WORDS["en"]
    keys = phrase_keys("Return condensate to the boiler", stop)
    assert (
        query_keys("return condensate boiler", stop) == ["zzreturncondensateboiler"]
        and "zzreturncondensateboiler" in keys
    )
    assert not STOP_WORDS["vi"], "unaccented Vietnamese short words collide (cua: của, cua)"


def test_synonyms_of_a_title_term_rank_with_the_title_those_of_the_body_after_it():
    terms = [("biến tần", "VSD"), ("thẩm thấu ngược", "RO")]
    title, other = search_keys("Lắp VSD cho quạt", "", "dùng màng thẩm thấu ngược", terms)
    assert {"zzbientan", "zzvsdchoquat", "zzvsd"} <= set(title.split())
    assert {"zzthamthaunguoc", "zzro"} <= set(other.split()) and "zzro" not in title.split()
    assert not any(not k.startswith("zz") for k in (title + " " + other).split()), "keys never look like words"


def test_glossary_variants_cover_the_abbreviations_engineers_type():
    terms = handbook.glossary(ROOT)
    forms = {f.lower() for t in terms for lang in ("vi", "en") for f in t.forms(lang)}
    for needed in ("vsd", "vfd", "cip", "mvr", "ro", "led", "economiser", "economizer", "biogas", "khí sinh học"):
        assert needed in forms, needed


def test_bad_variants_are_reported(tmp_path):
    path = tmp_path / "glossary.yml"
    path.write_text(
        '- term: {vi: "a", en: "a"}\n  variants: {vi: "not a list", fr: [x]}\n  definition: {vi: "d", en: "d"}\n',
        encoding="utf-8",
    )
    problems: list[Problem] = []
    handbook.load_glossary(path, tmp_path, problems)
    assert sorted(p.field for p in problems) == ["[0].variants.fr", "[0].variants.vi"]
