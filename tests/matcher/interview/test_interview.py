"""Mock interview: requirement parsing, question coverage, rubric scoring, report."""
from __future__ import annotations

import json

import pytest

from matcher.interview import (
    MAX_ANSWER_CHARS,
    AnswerScorer,
    Feedback,
    InterviewError,
    build_session,
    duties_for_occupation,
    find_question,
    make_question,
    requirements_from_role,
    session_coverage,
    session_report,
)
from models.encoder import HashingEncoder

ELDERCARE_TEXT = """任职要求：
1. 持有养老护理员证书；
2. 有1年以上养老院或医院护工经验；
3. 能给失能老人翻身、喂饭、擦身，做好护理记录；
4. 有爱心、耐心，能和老人及家属沟通；
5. 能接受倒班，年龄55岁以下。"""
ELDERCARE_RESUME = (
    "王秀英，49岁，家住普陀区。2019年至2024年在一家养老院做护工，负责照顾6位失能老人的吃饭、翻身和擦洗。"
    "2022年取得养老护理员四级证书。"
)
GOOD_CARE_ANSWER = (
    "我在养老院做了五年护工，手上一直有6个失能老人。翻身一般两个小时一次，翻之前先跟老人说一声，动作要轻，"
    "翻好以后看看皮肤有没有发红，有红就记下来报给护士长。喂饭要摇高床头，一小口一小口喂，防止呛咳。"
    "每做一项我都在护理记录本上写时间和情况，那几年我照顾的老人没有一个长过压疮。"
)


@pytest.fixture(scope="module")
def reqs():
    return requirements_from_role(title="养老护理员", requirements_text=ELDERCARE_TEXT)


@pytest.fixture(scope="module")
def scorer():
    return AnswerScorer(HashingEncoder(256))


def test_posting_text_is_split_into_atomic_typed_requirements(reqs):
    texts = [r.text for r in reqs]
    assert "持有养老护理员证书" in texts
    assert "能接受倒班" in texts and "年龄55岁以下" in texts  # comma-joined conditions split
    kinds = {r.text: r.kind for r in reqs}
    assert kinds["持有养老护理员证书"] == "certificate"
    assert kinds["有1年以上养老院或医院护工经验"] == "experience"
    assert kinds["年龄55岁以下"] == "condition"
    assert [r.id for r in reqs] == [f"r{i + 1}" for i in range(len(reqs))]


def test_thin_posting_falls_back_to_official_duties():
    duties = duties_for_occupation("4-10-01-05")
    assert len(duties) == 5 and duties[0].startswith("照料老年人")
    reqs = requirements_from_role(title="养老护理员", requirements_text="有责任心", duties=duties)
    assert sum(r.source == "occupation" for r in reqs) >= 3
    with pytest.raises(InterviewError, match="未找到职业编码"):
        duties_for_occupation("9-99-99-99")


@pytest.mark.parametrize("difficulty", ["entry", "standard", "senior"])
def test_session_tests_every_stated_requirement(reqs, difficulty):
    questions = build_session(requirements=reqs, resume_text=ELDERCARE_RESUME, role_title="养老护理员",
                              difficulty=difficulty, encoder=HashingEncoder(256))
    assert 5 <= len(questions) <= 8
    assert questions[0].kind == "opening" and "介绍" in questions[0].text
    tested = {rid for q in questions for rid in q.requirements}
    assert tested == {r.id for r in reqs}
    assert session_coverage(questions, reqs)["not_asked"] == []
    assert len({q.id for q in questions}) == len(questions)


def test_difficulty_changes_the_questions(reqs):
    def texts(level):
        return " ".join(q.text for q in build_session(
            requirements=reqs, resume_text=ELDERCARE_RESUME, role_title="养老护理员", difficulty=level))
    senior, entry = texts("senior"), texts("entry")
    assert "带" in senior and ("矛盾" in senior or "目标" in senior)
    assert "矛盾" not in entry and "第一周" in entry
    with pytest.raises(InterviewError, match="难度"):
        build_session(requirements=reqs, resume_text="", role_title="养老护理员", difficulty="expert")


def test_many_requirements_keep_certificates_and_say_what_was_grouped():
    text = "\n".join([
        "1. 持有电工证", "2. 熟悉PLC编程", "3. 会看电气图纸", "4. 有3年以上工厂电工经验",
        "5. 负责配电房巡检", "6. 负责设备维修保养", "7. 有团队合作精神", "8. 做事细心",
        "9. 会使用万用表", "10. 负责填写维修记录",
    ])
    reqs = requirements_from_role(title="电工", requirements_text=text)
    questions = build_session(requirements=reqs, resume_text="", role_title="电工")
    assert 5 <= len(questions) <= 8
    coverage = session_coverage(questions, reqs)
    tested = set(coverage["tested"])
    assert {r.id for r in reqs if r.kind in {"certificate", "skill"}} <= tested
    assert coverage["grouped"], "with 10 requirements some must share a question"
    assert any(q.note.startswith("本题合并考察") for q in questions)


def test_resume_experience_is_asked_about(reqs):
    questions = build_session(requirements=reqs, resume_text=ELDERCARE_RESUME, role_title="养老护理员")
    resume_q = [q for q in questions if q.kind == "resume"]
    assert resume_q and resume_q[0].resume_hint in ELDERCARE_RESUME


def test_feedback_evidence_quotes_are_substrings_of_the_answer(reqs, scorer):
    question = make_question("q1", "岗位要求“能给失能老人翻身、喂饭、擦身，做好护理记录”。你会怎么做？", "probe",
                             [r for r in reqs if "翻身" in r.text], role_title="养老护理员")
    fb = scorer.score(question, GOOD_CARE_ANSWER, requirements=reqs, resume_text=ELDERCARE_RESUME)
    assert fb.evidence, "an answer about turning and feeding must quote evidence"
    for item in fb.evidence:
        assert item["quote"] and item["quote"] in GOOD_CARE_ANSWER
        assert item["requirement_id"] in question.requirements
    assert 2 <= len(fb.suggestions) <= 3 and fb.outline
    assert set(fb.breakdown) == {"relevance", "coverage", "specificity", "structure", "delivery"}
    assert sum(c["max"] for c in fb.breakdown.values()) == 100


def test_empty_answer_and_unknown_question_are_clear_errors(reqs, scorer):
    question = make_question("q1", "请先做个自我介绍。", "opening", [], role_title="养老护理员")
    for empty in ["", "   \n ", "。。"]:
        with pytest.raises(InterviewError, match="回答不能为空"):
            scorer.score(question, empty, requirements=reqs)
    with pytest.raises(InterviewError, match="没有题目"):
        find_question([question], "q9")
    with pytest.raises(InterviewError, match="没有题目"):
        session_report([question], [("q9", {"score": 50})])


def test_very_long_answer_is_truncated_with_a_notice(reqs, scorer):
    question = make_question("q1", "请先做个自我介绍。", "opening", [], role_title="养老护理员")
    answer = ("我在养老院做了五年护工，照顾失能老人吃饭和翻身。" * 900)[:20000]
    fb = scorer.score(question, answer, requirements=reqs)
    assert fb.notices and str(MAX_ANSWER_CHARS) in fb.notices[0]
    assert any("长" in hint for hint in fb.delivery)
    assert all(e["quote"] in answer for e in fb.evidence)


def test_same_input_gives_same_score(reqs, scorer):
    question = make_question("q1", "你为什么想做养老护理员？", "motivation", [], role_title="养老护理员")
    first = scorer.score(question, GOOD_CARE_ANSWER, requirements=reqs)
    second = AnswerScorer(HashingEncoder(256)).score(question, GOOD_CARE_ANSWER, requirements=reqs)
    assert first.to_dict() == second.to_dict()


def test_complaining_about_a_former_employer_is_flagged(reqs, scorer):
    question = make_question("q1", "你为什么想做养老护理员？", "motivation", [], role_title="养老护理员")
    base = "我做了五年护工，照顾过6位失能老人，有养老护理员证书，想长期做这一行。"
    polite = scorer.score(question, base, requirements=reqs)
    rude = scorer.score(question, base + "上家老板很坑，工资老是拖。", requirements=reqs)
    assert any("抱怨" in hint for hint in rude.delivery)
    assert rude.breakdown["delivery"]["points"] < polite.breakdown["delivery"]["points"]
    assert any("老板" in s or "抱怨" in s for s in rude.suggestions)


def test_report_is_json_and_names_requirements_never_evidenced(reqs, scorer):
    questions = build_session(requirements=reqs, resume_text=ELDERCARE_RESUME, role_title="养老护理员")
    answered = [(q.id, scorer.score(q, GOOD_CARE_ANSWER, requirements=reqs, resume_text=ELDERCARE_RESUME))
                for q in questions[:3]]
    report = session_report(questions, [(qid, fb.to_dict()) for qid, fb in answered], requirements=reqs)
    payload = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert payload["answered"] == 3 and payload["total_questions"] == len(questions)
    evidenced = {e["requirement_id"] for _, fb in answered for e in fb.evidence}
    never = {item["id"] for item in payload["never_evidenced"]}
    asked = {rid for q in questions[:3] for rid in q.requirements}
    kinds = {r.id: r.kind for r in reqs}
    # Only the answered questions speak: requirements of unanswered ones are "not yet asked".
    assert never == {rid for rid in asked if kinds[rid] != "condition"} - evidenced
    not_yet = {item["id"] for item in payload["not_yet_asked"]}
    assert not_yet and not (not_yet & asked)
    assert payload["summary"].startswith(f"已回答 3/{len(questions)} 题")
    assert any("没有回答" in step for step in payload["next_steps"])
    assert payload["strengths"] and payload["weaknesses"] is not None


def test_types_serialise_to_the_api_shapes(reqs, scorer):
    question = build_session(requirements=reqs, resume_text="", role_title="养老护理员")[1]
    q = question.to_dict()
    assert {"id", "text", "requirements"} <= set(q)
    fb = scorer.score(question, GOOD_CARE_ANSWER, requirements=reqs).to_dict()
    assert {"score", "breakdown", "evidence", "missing", "suggestions"} <= set(fb)
    assert isinstance(fb["score"], int) and 0 <= fb["score"] <= 100
    assert Feedback.from_dict(json.loads(json.dumps(fb))).score == fb["score"]


@pytest.fixture(scope="module")
def real_scorer():
    from models.encoder import ModelMissingError
    from models.registry import load_encoder

    try:
        return AnswerScorer(load_encoder("m3e-small"))
    except ModelMissingError as exc:  # the model wheel is installed by scripts/setup.sh
        pytest.fail(str(exc))


@pytest.mark.slow
def test_answer_scores_higher_for_the_role_it_fits(real_scorer):
    care = requirements_from_role(title="养老护理员", requirements_text=ELDERCARE_TEXT)
    design = requirements_from_role(
        title="平面设计助理", requirements_text="1. 熟练使用Photoshop、Illustrator；\n2. 配合设计师完成海报和公众号配图")
    care_q = make_question("q1", "岗位要求“能给失能老人翻身、喂饭、擦身，做好护理记录”。请结合经历说说你会怎么做。",
                           "probe", [r for r in care if "翻身" in r.text], role_title="养老护理员")
    design_q = make_question("q1", "岗位要求“熟练使用Photoshop、Illustrator”。请结合你做过的事情说说你是怎么用的。",
                             "probe", [design[0]], role_title="平面设计助理")
    fits = real_scorer.score(care_q, GOOD_CARE_ANSWER, requirements=care)
    misfits = real_scorer.score(design_q, GOOD_CARE_ANSWER, requirements=design)
    assert fits.score >= misfits.score + 30
    assert not misfits.relevance["on_topic"] and "偏离" in misfits.relevance["message"]
    again = real_scorer.score(care_q, GOOD_CARE_ANSWER, requirements=care)
    assert again.score == fits.score


@pytest.mark.slow
def test_real_model_session_finds_resume_evidence(real_scorer):
    care = requirements_from_role(title="养老护理员", requirements_text=ELDERCARE_TEXT)
    questions = build_session(requirements=care, resume_text=ELDERCARE_RESUME, role_title="养老护理员",
                              encoder=real_scorer.encoder)
    kinds = [q.kind for q in questions]
    assert kinds[0] == "opening" and "resume" in kinds and "motivation" in kinds
    # The resume's gaps come before the probes of what it already shows.
    if "gap" in kinds and "probe" in kinds:
        assert max(i for i, k in enumerate(kinds) if k == "gap") < min(i for i, k in enumerate(kinds) if k == "probe")
    assert {rid for q in questions for rid in q.requirements} == {r.id for r in care}


def test_pairwise_accuracy_edge_values():
    from evaluation.interview_eval import all_below, pairwise_accuracy

    grades, groups = [3, 2, 1, 0], ["q"] * 4
    assert pairwise_accuracy([90, 60, 30, 10], grades, groups) == 1.0
    assert pairwise_accuracy([10, 30, 60, 90], grades, groups) == 0.0
    assert pairwise_accuracy([50, 50, 50, 50], grades, groups) == 0.5
    assert pairwise_accuracy([90, 10], [3, 0], ["a", "b"]) != pairwise_accuracy([90, 10], [3, 0], ["a", "b"])  # nan
    assert all_below([10, 19], [24, 60]) and not all_below([30], [24])
