"""Fourth pass on issue 15: boasts however phrased are claims, not evidence; negation idioms and negated
bad outcomes that are results; off-topic judged relative to references, not on a fixed cosine; length
feedback that does not call a normal answer too short."""
from __future__ import annotations

import pytest

from matcher.interview import AnswerScorer, make_question, requirements_from_role
from matcher.interview.boasts import boast_signals
from matcher.interview.claims import answer_claims_only, clauses
from matcher.interview.topic import TopicSignals, off_topic_test


# Boasts of every build, most of them written here from everyday spoken Chinese (not from an evaluation set).
@pytest.mark.parametrize("text", [
    "火候这一块我是行家里手",  # an identity idiom
    "烤箱温度我凭手感就能把握",  # ease: by feel
    "店里的老师傅都竖大拇指",  # reported praise without an occasion
    "跟家长打交道我最有一套",
    "什么样的家长我都应付得来",  # universal over situations
    "哪种药治什么我脑子里门儿清",
    "顾客来问从没被问倒过",  # a never-failed claim with no time or number
    "店里新来的都找我请教",  # reputation
    "收银这块我是老手了",
    "排班考勤这些对我来说就是小意思",
    "仓库里的货放在哪儿我了如指掌",
    "说到切配，整个后厨没人比我快",
    "同事遇到难题都来问我",
    "这种场面我见得多了",
    "我的手艺在我们那一片是数一数二的",
    "带孩子我有的是办法",
    "再挑剔的客人到我这儿都服服帖帖",
    "这种活我干起来得心应手",
    "老板出门都放心让我看店",
    "这些事我处理过不知道多少回了",
    "我上手一天就比带我的人还熟",
    "这方面我绝对没话说",
])
def test_boasts_are_claims_not_evidence(text):
    found = clauses(text)
    assert found and answer_claims_only(found), [(c.text, c.concrete, c.claim_only, c.stance) for c in found]
    assert any(boast_signals(c.text) for c in found), text


@pytest.mark.parametrize("text", [
    "去年店长在例会上表扬了我，因为我三个月没有一单差评",
    "有一次顾客来投诉，我先道歉，再给他换了一份",
    "我每天早上六点到店，先开醒发箱，设28度",
    "那之后我们店再没有过期原料被查到",
])
def test_acts_occasions_and_results_are_not_boasts(text):
    assert not answer_claims_only(clauses(text))


@pytest.mark.parametrize("text", [
    "服务态度没话说",  # = excellent
    "这个不成问题",
    "干活没得说",
    "电脑这些对我来说不在话下",
    "那之后我们店再没有过期原料被查到",  # a negated bad outcome that is a result
    "后来再也没有客人投诉过",
    "从那以后一次都没被罚过款",
])
def test_negation_idioms_and_negated_bad_outcomes_are_not_denials(text):
    assert all(c.stance != "denied" for c in clauses(text)), [(c.text, c.stance) for c in clauses(text)]


@pytest.mark.parametrize("text", [
    "非处方药的禁忌我记不住",  # a potential complement: cannot remember
    "大理石和实木这些材质我分不太清",
    "数学应用题我讲不太清楚",
    "发酵的温度我控制不好",
    "健康证我还没有",
])
def test_denials_stay_denials(text):
    assert any(c.stance == "denied" for c in clauses(text)), [(c.text, c.stance) for c in clauses(text)]


def _signals(**kw) -> TopicSignals:
    base = dict(semantic_cos=0.76, reference_cos=0.70, lexical=0.0, role_lexical=0.0, length=40,
                conduct=True, aside=False, self_assessment=False, commentary=False)
    base.update(kw)
    return TopicSignals(**base)


def test_off_topic_is_relative_not_a_fixed_cosine():
    # a paraphrase with a pronoun ("我不会动它，先拍照发给客户…") at cosine 0.76: closer to the question
    # than to any small-talk or trade-talk reference, and it says what the speaker does: on topic
    assert not off_topic_test(_signals(semantic_cos=0.76, reference_cos=0.70))
    # the same cosine but closer to the references, with no act of the speaker: off topic
    assert off_topic_test(_signals(semantic_cos=0.76, reference_cos=0.82, conduct=False))
    # a high cosine does not rescue an aside about one's own life ("我上夜班一般都带点零食")
    assert off_topic_test(_signals(semantic_cos=0.80, reference_cos=0.79, length=16, aside=True, conduct=False))
    # shared question terms keep an answer on topic
    assert not off_topic_test(_signals(semantic_cos=0.70, reference_cos=0.80, lexical=0.2, conduct=False))


def test_an_account_of_several_acts_needs_a_plain_margin_to_be_off_topic():
    # "我会先让自己冷静下来，不跟他吵，把问题查清楚再回复他…": three acts, a little closer to the references
    assert not off_topic_test(_signals(semantic_cos=0.79, reference_cos=0.83, acts=3))
    assert off_topic_test(_signals(semantic_cos=0.79, reference_cos=0.83, acts=1))
    assert off_topic_test(_signals(semantic_cos=0.70, reference_cos=0.83, acts=3))  # plainly closer: off


def test_trade_talk_in_the_roles_words_stays_off_topic():
    # "电工这行现在越来越不好干了…": names the role, rates nothing of the speaker's, plainly trade talk
    assert off_topic_test(_signals(semantic_cos=0.68, reference_cos=0.89, role_lexical=0.08, self_assessment=True,
                                   conduct=False))


def test_a_self_assessment_on_the_roles_work_is_weak_not_off_topic():
    # "老人们的情况我一清二楚…": nothing shown, but about the role's work: weak, not off-topic
    assert not off_topic_test(_signals(semantic_cos=0.73, reference_cos=0.75, role_lexical=0.1,
                                       self_assessment=True, conduct=False))
    # a self-assessment about something the role does not ask for stays off-topic ("我做饭挺好吃的")
    assert off_topic_test(_signals(semantic_cos=0.68, reference_cos=0.80, role_lexical=0.0,
                                   self_assessment=True, conduct=False))


def test_a_normal_length_answer_is_not_told_it_is_too_short(hashing_scorer_parts):
    scorer, reqs, question = hashing_scorer_parts
    answer = "不同地方用不同的清洁剂。厨房油污用去油剂，卫生间用洁厕灵和除垢剂，大理石不能用酸性的。木地板拖把要拧干。"
    fb = scorer.score(question, answer, requirements=reqs)
    assert not any("太短" in s for s in fb.suggestions + fb.delivery), (fb.suggestions, fb.delivery)
    short = scorer.score(question, "会用，很简单。", requirements=reqs)
    assert any("太短" in s for s in short.suggestions + short.delivery)


def test_claim_feedback_says_what_to_do(hashing_scorer_parts):
    scorer, reqs, question = hashing_scorer_parts
    fb = scorer.score(question, "清洁剂这块我是行家里手，什么材质我都门儿清，客户都竖大拇指。", requirements=reqs)
    assert fb.specificity["claims_only"] and fb.evidence == []
    assert any("只说了自己行" in s and "举一个例子" in s for s in fb.suggestions), fb.suggestions


@pytest.fixture
def hashing_scorer_parts():
    from models.encoder import HashingEncoder

    reqs = requirements_from_role(title="家政保洁员", requirements_text="1. 能正确使用各类清洁剂，分清不同材质的清洁方法\n2. 持有健康证")
    question = make_question("q1", "岗位要求“能正确使用各类清洁剂”。请结合你做过的具体事情，说说你是怎么做的？", "probe",
                             [reqs[0]], role_title="家政保洁员")
    return AnswerScorer(HashingEncoder(dim=256)), reqs, question


def _fresh2_rows():
    from evaluation.interview_eval import FRESH2, FRESH2_TRAPS, load_items

    return load_items(FRESH2, FRESH2_TRAPS, split="dev")


@pytest.mark.slow
def test_real_model_fresh2_boasts_paraphrases_and_results(real_encoder):
    """The cells the third session's fresh2 run missed (fresh2 is dev now): boasts under half of strong and
    below adequate and above off-topic; a paraphrase with 它 on topic; a negated bad outcome that is a result
    not read as a denial; weak above off-topic on every fresh2 question."""
    from evaluation.interview_eval import question_for_item

    rows = _fresh2_rows()
    scorer = AnswerScorer(real_encoder)
    cache = {}

    def score(role, qid, key):
        if (role, qid, key) not in cache:
            row = next(r for r in rows if r["role_id"] == role and r["question_id"] == qid
                       and r.get("trap", f"g{r['grade']}") == key)
            reqs = requirements_from_role(title=row["role"], requirements_text=row["requirements_text"])
            cache[(role, qid, key)] = scorer.score(question_for_item(row, reqs), row["answer"], requirements=reqs,
                                                   resume_text=row["resume"])
        return cache[(role, qid, key)]

    for role, qid in (("baker", "q1"), ("tutor", "q2"), ("hotelfront", "q1"), ("pharmacy", "q1"),
                      ("housekeeper", "q1"), ("rider", "q1"), ("grid", "q1")):
        strong, adequate, off, claim = (score(role, qid, k) for k in ("g3", "g2", "g0", "claim"))
        assert off.score < claim.score < adequate.score and claim.score < strong.score / 2, (
            role, qid, off.score, claim.score, adequate.score, strong.score)
    assert score("housekeeper", "q2", "g2").relevance["on_topic"]
    baker = score("baker", "q2", "g3")
    assert not baker.claims["denied"], baker.claims
    for role in ("pharmacy", "salon", "housekeeper", "rider", "hotelfront", "forklift", "tutor", "mechanic",
                 "grid", "baker"):
        for qid in ("q1", "q2"):
            weak, off = score(role, qid, "g1"), score(role, qid, "g0")
            assert weak.score > off.score, (role, qid, weak.score, off.score)
