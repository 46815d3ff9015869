"""Feedback writing seam: suggestions and an answer outline from what the scorer found."""
from __future__ import annotations

import re
from dataclasses import dataclass
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


class FeedbackWriter(Protocol):
    def suggestions(self, scored: ScoredAnswer) -> list[str]: ...

    def outline(self, scored: ScoredAnswer) -> list[str]: ...


class TemplateFeedbackWriter:
    """Concrete Chinese advice chosen by the largest gaps, in a fixed priority order."""

    def suggestions(self, s: ScoredAnswer) -> list[str]:
        out: list[str] = []
        if s.off_topic:
            out.append(f"这个回答和题目关系不大。先正面回答问题：{_question_gist(s.question)}，再补充经历。")
        if "negative" in s.delivery_flags:
            out.append("谈到以前的单位或老板时不要抱怨，可以改成“那份工作让我学到了……，现在想找一个更能发挥……的岗位”。")
        if "too_short" in s.delivery_flags and not s.off_topic:
            out.append("回答太短了。至少说三四句话（约100到300字）：先正面回答，再举一个自己的例子，最后说结果。")
        for req in s.missing[:1]:
            resume = s.best_resume_sentences.get(req.id, "")
            if resume:
                out.append(f"没有说到“{req.text}”。你简历里有“{short_quote(resume, 40)}”，可以把这段经历讲出来。")
            else:
                out.append(f"没有说到“{req.text}”。请说说你在这方面做过什么；确实没有的话，坦白说明并讲清打算怎么学。")
        if s.structure_missing and not s.off_topic:
            labels = join_items([STRUCTURE_LABELS[m] for m in s.structure_missing])
            if s.framework == "STAR":
                out.append(f"按“情境—任务—行动—结果”来讲，这次缺少：{labels}。")
            elif s.framework == "操作步骤":
                out.append(f"按“先做什么—再做什么—注意什么—怎么检查记录”来讲，这次缺少：{labels}。")
            else:
                out.append(f"回答里可以补上：{labels}。")
        if s.specificity_level != "具体" and not s.off_topic:
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

