"""Session report: what the answered questions show, and the next steps that follow."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from matcher.interview.questions import find_question
from matcher.interview.text import join_items
from matcher.interview.types import POINTS, Feedback, Question, Report, Requirement

# ----------------------------------------------------------------------------------------------
# Session report
# ----------------------------------------------------------------------------------------------
_COMPONENT_STRENGTH = {
    "relevance": "回答切题，能正面回应问题",
    "coverage": "能用经历对上岗位要求",
    "specificity": "会用数字、例子和证书说明自己",
    "structure": "回答有条理（情境、行动、结果讲得清楚）",
    "delivery": "表达长度合适、态度积极",
}
_COMPONENT_WEAKNESS = {
    "relevance": "有的回答没有正面回应问题",
    "coverage": "没有把自己的经历和岗位要求对应起来",
    "specificity": "说法偏空泛，缺少数字和具体例子",
    "structure": "讲经历时缺少情境或结果，条理不够清楚",
    "delivery": "回答过短、过长或有抱怨前雇主等不利表达",
}
_TRAINING_BY_KIND = {
    "certificate": "报名对应证书的补贴性职业技能培训，考取{req}",
    "skill": "参加包含“{req}”的职业技能培训或短期实操课程",
    "experience": "争取见习岗位或志愿服务，积累“{req}”方面的实际经历",
    "duty": "参加该职业的岗前培训，熟悉“{req}”的操作规范",
    "soft": "参加就业服务站的沟通表达/职场礼仪小组活动，练习“{req}”",
}


def session_report(
    questions: Sequence[Question],
    answers_with_feedback: Sequence[tuple[str, Feedback | Mapping[str, Any]]],
    *,
    requirements: Sequence[Requirement] | None = None,
) -> Report:
    """Strengths and weaknesses across answers, requirements never evidenced, next steps.

    `answers_with_feedback` holds (question_id, feedback) pairs, feedback as `Feedback` or its
    dict; when a question was answered several times the last answer counts. `requirements`
    (optional) supplies texts for requirement ids; without them the ids of evidence are used.
    """
    by_id = {q.id: q for q in questions}
    latest: dict[str, Feedback] = {}
    for question_id, feedback in answers_with_feedback:
        if question_id not in by_id:
            find_question(questions, question_id)
        latest[question_id] = feedback if isinstance(feedback, Feedback) else Feedback.from_dict(feedback)
    ordered = [(q, latest[q.id]) for q in questions if q.id in latest]
    req_text = {r.id: r.text for r in requirements or []}
    req_kind = {r.id: r.kind for r in requirements or []}
    for _, fb in ordered:
        for ev in fb.evidence:
            req_text.setdefault(ev["requirement_id"], ev.get("requirement", ev["requirement_id"]))
        for m in fb.missing:
            req_text.setdefault(m["id"], m.get("text", m["id"]))

    per_question = [
        {"question_id": q.id, "kind": q.kind, "score": fb.score, "text": q.text} for q, fb in ordered
    ]
    if not ordered:
        return Report(
            answered=0, total_questions=len(questions), average_score=None, per_question=[],
            strengths=[], weaknesses=[], never_evidenced=[],
            next_steps=["还没有回答任何题目。先从第一题自我介绍开始练习吧。"], training=[],
        )

    shares = {
        name: float(np.mean([fb.breakdown[name]["points"] / fb.breakdown[name]["max"] for _, fb in ordered]))
        for name in POINTS
    }
    strengths = [_COMPONENT_STRENGTH[n] for n, v in sorted(shares.items(), key=lambda kv: -kv[1]) if v >= 0.7][:3]
    weaknesses = [_COMPONENT_WEAKNESS[n] for n, v in sorted(shares.items(), key=lambda kv: kv[1]) if v < 0.55][:3]
    best_q, best_fb = max(ordered, key=lambda item: item[1].score)
    worst_q, worst_fb = min(ordered, key=lambda item: item[1].score)
    if best_fb.score >= 60:
        strengths.append(f"回答最好的一题（{best_fb.score}分）：{best_q.text[:30]}……")
    if any("negative" in " ".join(fb.delivery) or "抱怨" in " ".join(fb.delivery) for _, fb in ordered):
        weaknesses.append("回答中出现了抱怨前雇主的说法")
    if any(not fb.relevance.get("on_topic", True) for _, fb in ordered):
        weaknesses.append("有回答跑题了")
    if not strengths:
        strengths.append("愿意完成模拟面试、认真作答，这本身就是好的开始")

    evidenced = {ev["requirement_id"] for _, fb in ordered for ev in fb.evidence}
    asked = [rid for q in questions for rid in q.requirements]
    # Conditions (age, shifts) are confirmed with documents, not evidenced by stories.
    universe = [
        rid for rid in dict.fromkeys([r.id for r in requirements or []] + asked)
        if req_kind.get(rid) != "condition"
    ]
    never = [{"id": rid, "text": req_text.get(rid, rid)} for rid in universe if rid not in evidenced]

    average = int(round(float(np.mean([fb.score for _, fb in ordered]))))
    next_steps: list[str] = []
    unanswered = [q for q in questions if q.id not in latest]
    if unanswered:
        next_steps.append(f"还有 {len(unanswered)} 道题没有回答，建议全部答完再看报告。")
    next_steps.append(
        f"重新练习得分最低的一题（{worst_fb.score}分）：{worst_q.text[:30]}……，参考反馈里的提纲再答一遍。"
    )
    if never:
        next_steps.append(f"为这些要求各准备一个真实例子：{join_items([n['text'] for n in never[:3]])}。")
    if average < 60:
        next_steps.append("过几天再做一次完整的模拟面试，对比分数变化；可以请就业服务站的指导员陪练。")
    else:
        next_steps.append("整体表现不错，可以换一个难度（如“资深”）再练一次，或直接投递岗位。")

    training: list[str] = []
    for item in never[:3]:
        template = _TRAINING_BY_KIND.get(req_kind.get(item["id"], "skill"), _TRAINING_BY_KIND["skill"])
        training.append(template.format(req=item["text"]))
    if shares["structure"] < 0.55 or shares["delivery"] < 0.6 or shares["relevance"] < 0.6:
        training.append("参加就业服务中心的求职面试技巧辅导（模拟面试、简历指导），练习有条理地讲经历")
    return Report(
        answered=len(ordered), total_questions=len(questions), average_score=average,
        per_question=per_question, strengths=strengths, weaknesses=list(dict.fromkeys(weaknesses)),
        never_evidenced=never, next_steps=next_steps, training=list(dict.fromkeys(training)),
    )


