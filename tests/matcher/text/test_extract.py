from datetime import date

import pytest

from matcher.text.extract import (
    canonical_certificate,
    canonical_skill,
    extract,
    load_vocabulary,
)

POSTING = """【急招】曲阳路街道某养老院 招聘养老护理员 3名
岗位要求：初中及以上学历，1年以上养老护理经验，持养老护理员证、健康证者优先；会讲上海话。
工作时间：做一休一，需上夜班。薪资：5000-6500元/月，包吃住。全职。工作地点：虹口区曲阳路街道，近8号线。
熟悉老人生活照料、助浴、测量血压，会用Excel和PS优先。"""

RESUME = """张阿姨，52岁，高中学历，住虹口欧阳路街道。有C1驾照，持电工证和保安员证。
工作经历：
2019.03-2022.06 上海某物业公司 保安队长
2015年7月-2019年2月 | 华联超市 | 收银员
2022.08-至今 欧阳社区养老服务中心 护理员
技能：Photoshop、Word，英语四级。不上夜班。"""


def assert_spans_quote_source(text, spans):
    for span in spans:
        assert text[span.start:span.end] == span.text


def test_posting_fields():
    e = extract(POSTING)
    assert e.education.value == 1 and e.education.text == "初中及以上学历"
    assert e.experience_years.value == 1.0
    assert (e.salary.value.min, e.salary.value.max, e.salary.value.unit) == (5000, 6500, "month")
    assert e.salary.text == "5000-6500元/月"
    assert set(e.certificate_names) == {"养老护理员证", "健康证"}
    assert {"老人生活照料", "助浴", "测量血压", "Excel", "Photoshop"} <= set(e.skill_names)
    assert [s.value for s in e.languages] == ["上海话"]
    assert [s.value for s in e.shifts] == ["做一休一", "夜班"] and e.night_work
    assert e.employment_type.value == "全职"
    assert {s.value for s in e.places} == {"曲阳路街道", "虹口区"}
    assert e.timeline == []  # timelines are read from resumes only
    assert_spans_quote_source(POSTING, e.skills + e.certificates + e.places + e.shifts + [e.salary, e.education])


def test_job_title_is_not_a_certificate():
    assert extract("招聘养老护理员，无证可培训").certificates == []


def test_resume_fields_and_timeline():
    e = extract(RESUME, "resume", today=date(2024, 8, 1))
    assert e.education.value == 2
    assert set(e.certificate_names) == {"C1驾照", "低压电工作业证", "保安员证"}
    assert {"Photoshop", "Word"} <= set(e.skill_names)
    assert [s.value for s in e.languages] == ["英语"]
    assert not e.night_work and e.shifts == []  # 不上夜班 is a refusal, not a shift
    assert {s.value for s in e.places} == {"虹口区", "欧阳路街道"}
    first, second, third = e.timeline
    assert first.period.value == "2019.03-2022.06" and first.period.text == "2019.03-2022.06"
    assert first.organisation.text == "上海某物业公司" and first.role.text == "保安队长"
    assert first.years == pytest.approx(3.2)
    assert second.period.value == "2015.07-2019.02" and second.organisation.text == "华联超市"
    assert second.role.text == "收银员"
    assert third.period.value == "2022.08-至今" and third.years == pytest.approx(2.0)
    assert e.timeline_years == pytest.approx(8.8)
    for entry in e.timeline:
        assert_spans_quote_source(RESUME, [entry.period, entry.organisation, entry.role])


@pytest.mark.parametrize(
    "alias, canonical",
    [("PS", "Photoshop"), ("photoshop", "Photoshop"), ("ＰＳ", "Photoshop"), ("CAD", "AutoCAD"),
     ("叉车", "叉车驾驶"), ("上海话", "上海话"), ("沪语", "上海话")],
)
def test_canonical_skill(alias, canonical):
    assert canonical_skill(alias) == canonical


def test_canonical_certificate_merges_licence_names():
    assert canonical_certificate("驾照") == canonical_certificate("驾驶证") == "驾驶证"
    assert canonical_certificate("电工证") == canonical_certificate("低压电工证") == "低压电工作业证"
    assert canonical_skill("不存在的技能") is None


def test_vocabulary_size():
    vocab = load_vocabulary()
    assert len(vocab.skills) >= 250 and len(vocab.certificates) >= 60


def test_short_terms_need_word_boundaries():
    # 行政 is a skill, 行政区 is not; ascii aliases need ascii boundaries (PS inside GPS is not Photoshop).
    e = extract("本市行政区划调整，车辆装有GPS定位")
    assert "行政管理" not in e.skill_names and "Photoshop" not in e.skill_names


@pytest.mark.parametrize(
    "text, low, high, unit",
    [("薪资：8k-12k·13薪，双休", 8000, 12000, "month"), ("日薪200-300元，临时工", 200, 300, "day"),
     ("时薪25元，兼职", 25, 25, "hour"), ("年薪15万", 150000, 150000, "year"), ("工资4000元以上", 4000, None, "month")],
)
def test_salary_in_text(text, low, high, unit):
    salary = extract(text).salary
    assert (salary.value.min, salary.value.max, salary.value.unit) == (low, high, unit)
    assert text[salary.start:salary.end] == salary.text


def test_negotiable_salary_and_no_false_salary_from_dates_or_years():
    assert extract("薪资面议").salary.value.negotiable
    assert extract("2019.03-2022.06 在某公司工作，3年以上经验").salary is None


def test_absurd_salary_is_flagged_not_stored():
    e = extract("月薪5-6元，包住")
    assert e.salary is None
    assert len(e.warnings) == 1 and "5-6元" in e.warnings[0] and "单位" in e.warnings[0]


def test_employment_type_and_night_shift_variants():
    e = extract("实习生，三班倒")
    assert e.employment_type.value == "实习" and e.night_work
    e = extract("早班 7:00-15:00，无夜班，钟点工")
    assert e.employment_type.value == "小时工" and not e.night_work
    assert [s.value for s in e.shifts] == ["早班"]


def test_experience_variants():
    assert extract("要求3-5年相关工作经验").experience_years.value == 3.0
    assert extract("要求3-5年相关工作经验").experience_max_years == 5.0
    assert extract("经验不限，接受小白").experience_years.value == 0.0
    assert extract("工作经验：两年以上").experience_years.value == 2.0


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀🎉👍", "Java开发 😀 Python/SQL ёжик عربى 日本語テキスト", "\x00\ufeff\u200b", "数字" * 10000],
)
def test_odd_input_does_not_crash(text):
    e = extract(text, "resume")
    assert_spans_quote_source(text, e.skills + e.certificates + e.places)


def test_long_text_finds_everything():
    text = (POSTING + " 🎉 ") * 125
    assert len(text) > 20000
    e = extract(text)
    assert len(e.certificates) == 2 * 125 and e.salary.text == "5000-6500元/月"
    assert_spans_quote_source(text, e.skills)


def test_mixed_scripts_skills():
    e = extract("熟悉Java、Spring Boot、MySQL，会PS和CAD制图，能用Ｅｘｃｅｌ")
    assert {"Java", "Spring", "MySQL", "Photoshop", "AutoCAD", "Excel"} <= set(e.skill_names)


def test_unknown_kind_is_rejected_in_chinese():
    with pytest.raises(ValueError, match="未知的文本类型"):
        extract("abc", kind="letter")


def _scan_every_length(vocab, text: str, norm: str):
    """The scan as first written: every length from the longest term down at every position."""
    saved = vocab._lengths
    vocab._lengths = {first: tuple(range(vocab.max_len, 0, -1)) for first in saved}
    try:
        return vocab.scan(text, norm)
    finally:
        vocab._lengths = saved


def test_scan_finds_the_same_terms_as_trying_every_length():
    from data import demo
    from matcher.text.extract import load_vocabulary, normalise_text

    vocab = load_vocabulary()
    texts = [POSTING, RESUME, "Python/SQL熟练，会PS和CAD，持C1驾照、叉车证，懂英语日语；张江镇、七宝"]
    texts += ["\n".join([row["title"], row["description"], row["requirements"]]) for row in demo.postings(150, seed=3)]
    texts += [row["resume_text"] for row in demo.seekers(80, seed=4)]
    found = 0
    for text in texts:
        norm = normalise_text(text)
        got = vocab.scan(text, norm)
        assert got == _scan_every_length(vocab, text, norm)
        found += len(got)
    assert found > 300  # the texts do hold terms: the comparison is not between two empty lists
