"""Session report: what the answered questions show, and the next steps that follow from them.

Only answered questions speak: strengths, weaknesses and advice come from their feedback; the
requirements of unanswered questions are listed as not yet practised, never as weaknesses.
Judgements about the whole interview (delivery, structure across answers) need at least
`MIN_ANSWERS_FOR_OVERALL` answers; "ready to apply" needs every question answered.
A requirement the seeker said they lack, and one never shown, becomes a training need; a
`TrainingFinder` (the trainings module) may turn needs into concrete trainings.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from matcher.interview.questions import find_question
from matcher.interview.text import join_items
from matcher.interview.types import POINTS, Feedback, Question, Report, Requirement

MIN_ANSWERS_FOR_OVERALL = 3
PRACTISE_BELOW = 60
READY_AVERAGE = 70

TrainingFinder = Callable[[list[dict[str, str]]], list[dict[str, Any]]]

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
    training_finder: TrainingFinder | None = None,
) -> Report:
    """The report on the answered questions.

    `answers_with_feedback` holds (question_id, feedback) pairs, feedback as `Feedback` or its dict;
    when a question was answered several times the last answer counts.
    """
    by_id = {q.id: q for q in questions}
    latest: dict[str, Feedback] = {}
    for question_id, feedback in answers_with_feedback:
        if question_id not in by_id:
            find_question(questions, question_id)
        latest[question_id] = feedback if isinstance(feedback, Feedback) else Feedback.from_dict(feedback)
    ordered = [(q, latest[q.id]) for q in questions if q.id in latest]
    number = {q.id: i + 1 for i, q in enumerate(questions)}
    req_text = {r.id: r.text for r in requirements or []}
    req_kind = {r.id: r.kind for r in requirements or []}
    for _, fb in ordered:
        for ev in fb.evidence:
            req_text.setdefault(ev["requirement_id"], ev.get("requirement", ev["requirement_id"]))
        for m in fb.missing:
            req_text.setdefault(m["id"], m.get("text", m["id"]))

    total, answered = len(questions), len(ordered)
    unanswered = [q for q in questions if q.id not in latest]
    answered_reqs = list(dict.fromkeys(rid for q, _ in ordered for rid in q.requirements))
    not_yet = [{"id": rid, "text": req_text.get(rid, rid)} for rid in dict.fromkeys(
        rid for q in unanswered for rid in q.requirements) if rid not in answered_reqs
        and req_kind.get(rid) != "condition"]
    if not ordered:
        return Report(
            answered=0, total_questions=total, average_score=None, per_question=[], strengths=[],
            weaknesses=[], never_evidenced=[], next_steps=["还没有回答任何题目。先从第一题自我介绍开始练习吧。"],
            training=[], summary=f"已回答 0/{total} 题，还没有可以评价的回答。", not_yet_asked=not_yet,
        )

    per_question = [
        {"question_id": q.id, "number": number[q.id], "kind": q.kind, "score": fb.score, "text": q.text,
         "probes": q.probes} for q, fb in ordered
    ]
    scored = [(q, fb) for q, fb in ordered if fb.relevance.get("language", "zh") == "zh"]
    evidenced = {ev["requirement_id"] for _, fb in ordered for ev in fb.evidence}
    denied = _unique([{"id": d["id"], "text": d["text"], "quote": d.get("quote", ""),
                       "question": f"第{number[q.id]}题"} for q, fb in ordered for d in fb.claims.get("denied", [])
                      if d["id"] not in evidenced])
    # Conditions (age, shifts) are confirmed with documents, not evidenced by stories.
    never = [{"id": rid, "text": req_text.get(rid, rid)} for rid in answered_reqs
             if rid not in evidenced and req_kind.get(rid) != "condition"]

    strengths: list[str] = []
    weaknesses: list[str] = []
    for q, fb in scored:
        if fb.score >= PRACTISE_BELOW and fb.evidence:
            shown = join_items(list(dict.fromkeys(ev["requirement"] for ev in fb.evidence))[:3])
            strengths.append(f"第{number[q.id]}题（{fb.score}分）用具体经历说明了：{shown}")
        elif fb.score >= PRACTISE_BELOW:
            strengths.append(f"第{number[q.id]}题（{fb.score}分）回答得比较具体、有条理")
    for item in denied:
        weaknesses.append(f"{item['question']}说明还没有“{item['text']}”，这一项暂时不符合岗位要求")
    for q, fb in ordered:
        n = f"第{number[q.id]}题"
        if fb.relevance.get("language", "zh") != "zh":
            weaknesses.append(f"{n}没有用中文回答，未能评分")
        elif not fb.relevance.get("on_topic", True):
            weaknesses.append(f"{n}的回答跑题了")
        elif fb.specificity.get("keyword_list"):
            weaknesses.append(f"{n}只列出了关键词，没有讲具体经历")
        elif fb.specificity.get("claims_only"):
            weaknesses.append(f"{n}只说了“都会”“没问题”，没有讲怎么做的")
        elif fb.claims.get("hedged"):
            weaknesses.append(f"{n}用了“应该”“可能”等不确定的说法")
        if any("抱怨" in h for h in fb.delivery):
            weaknesses.append(f"{n}出现了抱怨前雇主的说法")
    if len(scored) >= MIN_ANSWERS_FOR_OVERALL:
        shares = {name: float(np.mean([fb.breakdown[name]["points"] / fb.breakdown[name]["max"]
                                       for _, fb in scored])) for name in POINTS}
        strengths += [_COMPONENT_STRENGTH[n] for n, v in sorted(shares.items(), key=lambda kv: -kv[1]) if v >= 0.7][:2]
        weaknesses += [_COMPONENT_WEAKNESS[n] for n, v in sorted(shares.items(), key=lambda kv: kv[1]) if v < 0.55][:2]
    if not strengths and answered:
        strengths.append("愿意完成模拟面试、认真作答，这本身就是好的开始")

    average = int(round(float(np.mean([fb.score for _, fb in ordered]))))
    next_steps: list[str] = []
    practise = sorted([(q, fb) for q, fb in ordered if fb.score < PRACTISE_BELOW], key=lambda item: item[1].score)[:2]
    if practise:
        names = join_items([f"第{number[q.id]}题（{fb.score}分）" for q, fb in practise])
        next_steps.append(f"按反馈里的提纲，把{names}再练一遍，讲一次真实经历：当时什么情况、你怎么做、结果怎样。")
    for item in denied[:2]:
        next_steps.append(f"补上“{item['text']}”：{_training_line(item['id'], item['text'], req_kind)}。")
    shown_gaps = [n for n in never if n["id"] not in {d["id"] for d in denied}]
    if shown_gaps:
        next_steps.append(f"为这些要求各准备一个真实例子：{join_items([n['text'] for n in shown_gaps[:3]])}。")
    if unanswered:
        first = join_items([f"第{number[q.id]}题" for q in unanswered[:3]])
        next_steps.append(f"还有 {len(unanswered)} 道题没有回答（先答{first}），答完后报告会更完整。")
    elif average >= READY_AVERAGE and not denied and not practise:
        next_steps.append("每道题都答得不错，可以投递这个岗位了；也可以换“资深”难度再练一次。")
    elif not practise:
        next_steps.append("过几天再做一次完整的模拟面试，对比分数变化；可以请就业服务站的指导员陪练。")

    needs = [{"requirement_id": d["id"], "requirement": d["text"], "kind": req_kind.get(d["id"], "skill"),
              "reason": "denied"} for d in denied]
    needs += [{"requirement_id": n["id"], "requirement": n["text"], "kind": req_kind.get(n["id"], "skill"),
               "reason": "not_shown"} for n in shown_gaps[:3]]
    training = [_training_line(n["requirement_id"], n["requirement"], req_kind) for n in needs]
    if len(scored) >= 2 and np.mean([fb.breakdown["structure"]["points"] / 20 for _, fb in scored]) < 0.55:
        training.append("参加就业服务中心的求职面试技巧辅导（模拟面试、简历指导），练习有条理地讲经历")
    summary = f"已回答 {answered}/{total} 题，平均 {average} 分。" + (
        "以下评价只来自已回答的题目。" if unanswered else "")
    return Report(
        answered=answered, total_questions=total, average_score=average, per_question=per_question,
        strengths=strengths, weaknesses=list(dict.fromkeys(weaknesses)), never_evidenced=never,
        next_steps=next_steps, training=list(dict.fromkeys(training)), summary=summary,
        not_yet_asked=not_yet, denied=denied, training_needs=needs,
        trainings=training_finder(needs) if training_finder and needs else [],
    )


def _training_line(rid: str, text: str, req_kind: Mapping[str, str]) -> str:
    template = _TRAINING_BY_KIND.get(req_kind.get(rid, "skill"), _TRAINING_BY_KIND["skill"])
    return template.format(req=text)


def _unique(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item["id"] not in seen:
            seen.add(item["id"])
            out.append(item)
    return out
