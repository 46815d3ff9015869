"""Feedback writing seam: suggestions and an answer outline from what the scorer found."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from matcher.interview.text import STRUCTURE_LABELS, join_items, short_quote
from matcher.interview.types import Question, Requirement

# ----------------------------------------------------------------------------------------------
# Feedback writing seam
# ----------------------------------------------------------------------------------------------
@dataclass
class ScoredAnswer:
    """Everything the scorer found; a FeedbackWriter turns it into suggestions and an outline."""

    question: Question
    answer: str
    targets: list[Requirement]
    covered: list[Requirement]
    missing: list[Requirement]
    off_topic: bool
    structure_missing: list[str]
    specificity_level: str
    delivery_flags: list[str]
    best_resume_sentences: dict[str, str]
    resume_sentences: list[str]
    framework: str = "STAR"
    denied: list[dict[str, str]] = field(default_factory=list)
    hedged: list[dict[str, str]] = field(default_factory=list)
    planned: list[dict[str, str]] = field(default_factory=list)
    keyword_list: bool = False
    substance: float = 1.0
    claims_only: bool = False
    boast: bool = False  # the claims rate the speaker (行家里手, 都找我请教), not merely vague (就是扫一下嘛)
    unsure: bool = False  # most of the answer hedges (估计, 兴许, 应该…吧)


class FeedbackWriter(Protocol):
    def suggestions(self, scored: ScoredAnswer) -> list[str]: ...

    def outline(self, scored: ScoredAnswer) -> list[str]: ...


class TemplateFeedbackWriter:
    """Concrete Chinese advice chosen by the largest gaps, in a fixed priority order."""

    def suggestions(self, s: ScoredAnswer) -> list[str]:
        out: list[str] = []
        if s.off_topic:
            out.append(f"这个回答和题目关系不大。先正面回答问题：{_question_gist(s.question)}，再补充经历。")
        if s.keyword_list:
            out.append("只列出了关键词，没有讲具体经历。请用完整的句子讲一次你做过的事：当时什么情况、你怎么做的、结果怎样。")
        if s.claims_only and s.boast:
            out.append("只说了自己行，没有讲具体做过什么。请举一个例子：当时什么情况、你怎么做的、结果怎样，最好带上数字。")
        elif s.claims_only:
            out.append("说得太笼统了，没有讲具体怎么做。请讲一次真实经历：当时什么情况、你怎么做的、结果怎样。")
        if s.unsure and not s.hedged:
            out.append("回答里不确定的说法（“估计”“可能”“应该……吧”）太多。做过就直接说做过并讲经过；没做过就坦白说明，再讲打算怎么学。")
        for item in s.denied[:1]:
            out.append(_denied_advice(item))
        for item in s.hedged[:1]:
            out.append(
                f"说到“{item['text']}”时用了“应该”“可能”这类不确定的说法（“{item['quote']}”）。"
                "做过就直接说做过，并讲一次具体经过；没做过就坦白说明，再讲打算怎么学。"
            )
        for item in s.planned[:1]:
            out.append(
                f"你打算补上“{item['text']}”，这是好的。面试时把计划说具体：什么时候、在哪里学或考，"
                "再补一段和它相近的实际经历。"
            )
        if "negative" in s.delivery_flags:
            out.append("谈到以前的单位或老板时不要抱怨，可以改成“那份工作让我学到了……，现在想找一个更能发挥……的岗位”。")
        if "too_short" in s.delivery_flags and not (s.off_topic or s.keyword_list or s.claims_only):
            out.append("回答太短了。至少说三四句话（约100到300字）：先正面回答，再举一个自己的例子，最后说结果。")
        elif "brief" in s.delivery_flags and s.specificity_level != "具体" and s.substance >= 0.3 and not (
                s.off_topic or s.keyword_list or s.claims_only or s.denied or s.hedged or s.unsure):
            out.append("回答说清了做法，可以再补一个自己的具体例子（什么时候、遇到什么情况、结果怎样），会更有说服力。")
        flagged = {item["id"] for item in s.denied + s.hedged + s.planned}
        for req in [r for r in s.missing if r.id not in flagged][:1]:
            resume = s.best_resume_sentences.get(req.id, "")
            if resume:
                out.append(f"没有说到“{req.text}”。你简历里有“{short_quote(resume, 40)}”，可以把这段经历讲出来。")
            elif not s.keyword_list:
                out.append(f"没有说到“{req.text}”。请说说你在这方面做过什么；确实没有的话，坦白说明并讲清打算怎么学。")
        if s.structure_missing and not s.off_topic and not s.keyword_list and not s.denied:
            labels = join_items([STRUCTURE_LABELS[m] for m in s.structure_missing])
            if s.framework == "STAR":
                out.append(f"按“情境—任务—行动—结果”来讲，这次缺少：{labels}。")
            elif s.framework == "操作步骤":
                out.append(f"按“先做什么—再做什么—注意什么—怎么检查记录”来讲，这次缺少：{labels}。")
            else:
                out.append(f"回答里可以补上：{labels}。")
        if s.specificity_level not in ("具体", "关键词") and not s.off_topic and not s.denied:
            out.append("多用具体数字和例子代替“我能吃苦”“我很认真”：比如做了几年、每天服务多少人、用过什么工具或证书。")
        if "rambling" in s.delivery_flags:
            out.append("回答太长，面试时控制在一两分钟（约300字）：先说结论，再讲一个最有代表性的例子。")
        if "fillers" in s.delivery_flags:
            out.append("少用“嗯”“那个”“不知道”，不会的地方可以说“这方面我经验不多，但我会……”。")
        if len(out) < 2:
            out.append("可以再准备一个备用例子，被追问时能说出更多细节（时间、人数、结果）。")
        if len(out) < 2:
            out.append("回答的最后加一句和岗位的联系，比如“这段经历能让我很快上手这里的工作”。")
        return out[:3]

    def outline(self, s: ScoredAnswer) -> list[str]:
        q, role = s.question, s.question.role_title or "这个岗位"
        best = _best_resume_line(s)
        targets = join_items([r.text for r in s.targets[:3]]) or role
        if q.kind == "opening":
            return [
                "1. 基本情况：姓名、年龄段、住在哪里（离岗位近是加分项）。",
                f"2. 相关经历：{best or '挑一段和岗位最相关的工作或生活经历'}，说清做了多久、做什么。",
                f"3. 优势：对上岗位要求（{targets}），每条配一个小例子或证书。",
                f"4. 意向：为什么想做{role}，能稳定干下去。",
            ]
        if q.kind == "motivation":
            return [
                f"1. 原因：说一个真实、积极的理由（离家近、喜欢和人打交道、想长期做{role}等）。",
                f"2. 了解：说出这个岗位每天主要做什么（{targets}）。",
                f"3. 匹配：{best or '举一段相关经历'}，说明你为什么适合。",
                "4. 打算：愿意长期干、会考证或参加培训提升自己。",
            ]
        if s.framework == "操作步骤":
            return [
                f"1. 开头一句：{best or '说明你做过类似的工作'}。",
                f"2. 步骤：按先后顺序说清“{targets}”怎么做，每步一句话。",
                "3. 注意事项：安全、卫生或容易出错的地方，以及用到的工具。",
                "4. 检查和记录：做完怎么检查、记在哪里、出了问题向谁报告。",
            ]
        if q.kind == "conditions":
            return [
                f"1. 逐条明确回答：{targets}，符合就说“符合”，并给出事实（证件、体检、住址）。",
                "2. 有困难的地方提前说明，并给出解决办法（如家人帮忙接送、可以调整时间）。",
            ]
        return [
            f"1. 情境：{best or '选一次真实经历'}——什么时间、在哪里、遇到了什么情况。",
            f"2. 任务：你负责什么，和“{targets}”有什么关系。",
            "3. 行动：你具体做的两三步，用到的工具、方法或证书。",
            "4. 结果：用数字或别人的评价收尾（如没有投诉、被表扬、效率提高多少）。",
        ]


def _denied_advice(item: dict[str, str]) -> str:
    """A denial is honest: say so kindly, and what to do next."""
    text = item["text"]
    if re.search(r"证|执照|资格|等级", text):
        step = "可以说明打算什么时候报名培训、考取证书（就业服务站可以帮你找补贴性培训）"
    elif re.search(r"经验|经历|年以上", text):
        step = "可以讲一段相近的经历（家里、志愿服务或别的工作中做过的类似事情），再说明打算怎么尽快上手"
    else:
        step = "可以讲一段相近的经历，或者说明打算怎么学（跟师傅学、参加培训），以及多久能学会"
    return f"你坦白说了还没有“{text}”（“{item['quote']}”），诚实很好，这一项暂时不算达到要求。{step}。"


def _question_gist(q: Question) -> str:
    text = re.sub(r"^[^。？]*?“[^”]*”[^。？]*。", "", q.text) or q.text
    first = re.split(r"[？?]", text)[0]
    return (first[:40] + "？") if first else q.text[:40]


def _best_resume_line(s: ScoredAnswer) -> str:
    for req in s.targets:
        line = s.best_resume_sentences.get(req.id, "")
        if line:
            return f"你简历里的“{short_quote(line, 40)}”"
    if s.question.resume_hint:
        return f"你简历里的“{s.question.resume_hint}”"
    if s.resume_sentences:
        return f"你简历里的“{short_quote(s.resume_sentences[0], 40)}”"
    return ""

