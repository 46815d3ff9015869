"""What a resume says it wants, lacks and rules out; what a posting makes a condition."""
import pytest

from matcher.text.extract import extract
from matcher.text.intent import (denied_certificates, intent, is_soft, required_certificates, rules_out_nights,
                                 strip_former)
from matcher.text.profiles import posting_features, text_profile


@pytest.mark.parametrize("text,wanted,former", [
    ("以前做了六年销售，现在想做行政，会用Office。", ("行政",), ("销售",)),
    ("做了十年厨师，腰不好不想再站灶台了，想找仓库管理之类的工作。", ("仓库管理",), ("厨师",)),
    ("跑了五年快递，膝盖受伤了，想找坐办公室的客服工作。", ("客服",), ("快递",)),
    ("求职意向：收银员\n2019.03-2023.06 上海某超市 理货员", ("收银员",), ()),
    ("在饭店掌勺五年，炒菜烧菜都拿手。", (), ()),
])
def test_intent_names_the_wanted_and_the_former_work(text, wanted, former):
    found = intent(text)
    assert found.wanted == wanted and found.former == former


def test_the_timeline_titles_are_coded_when_nothing_is_wanted():
    text = "张三\n2018.01-2020.12 上海某物业公司 保安\n2021.01-至今 某商场 保洁员"
    roles = [e.role.text for e in extract(text, kind="resume").timeline if e.role]
    assert intent(text, roles).titles() == ("保安", "保洁员")


def test_a_career_change_drops_the_old_work_from_the_text_that_is_matched():
    text = "以前做了六年销售，现在想做行政，会用Office。"
    assert "销售" not in strip_former(text, intent(text)) and "行政" in strip_former(text, intent(text))
    profile = text_profile(text)
    assert profile.text.startswith("求职意向：行政") and profile.features["former"] == ["销售"]


@pytest.mark.parametrize("text,denied", [
    ("想找电工的活，但没有电工证。", ["低压电工作业证"]),
    ("会开叉车，但是叉车证没考。", ["叉车证"]),
    ("教师资格证还没考出来，想在幼儿园工作。", ["教师资格证"]),
    ("持保安员证，做过5年保安。", []),
])
def test_denied_certificates_are_not_held(text, denied):
    spans = extract(text, kind="resume").certificates
    assert denied_certificates(text, spans) == denied
    assert not set(denied) & set(text_profile(text).features["certificates"])


@pytest.mark.parametrize("text,rules_out", [
    ("只能上白班，不能上夜班。", True), ("保洁5年，只做白班，晚上要接孩子。", True), ("现在只想做白天的活。", True),
    ("能倒班，夜班也可以。", False), ("做过两年白班保安。", False),
])
def test_nights_ruled_out(text, rules_out):
    assert rules_out_nights(text) is rules_out


def test_soft_traits_and_preferred_certificates_are_not_requirements():
    features = posting_features("保洁员", "商场保洁", "吃苦耐劳，耐心细致，有服务意识；持健康证，有保洁员证优先", [])
    assert features["skills"] == [] or not any(is_soft(s) for s in features["skills"])
    assert "健康证" in features["certificates"]
    assert all(c not in features["certificates"] for c in features["preferred_certificates"])
    text = "持叉车证；有电工证者优先"
    spans = extract(text, kind="posting").certificates
    required, preferred = required_certificates(text, spans)
    assert required == ["叉车证"] and preferred and "叉车证" not in preferred
