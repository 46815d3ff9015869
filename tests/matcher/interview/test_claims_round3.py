"""Third pass on issue 15: jieba words for keyword lists, facility and habitual-praise claims, off-topic
short answers and commentary, and the requirement parser's certificate and age readings."""
from __future__ import annotations

import pytest

from matcher.interview import AnswerScorer, classify_requirement, requirements_from_role
from matcher.interview.claims import clauses, commentary, keyword_list
from matcher.interview.topic import off_topic_test


@pytest.mark.parametrize("text", [
    # 对 (对账) and 会 (会计) sit inside words here; counted as characters they looked like speech
    "凭证录入 发票整理 银行对账 余额调节表 金蝶 用友 Excel 初级会计 报税 细致",
    "会员登记 对讲机 会议记录 对公账户 考勤 排班 报销",
])
def test_keyword_list_reads_words_not_characters(text):
    assert keyword_list(text)


@pytest.mark.parametrize("text", [
    "我会用金蝶，对账 发票 报税 都会做",
    "我先对账 再录凭证 然后报税 最后归档",
])
def test_a_spoken_sentence_with_spaces_is_not_a_keyword_list(text):
    assert not keyword_list(text)


@pytest.mark.parametrize("text", [
    "店长每次检查都表扬我",  # praise with an adverbial of time, still no occasion
    "什么故障我一看就知道",  # 一V就: a facility claimed, not an act
    "这种毛病我一听就明白",
])
def test_facility_and_habitual_praise_are_claims_not_actions(text):
    found = clauses(text)
    assert found and all(c.claim_only and not c.concrete for c in found), [(c.text, c.concrete) for c in found]


@pytest.mark.parametrize("text", [
    "我一个人看三十张床",
    "我先看一下面单，然后扫码",
    "有一次店长检查时表扬了我，因为我把临期货全挑出来了",
])
def test_acts_and_occasions_stay_concrete(text):
    assert any(c.concrete for c in clauses(text))


def test_commentary_is_an_opinion_without_own_conduct():
    assert commentary("我觉得现在的顾客都太挑了，有时候一点小事就要给差评。")
    assert commentary("我觉得漏水这种事应该楼上楼下自己协商，我们家以前也被楼上淹过。")
    assert not commentary("我觉得首先要安抚情绪，我会先道歉，再把菜撤下去。")
    assert not commentary("那就跟客人说对不起呗，让厨房注意一点。")


def _signals(semantic_cos, lexical, text, reference_cos, *, commentary=False, conduct=True):
    from matcher.interview.topic import TopicSignals

    return TopicSignals(semantic_cos=semantic_cos, reference_cos=reference_cos, lexical=lexical, role_lexical=0.0,
                        length=len(text.rstrip("。")), conduct=conduct, aside=False, self_assessment=False,
                        commentary=commentary)


def test_short_answers_can_be_off_topic_on_stronger_evidence():
    short_small_talk = "我平时喜欢钓鱼，周末经常带孩子去。"  # 16 characters
    # closer to small talk than to the question by 0.15: off-topic, although short
    assert off_topic_test(_signals(0.60, 0.0, short_small_talk, 0.75, conduct=False))
    # a short weak answer only a little closer to small talk (0.04) stays on topic: too short, not off-topic
    assert not off_topic_test(_signals(0.67, 0.0, "那就跟他解释一下，让他别着急，我们会处理的。", 0.71))
    # a couple of characters say too little to call either way
    assert not off_topic_test(_signals(0.60, 0.0, "有的。", 0.80))
    # commentary is off-topic at any cosine, unless it shares the question's terms
    assert off_topic_test(_signals(0.84, 0.07, "我觉得现在的顾客都太挑了。", 0.70, commentary=True))
    assert not off_topic_test(_signals(0.84, 0.20, "我觉得现在的顾客都太挑了。", 0.70, commentary=True))


@pytest.mark.parametrize("text, kind", [
    ("负责凭证录入、发票整理、银行对账", "duty"),  # 凭证 is a voucher, not a certificate
    ("能保证出勤", "duty"),
    ("有照顾0-3岁婴幼儿经验", "experience"),  # the age of the children cared for, not of the applicant
    ("持有健康证", "certificate"),
    ("有叉车证", "certificate"),
    ("有C1驾驶证者优先", "certificate"),
    ("持有育婴员证书", "certificate"),
    ("持证上岗", "certificate"),
    ("18-50周岁", "condition"),
    ("年龄18-45岁之间", "condition"),
    ("55岁以下", "condition"),
])
def test_requirement_kinds(text, kind):
    assert classify_requirement(text) == kind


def test_accountant_posting_yields_duties_not_certificates():
    reqs = requirements_from_role(title="会计助理", requirements_text=(
        "1. 负责凭证录入、发票整理、银行对账；\n2. 持有初级会计证书；\n3. 有照顾0-3岁婴幼儿经验者优先。"))
    kinds = [r.kind for r in reqs]
    assert kinds.count("certificate") == 1 and "condition" not in kinds, [(r.text, r.kind) for r in reqs]


def _rows(path, traps):
    from evaluation.interview_eval import load_items

    return load_items(path, traps, split="dev")


@pytest.mark.slow
def test_real_model_seen_fresh_failures_are_fixed(real_encoder):
    """The three cells the second session's `fresh` run missed (now dev): the accountant keyword list
    and the two claim-only traps under half of strong, weak above off-topic for property and waiter q2."""
    from evaluation.interview_eval import FRESH, FRESH_TRAPS, question_for_item

    rows = _rows(FRESH, FRESH_TRAPS)
    scorer = AnswerScorer(real_encoder)

    def score(role, qid, key):
        row = next(r for r in rows if r["role_id"] == role and r["question_id"] == qid
                   and r.get("trap", f"g{r['grade']}") == key)
        reqs = requirements_from_role(title=row["role"], requirements_text=row["requirements_text"])
        return scorer.score(question_for_item(row, reqs), row["answer"], requirements=reqs,
                            resume_text=row["resume"])

    for role, qid, trap in (("accountant", "q1", "stuffed"), ("stocker", "q2", "claim"), ("aircon", "q1", "claim")):
        strong, adequate, fb = score(role, qid, "g3"), score(role, qid, "g2"), score(role, qid, trap)
        assert fb.score < strong.score / 2 and fb.score < adequate.score, (role, trap, fb.score, adequate.score, strong.score)
    for role in ("property", "waiter"):
        weak, off = score(role, "q2", "g1"), score(role, "q2", "g0")
        assert weak.score > off.score and not off.relevance["on_topic"], (role, weak.score, off.score)
