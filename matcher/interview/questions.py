"""Question writing seam and session building."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Protocol, Sequence

from matcher.interview.text import (
    VectorCache, cosine, join_items, match_strength, short_quote, split_sentences, term_recall, terms,
)
from matcher.interview.types import (
    COVER_COS_RAMP, DIFFICULTIES, EVIDENCE_MIN, MAX_QUESTIONS, MIN_QUESTIONS, QUESTION_KINDS,
    RESUME_EVIDENCE_MIN, InterviewError, Question, Requirement,
)
from models.encoder import Encoder

# ----------------------------------------------------------------------------------------------
# Question writing seam
# ----------------------------------------------------------------------------------------------
@dataclass
class QuestionSlot:
    """What a question must do; a writer turns it into words."""

    kind: str
    requirements: list[Requirement]
    role_title: str
    difficulty: str
    resume_sentence: str = ""


class QuestionWriter(Protocol):
    def write(self, slot: QuestionSlot) -> str: ...


def _quoted(reqs: Sequence[Requirement]) -> str:
    return join_items([f"“{r.text}”" for r in reqs])


class TemplateQuestionWriter:
    """Chinese question templates per question kind, requirement kind and difficulty."""

    def write(self, slot: QuestionSlot) -> str:
        role, level, reqs = slot.role_title or "这个岗位", slot.difficulty, slot.requirements
        names = _quoted(reqs)
        t = topics(reqs)
        if slot.kind == "opening":
            if level == "entry":
                return f"先请您简单介绍一下自己吧：叫什么、之前做过什么，有什么长处。不用紧张，说两三分钟就行。"
            if level == "senior":
                return f"请用两三分钟介绍一下自己，重点说说您做过的和{role}相关的工作、带过多少人、取得过什么成绩。"
            return f"请先做个自我介绍，重点讲讲和{role}相关的经历和您的优势。"
        if slot.kind == "motivation":
            if level == "senior":
                return f"您为什么想来做{role}？您觉得做好这个岗位最关键的是什么，如果是您来带，头三个月会定什么目标？"
            if level == "entry":
                return f"您为什么想做{role}这份工作？您觉得这份工作每天主要做些什么？"
            return f"您为什么想应聘{role}？您对这个岗位平时的工作了解多少，觉得自己哪里适合？"
        if slot.kind == "resume":
            link = f"，它和{t}有什么相通的地方" if reqs else ""
            tail = "您当时带了几个人、怎么分工、结果如何？" if level == "senior" else "您当时具体负责什么、怎么做的、结果怎样？"
            return f"您的简历里写到“{slot.resume_sentence}”。请具体讲讲这段经历{link}。{tail}"
        if slot.kind == "gap" and reqs and reqs[0].kind == "certificate":
            return f"您的简历里没有写{t}。您现在有吗？如果还没有，打算什么时候、通过什么途径去考？"
        if slot.kind == "gap":
            return (
                f"您的简历里还没看到{t}方面的经历。您做过类似的事吗？请讲一次具体的经历；"
                f"如果没有，打算怎么尽快学会？"
            )
        if slot.kind == "conditions":
            return f"这个岗位还有几项基本要求：{names}。您的情况符合吗？有没有需要提前说明的？"
        if slot.kind == "plan":
            if level == "senior":
                return f"如果您被录用为{role}的负责人，第一个月您会怎么了解团队、定下哪些可以量化的目标？"
            return f"如果录用您，第一个月您打算怎么尽快熟悉{role}的工作？请说说具体的做法。"
        if slot.kind == "situational":
            topic_note = f"（岗位看重{t}）" if reqs else ""
            if level == "entry":
                return (
                    f"假设您刚上岗第一周，遇到一件自己不会处理的事，比如服务对象提了您不懂的要求{topic_note}，"
                    f"您会怎么办？"
                )
            if level == "senior":
                return (
                    f"如果您带一个班组，两个组员闹矛盾、影响了工作，同时这个月的任务指标又很紧{topic_note}，"
                    f"您会怎么处理？请举一个您带人的真实例子。"
                )
            return f"工作中如果服务对象或客户对您不满意、甚至投诉您{topic_note}，您会怎么处理？请举一个您遇到过的例子。"
        # probe: by requirement kind, in the words a counsellor would use
        kind = reqs[0].kind if reqs else "skill"
        if kind == "certificate":
            return f"您有{t}吗？是哪一年考的、在工作里用上过吗？如果还没有，打算什么时候考？"
        if kind == "experience":
            if level == "senior":
                return f"您做过{t}吗？请讲一段最有代表性的经历：您负责什么、怎么带人做的、结果用数字说说。"
            return f"您做过{t}吗？做了多久？请讲一次具体的经历：当时是什么情况，您做了什么，结果怎样？"
        if kind == "duty":
            if level == "entry":
                return f"这个岗位平时要{t}。如果让您来做，您会按什么步骤做？要注意哪些安全或细节？"
            if level == "senior":
                return f"这个岗位要{t}。如果由您负责，您会怎么安排人手、定什么检查标准来保证做好？"
            return f"这个岗位平时要{t}。您做过吗？请讲一次具体的经历：您是怎么做的、注意了什么？"
        if kind == "soft":
            return f"这个岗位看重{t}。请讲一件能说明这一点的真实的事：当时什么情况，您是怎么做的？"
        if level == "entry":
            return f"您用过{t}吗？会到什么程度？请举一个您用过的例子。"
        if level == "senior":
            return f"您用{t}解决过什么实际问题？请讲一次，再说说您会怎么教新人掌握。"
        return f"您用过{t}吗？请讲一件您用它做过的具体的事：做的什么、怎么做的、结果怎样？"


_LEAD = re.compile(
    r"^(?:持有|具有|具备|取得|需有|须有|需要|要有|有|能够|能|会|可以|熟练(?:使用|掌握|操作)?|熟悉|掌握|负责|协助|"
    r"做好|完成|懂得?|了解|较强的|良好的|一定的)+"
)
_EXPERIENCE_TAIL = re.compile(r"(?:的)?(?:相关)?(?:工作)?(?:经验|经历)(?:者)?(?:优先)?$")


def topic(req: Requirement, limit: int = 24) -> str:
    """A requirement as the object of a spoken question: first clause, leading verbs of the posting
    ("持有", "熟练使用", "负责") and an experience tail ("…经验") dropped; never a whole definition."""
    clauses = [c.strip() for c in re.split(r"[，,；;。（(：:]", req.text) if c.strip()] or [req.text.strip()]
    first = clauses[0]
    if len(clauses) > 1 and re.match(r"(?:使用|运用|利用|按照|根据|依据|通过|采用|在)", first):
        first = clauses[1]  # "使用清扫机具，清洗道路": the duty is what follows the means
    text = _LEAD.sub("", first) or first
    if req.kind == "experience":
        text = re.sub(r"^\d+\s*年以上", "", text)
        text = _EXPERIENCE_TAIL.sub("", text) or text
        text = text.lstrip("在从事")
    return text[:limit] or req.text[:limit]


def topics(reqs: Sequence[Requirement]) -> str:
    return join_items([topic(r) for r in reqs])


_KIND_RUBRIC_TERMS = {
    "opening": ["经历", "优势", "应聘"],
    "motivation": ["原因", "了解", "适合", "长期"],
    "conditions": ["符合", "接受"],
    "situational": ["沟通", "处理", "结果"],
    "plan": ["学习", "熟悉", "目标"],
}
_LEVEL_RUBRIC_TERMS = {"senior": ["团队", "目标", "分工"], "entry": ["请教", "学习"], "standard": []}


def _rubric_terms(slot: QuestionSlot) -> list[str]:
    out: list[str] = []
    for req in slot.requirements:
        out.extend(sorted(terms(req.text)))
    out.extend(_KIND_RUBRIC_TERMS.get(slot.kind, []))
    out.extend(_LEVEL_RUBRIC_TERMS.get(slot.difficulty, []))
    if slot.kind in {"opening", "motivation", "plan"} and slot.role_title:
        out.extend(sorted(terms(slot.role_title)))
    return list(dict.fromkeys(out))[:24]


# ----------------------------------------------------------------------------------------------
# Session building
# ----------------------------------------------------------------------------------------------
_KIND_PRIORITY = {"certificate": 0, "skill": 0, "experience": 1, "duty": 2, "soft": 3}


def _importance(req: Requirement, position: int) -> tuple:
    """Most important first: required before preferred, posting before occupation duties,
    certificates/skills before other kinds, then listing order."""
    return (req.preferred, req.source == "occupation", _KIND_PRIORITY.get(req.kind, 4), position)


def resume_evidence(
    requirements: Sequence[Requirement], resume_text: str, *, encoder: Encoder | None = None,
    _cache: VectorCache | None = None,
) -> dict[str, tuple[float, str]]:
    """For each requirement id, the strength (0-1) and text of the best-matching resume sentence."""
    sentences = split_sentences(resume_text or "")
    if not sentences or not requirements:
        return {r.id: (0.0, "") for r in requirements}
    cache = _cache or VectorCache(encoder)
    sims = cosine(cache.encode([r.text for r in requirements]), cache.encode(sentences))
    sentence_terms = [terms(s) for s in sentences]
    out: dict[str, tuple[float, str]] = {}
    for i, req in enumerate(requirements):
        req_terms = terms(req.text)
        best, best_sentence = 0.0, ""
        for j, sentence in enumerate(sentences):
            cos = float(sims[i, j]) if sims is not None else None
            strength = match_strength(cos, term_recall(req_terms, sentence_terms[j]), COVER_COS_RAMP)
            if strength > best:
                best, best_sentence = strength, sentence
        out[req.id] = (round(best, 4), best_sentence)
    return out


def build_session(
    *,
    requirements: Sequence[Requirement],
    resume_text: str,
    role_title: str,
    difficulty: str = "standard",
    encoder: Encoder | None = None,
    writer: QuestionWriter | None = None,
    cache: VectorCache | None = None,
) -> list[Question]:
    """5-8 Chinese questions in interview order: opening, motivation, the resume's strongest
    relevant experience, probes of key requirements, requirements the resume gives no evidence
    for, a difficulty-specific situational question, basic conditions, and (when short) a plan.

    With at most 6 key (non-condition) requirements every one is tested; with more, the most
    important are tested, same-kind ones are grouped into one question (see `Question.note`) and
    `session_coverage` lists what was not asked. Without an encoder, matching is lexical only.
    """
    if difficulty not in DIFFICULTIES:
        raise InterviewError(f"难度只能是 entry（入门）、standard（标准）或 senior（资深/带团队），收到 {difficulty!r}。")
    if not (role_title or "").strip():
        raise InterviewError("请提供应聘的岗位名称。")
    writer = writer or TemplateQuestionWriter()
    role_title = role_title.strip()
    reqs = list(requirements)
    conditions = [r for r in reqs if r.kind == "condition"]
    key = sorted(
        [r for r in reqs if r.kind != "condition"],
        key=lambda r: _importance(r, reqs.index(r)),
    )
    soft = [r for r in key if r.kind == "soft"]
    evidence = resume_evidence(key, resume_text, encoder=encoder, _cache=cache)

    fixed = 3 + (1 if conditions else 0)  # opening, motivation, situational (+ conditions)
    budget = MAX_QUESTIONS - fixed

    # The resume question: the sentence that evidences the most important requirements best.
    resume_slot: QuestionSlot | None = None
    evidenced = [r for r in key if evidence[r.id][0] >= RESUME_EVIDENCE_MIN and r.kind != "soft"]
    # A certificate is asked about directly; the resume question is about lived experience.
    experiential = [r for r in evidenced if r.kind != "certificate"] or evidenced
    if experiential and budget > 0:
        anchor = max(experiential, key=lambda r: (evidence[r.id][0], -key.index(r)))
        sentence = evidence[anchor.id][1]
        covered = [anchor] + [
            r for r in evidenced if r is not anchor and evidence[r.id][1] == sentence
        ][:1]
        resume_slot = QuestionSlot("resume", covered, role_title, difficulty, short_quote(sentence, 50))
        budget -= 1
    taken = {r.id for r in (resume_slot.requirements if resume_slot else [])}

    # Soft requirements ride on the situational question (up to two), the rest need own slots.
    situational_reqs = [r for r in soft if r.id not in taken][:2]
    taken |= {r.id for r in situational_reqs}
    remaining = [r for r in key if r.id not in taken]

    units: list[tuple[str, list[Requirement]]] = [
        ("probe" if evidence[r.id][0] >= EVIDENCE_MIN else "gap", [r]) for r in remaining
    ]
    # The resume's gaps first: they keep their own question when the budget is short.
    units.sort(key=lambda u: 0 if u[0] == "gap" else 1)
    units = _group_units(units, budget)
    slots: list[QuestionSlot] = [QuestionSlot("opening", [], role_title, difficulty)]
    for kind, unit in units:  # gaps, then probes
        slots.append(QuestionSlot(kind, unit, role_title, difficulty))
    if resume_slot:
        slots.insert(1 + sum(1 for k, _ in units if k == "gap"), resume_slot)
    slots.append(QuestionSlot("motivation", [], role_title, difficulty))
    slots.append(QuestionSlot("situational", situational_reqs, role_title, difficulty))
    if conditions:
        slots.append(QuestionSlot("conditions", conditions[:4], role_title, difficulty))
    while len(slots) < MIN_QUESTIONS:
        slots.append(QuestionSlot("plan", [], role_title, difficulty))

    questions = []
    for i, slot in enumerate(slots):
        note = f"本题合并考察：{join_items([r.text for r in slot.requirements])}" if (
            slot.kind in {"probe", "gap"} and len(slot.requirements) > 1
        ) else ""
        question = make_question(
            f"q{i + 1}", writer.write(slot), slot.kind, slot.requirements,
            role_title=role_title, difficulty=difficulty, resume_hint=slot.resume_sentence,
        )
        question.note = note
        questions.append(question)
    return questions


def make_question(
    question_id: str,
    text: str,
    kind: str,
    requirements: Sequence[Requirement],
    *,
    role_title: str = "",
    difficulty: str = "standard",
    resume_hint: str = "",
) -> Question:
    """A question with its rubric terms, for questions written outside `build_session`
    (a counsellor's own question, a generative writer, an evaluation set)."""
    if kind not in QUESTION_KINDS:
        raise InterviewError(f"未知的题目类型 {kind!r}，可用：{join_items(QUESTION_KINDS)}。")
    slot = QuestionSlot(kind, list(requirements), role_title, difficulty, resume_hint)
    return Question(
        id=question_id, text=text, kind=kind, requirements=[r.id for r in requirements],
        rubric_terms=_rubric_terms(slot), role_title=role_title, resume_hint=resume_hint,
        probes=probes_line(kind, requirements),
    )


_KIND_PROBES = {
    "opening": "整体经历和与岗位的匹配", "motivation": "求职动机和对岗位的了解",
    "situational": "处理难题和与人沟通", "plan": "上岗后的学习打算", "conditions": "岗位的基本条件",
}


def probes_line(kind: str, requirements: Sequence[Requirement]) -> str:
    """Which requirement(s) a question probes, as the seeker reads it."""
    gap = "（简历中暂未体现）" if kind == "gap" else ""
    if requirements:
        return f"考察：{join_items([r.text for r in requirements])}{gap}"
    return f"考察：{_KIND_PROBES.get(kind, '与岗位相关的经历')}"


def _group_units(
    units: list[tuple[str, list[Requirement]]], budget: int, *, max_per_question: int = 3
) -> list[tuple[str, list[Requirement]]]:
    """Merge same-kind units (probe/gap and requirement kind) until they fit `budget`; drop the
    least important units only when merging cannot make them fit."""
    units = [(kind, list(reqs)) for kind, reqs in units]
    while len(units) > max(budget, 0):
        merged = False
        # Merge from the least important end, so the most important keep their own question.
        for i in range(len(units) - 1, 0, -1):
            kind_i, reqs_i = units[i]
            for j in range(i - 1, -1, -1):
                kind_j, reqs_j = units[j]
                same = kind_i == kind_j and reqs_i[0].kind == reqs_j[0].kind
                if same and len(reqs_i) + len(reqs_j) <= max_per_question:
                    units[j] = (kind_j, reqs_j + reqs_i)
                    del units[i]
                    merged = True
                    break
            if merged:
                break
        if not merged:
            for i in range(len(units) - 1, 0, -1):
                kind_i, reqs_i = units[i]
                kind_j, reqs_j = units[i - 1]
                if kind_i == kind_j and len(reqs_i) + len(reqs_j) <= max_per_question:
                    units[i - 1] = (kind_j, reqs_j + reqs_i)
                    del units[i]
                    merged = True
                    break
        if not merged:
            units.pop()
    return units


def session_coverage(questions: Sequence[Question], requirements: Sequence[Requirement]) -> dict[str, Any]:
    """Which requirements the session tests alone, which were grouped, and which were not asked."""
    count: dict[str, int] = {}
    grouped: list[list[str]] = []
    for q in questions:
        for rid in q.requirements:
            count[rid] = count.get(rid, 0) + 1
        if q.kind in {"probe", "gap", "resume", "situational", "conditions"} and len(q.requirements) > 1:
            grouped.append(list(q.requirements))
    return {
        "tested": [r.id for r in requirements if r.id in count],
        "grouped": grouped,
        "not_asked": [r.id for r in requirements if r.id not in count],
    }


def find_question(questions: Sequence[Question], question_id: str) -> Question:
    for q in questions:
        if q.id == question_id:
            return q
    known = "、".join(q.id for q in questions) or "无"
    raise InterviewError(f"本次模拟面试中没有题目 {question_id!r}（现有题目：{known}）。")



def questions_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[Question]:
    return [Question.from_dict(i) for i in items]
