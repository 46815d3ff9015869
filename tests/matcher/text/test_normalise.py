import math

from matcher.text.extract import extract
from matcher.text.normalise import compact, fold, is_blank
from matcher.text.parsing import SALARY_SPAN, parse_salary


def test_fold_keeps_offsets_and_compact_unifies_ranges():
    text = "熟练ＰＨＯＴＯＳＨＯＰ，月薪５０００～６５００元"
    assert len(fold(text)) == len(text) and fold(text).startswith("熟练photoshop")
    assert fold("ＡＢ", lower=False) == "AB"
    assert compact(" 5000 至 6500 元/月 ") == "5000-6500元/月"


def test_blank_cells():
    assert all(is_blank(v) for v in (None, math.nan, "", "   "))
    assert not any(is_blank(v) for v in ("-", "0", 0, "面议"))
    assert all(is_blank(v, placeholders=True) for v in ("-", "/", "NaN", "null", " N/A "))


def test_one_salary_pattern_reads_free_text_the_way_the_field_parser_does():
    text = "岗位待遇：月薪8k-12k，13薪"
    match = SALARY_SPAN.search(fold(text))
    assert match and parse_salary(match.group(0)).monthly_max == 12000
    assert extract(text, kind="posting").salary.value.monthly_min == 8000
