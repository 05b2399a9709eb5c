"""Search keys (cpkb.text.search_keys) and the glossary's variants: no build needed."""

from __future__ import annotations

from cpkb.source import handbook
from cpkb.source.problems import Problem
from cpkb.text.search_keys import fold, pairs, search_keys, synonym_forms

from conftest import ROOT


def test_fold_and_pairs():
    assert fold("Tiết kiệm ĐIỆN") == "tiet kiem dien"
    assert pairs("Lắp biến tần cho bơm") == ["lapbien", "bientan", "tancho", "chobom"]


def test_synonyms_match_with_diacritics_only():
    terms = [("bẫy hơi", "steam trap"), ("biến tần", "VSD", "VFD")]
    assert synonym_forms("giảm bay hơi của dịch", terms) == []  # evaporation, not a steam trap
    assert synonym_forms("lắp biến tần", terms) == ["biến tần", "VSD", "VFD"]


def test_multi_word_synonyms_add_pairs_not_loose_syllables():
    title, other = search_keys("Lắp VSD cho quạt", "", "", [("biến tần", "VSD")])
    assert "bientan" in other.split() and "bien" not in other.split()


def test_glossary_variants_cover_the_abbreviations_engineers_type():
    terms = handbook.glossary(ROOT)
    forms = {f.lower() for t in terms for lang in ("vi", "en") for f in t.forms(lang)}
    for needed in ("vsd", "vfd", "cip", "mvr", "ro", "led", "economiser", "economizer", "biogas", "khí sinh học"):
        assert needed in forms, needed


def test_bad_variants_are_reported(tmp_path):
    path = tmp_path / "glossary.yml"
    path.write_text('- term: {vi: "a", en: "a"}\n  variants: {vi: "not a list", fr: [x]}\n'
                    '  definition: {vi: "d", en: "d"}\n', encoding="utf-8")
    problems: list[Problem] = []
    handbook.load_glossary(path, tmp_path, problems)
    assert sorted(p.field for p in problems) == ["[0].variants.fr", "[0].variants.vi"]
