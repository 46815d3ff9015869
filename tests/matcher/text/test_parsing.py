import pytest

from matcher.text.parsing import (
    EDUCATION_LEVELS,
    FieldError,
    Salary,
    parse_education,
    parse_experience,
    parse_headcount,
    parse_salary,
)


@pytest.mark.parametrize(
    "text, level",
    [
        ("大专及以上", 3),
        ("本科", 4),
        ("中专/高中", 2),
        ("学历不限", 0),
        ("硕士研究生", 5),
        ("博士研究生", 6),
        ("专科", 3),
        ("初中以上", 1),
        ("高职", 3),
        ("技校", 2),
        ("研究生", 5),
        ("大学专科", 3),
        ("大专或本科", 3),
        ("ＭＢＡ 硕士", 5),
    ],
)
def test_parse_education(text, level):
    assert parse_education(text) == level


def test_education_levels_cover_parser_output():
    assert EDUCATION_LEVELS[3] == "大专" and set(EDUCATION_LEVELS) == set(range(7))


@pytest.mark.parametrize("blank", [None, "", "  ", float("nan")])
def test_blank_fields_are_none(blank):
    assert parse_education(blank) is None
    assert parse_experience(blank) is None
    assert parse_salary(blank) is None
    assert parse_headcount(blank) is None


def test_unknown_education_says_what_to_write():
    with pytest.raises(FieldError) as err:
        parse_education("很高")
    assert "很高" in str(err.value) and "大专" in str(err.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1-3年", (1, 3)),
        ("1～3年", (1, 3)),
        ("经验不限", (0, None)),
        ("无经验要求", (0, None)),
        ("应届生", (0, None)),
        ("3年以上", (3, None)),
        ("5年及以上", (5, None)),
        ("一年以上", (1, None)),
        ("两年以上", (2, None)),
        ("十年以上", (10, None)),
        ("半年", (0.5, None)),
        ("6个月以上", (0.5, None)),
        ("1年以下", (0, 1)),
    ],
)
def test_parse_experience(text, expected):
    assert parse_experience(text) == expected


def test_experience_errors():
    with pytest.raises(FieldError, match="无法识别经验"):
        parse_experience("很丰富")
    with pytest.raises(FieldError, match="下限大于上限"):
        parse_experience("5-3年")


@pytest.mark.parametrize(
    "text, low, high, unit",
    [
        ("5000-6500元/月", 5000, 6500, "month"),
        ("8K-12K", 8000, 12000, "month"),
        ("8k-12k·13薪", 8000, 12000, "month"),
        ("8-12k", 8000, 12000, "month"),
        ("200-300元/天", 200, 300, "day"),
        ("25元/小时", 25, 25, "hour"),
        ("年薪15万", 150000, 150000, "year"),
        ("15-20万/年", 150000, 200000, "year"),
        ("6000以上", 6000, None, "month"),
        ("4000元", 4000, 4000, "month"),
        ("1.2万-1.5万", 12000, 15000, "month"),
        ("5千-8千", 5000, 8000, "month"),
        ("５０００～６０００元／月", 5000, 6000, "month"),
        ("底薪4000+提成", 4000, None, "month"),
        ("1元/件 计件", 1, 1, "piece"),
    ],
)
def test_parse_salary(text, low, high, unit):
    salary = parse_salary(text)
    assert (salary.min, salary.max, salary.unit) == (low, high, unit)
    assert salary.text == text and not salary.negotiable


def test_negotiable_salary_has_no_numbers():
    salary = parse_salary("面议")
    assert salary == Salary(None, None, None, True, "面议")
    assert salary.monthly_min is None and salary.monthly_max is None


def test_monthly_conversion():
    assert parse_salary("200-300元/天").monthly_min == pytest.approx(200 * 21.75)
    assert parse_salary("25元/小时").monthly_max == pytest.approx(25 * 174)
    assert parse_salary("15-20万/年").monthly_max == pytest.approx(200000 / 12)
    assert parse_salary("1元/件").monthly_min is None  # piece rates are not convertible
    assert parse_salary("6000以上").monthly_max is None


def test_absurd_monthly_salary_names_value_and_fix():
    with pytest.raises(FieldError) as err:
        parse_salary("5-6元/月")
    message = str(err.value)
    assert "5-6元/月" in message and "1000" in message and "单位" in message


def test_absurd_high_salary():
    with pytest.raises(FieldError, match="多写了零"):
        parse_salary("500000元/月")


def test_absurd_daily_rate():
    with pytest.raises(FieldError, match="明显不合理"):
        parse_salary("20元/天")


def test_min_above_max():
    with pytest.raises(FieldError) as err:
        parse_salary("8000-5000元/月")
    assert "5000-8000" in str(err.value)


def test_unreadable_salary():
    with pytest.raises(FieldError, match="无法识别薪资"):
        parse_salary("很高")


@pytest.mark.parametrize("text, expected", [("3人", 3), ("若干", None), ("10", 10), (10, 10), ("招5名", 5), ("3-5人", 5), ("三人", 3)])
def test_parse_headcount(text, expected):
    assert parse_headcount(text) == expected


def test_headcount_errors():
    with pytest.raises(FieldError, match="请填写数字"):
        parse_headcount("很多啊")
    with pytest.raises(FieldError, match="至少1"):
        parse_headcount("0人")
