"""Rubric scoring of one mock-interview answer.

Everything here runs offline with the bundled encoder; no generative model is used. Feedback wording
goes through the `FeedbackWriter` seam (feedback.py).

Scoring rubric (100 points, deterministic: same question, answer and requirements -> same score)
------------------------------------------------------------------------------------------------
The answer is first cut to `MAX_ANSWER_CHARS` (2,000) characters, with a Chinese notice; at most
`MAX_CHUNKS` (32) sentence pieces are embedded, in ONE encoder call per answer; question and
requirement vectors come from the scorer's cache (computed once per session).

An answer written mostly in another language is not scored as Chinese: it gets a fixed
`NON_CHINESE_SCORE` (10, the floor of a weak on-topic answer) and the message
请用中文回答，当前评分只支持中文.

Each clause is read for its stance (claims.py): affirmed, denied, hedged, planned; and whether it is
concrete (numbers, situations, tools, actions) or a bare claim. `substance` is the share of the
answer (by length) in affirmed, concrete clauses, ramped 0 -> `SUBSTANCE_FULL_AT` (0.5). A bare list of
keywords has substance 0.

1. relevance   20  Is the answer about the question?  70% semantic: cosine between the answer
                   (length-weighted mean of its sentence vectors) and the question or its
                   requirements, ramped 0.70 -> 0.85; 30% lexical: share of the question's key terms
                   found in the answer, ramped 0 -> 0.25. A keyword list keeps 60% of it. Off-topic
                   (relevance 0, every other component multiplied by 0.05) is judged relative to
                   references, never on a fixed cosine: small talk and talk about the role's trade
                   (topic.py), with asides, acts, self-assessments and boasts read from the clauses.
2. coverage    30  Evidence for the requirements the question tests. Each requirement scores 0-1 from
                   its best sentence: match strength (cosine ramp 0.70-0.85, or 1.5 x term recall)
                   times the stance factor of the clause that names it (affirmed & concrete 1.0, bare
                   claim 0.3, hedged 0.25, planned 0.15, denied 0), or 0.9 x the whole answer's ramped
                   cosine x substance. A denied requirement scores 0 and is reported as denied.
                   Opening, motivation and plan questions need evidence for 3 of the role's requirements.
3. specificity 20  On the affirmed clauses only: numbers with units (8 points for two), a concrete
                   example (6), two tools, certificates or procedures named (6); vague self-praise
                   costs 2 each, up to 6 (halved when the answer is otherwise concrete).
4. structure   20  Share of framework elements found in the affirmed clauses (the whole answer for
                   condition questions). Behavioural: STAR, with actions and results as spoken
                   ("我先…再…", "跟顾客道歉", "没有一个长过压疮"). Duties: steps. Opening, motivation, conditions:
                   their own elements.
5. delivery    10  Starts at 10: too short (<25 characters -6), brief (<60, -2: a normal spoken answer, told
                   it can add an example, never that it is too short), too long (>800 -2, >1,500 -4),
                   repeated sentences -2, complaints about former employers -5, fillers -2; then
                   multiplied by 0.4 + 0.6 x substance (length alone is not good delivery).

Components 2-5 are multiplied by a relevance gate `0.15 + 0.85 * min(1, relevance_share / 0.6)`.
The score is the rounded sum, clipped to 0-100.
"""
from __future__ import annotations

import math
import re
from typing import Sequence

import numpy as np

from matcher.interview import claims
from matcher.interview.boasts import boast_signals
from matcher.interview.feedback import FeedbackWriter, ScoredAnswer, TemplateFeedbackWriter
from matcher.interview.questions import QuestionSlot, TemplateQuestionWriter, resume_evidence
from matcher.interview.text import (
    CJK, CONDITIONS, DONT_KNOW_RE, EXAMPLE_RE, FILLER_RE, INTRO, MOTIVATION, NEGATIVE_RE, NUMBER_RE, STAR,
    STEPS, STRUCTURE_LABELS, TOOL_RE, VAGUE_RE, VectorCache, cosine, join_items, match_strength, ramp_share,
    short_quote, split_sentences, term_recall, terms,
)
from matcher.interview.topic import TopicSignals, off_topic_test  # noqa: F401  (off_topic_test: re-exported)
from matcher.interview.topic import references as _references
from matcher.interview.types import (
    AGAINST_MIN, BEHAVIOURAL_KINDS, CHUNK_CHARS, COVER_COS_RAMP, DELIVERY_SUBSTANCE_FLOOR, DIFFICULTIES, EVIDENCE_MIN,
    GATE_FLOOR, GATE_FULL_AT, KEYWORD_LIST_RELEVANCE, MAX_ANSWER_CHARS, MAX_CHUNKS, NON_CHINESE_SCORE, OFF_TOPIC_GATE,
    OFF_TOPIC_RELEVANCE_CAP, ON_TOPIC_FLOOR, POINTS, QUESTION_KINDS, REL_COS_RAMP, REL_LEX_RAMP, REL_SEMANTIC_WEIGHT,
    RELEVANCE_SUBSTANCE_FLOOR, REQUIREMENT_KINDS, RESUME_EVIDENCE_MIN, STANCE_FACTOR, SUBSTANCE_FULL_AT,
    WHOLE_ANSWER_FACTOR, Feedback, InterviewError, Question, Requirement,
)
from models.encoder import Encoder

NON_CHINESE_MESSAGE = "请用中文回答，当前评分只支持中文。"
# Length in characters (Chinese, Latin letters, digits) below which an answer is too short (a phrase or one
# short sentence), and below which it is brief (two or three plain sentences: normal, with room for an example).
TOO_SHORT_CHARS, BRIEF_CHARS = 25, 60


class AnswerScorer:
    """Rubric scorer for one answer (see module docstring). Holds only the encoder and a cache of
    question/requirement/resume vectors; `score` is a pure function of its inputs."""

    def __init__(self, encoder: Encoder, *, feedback_writer: FeedbackWriter | None = None):
        self.encoder = encoder
        self.feedback_writer = feedback_writer or TemplateFeedbackWriter()
        self.cache = VectorCache(encoder)

    def warm(self, questions: Sequence[Question], requirements: Sequence[Requirement], resume_text: str = "") -> None:
        """Embed a session's questions, requirements and resume sentences once, ahead of its answers."""
        titles = {q.role_title for q in questions}
        self.cache.encode([q.text for q in questions] + [r.text for r in requirements]
                          + split_sentences(resume_text or "")[:64]
                          + [t for title in sorted(titles) for t in _references(title)])

    def score(
        self,
        question: Question,
        answer: str,
        *,
        requirements: list[Requirement],
        resume_text: str = "",
    ) -> Feedback:
        if not isinstance(question, Question):
            raise InterviewError("未知的题目：请传入本次模拟面试中的题目。")
        if answer is None or not re.search(f"[{CJK}A-Za-z0-9]", answer):
            raise InterviewError("回答不能为空，请先说几句再提交。")
        by_id = {r.id: r for r in requirements}
        unknown = [rid for rid in question.requirements if rid not in by_id]
        if unknown:
            raise InterviewError(f"题目 {question.id} 考察的要求 {join_items(unknown)} 不在本次面试的岗位要求中。")

        notices: list[str] = []
        original_length = len(answer.strip())
        text = answer
        if len(text) > MAX_ANSWER_CHARS:
            text = text[:MAX_ANSWER_CHARS]
            notices.append(
                f"回答有 {original_length} 字，只分析了前 {MAX_ANSWER_CHARS} 字。"
                "真实面试中一道题建议一两分钟说完（约300字）。"
            )
        if question.requirements:
            targets = [by_id[rid] for rid in question.requirements]
        elif question.kind in {"opening", "motivation", "plan"}:
            targets = [r for r in requirements if r.kind != "condition"]
        else:
            targets = []
        if not claims.is_chinese(text):
            return _non_chinese_feedback(question, targets, notices)

        chunks = split_sentences(text)[:MAX_CHUNKS] or [text.strip()[:CHUNK_CHARS]]
        answer_terms = terms(text)
        listing = claims.keyword_list(text)
        chunk_clauses = claims.mark_claims([claims.clauses(c) for c in chunks])
        all_clauses = [c for cs in chunk_clauses for c in cs]
        total_len = sum(len(c.text) for c in all_clauses) or 1
        concrete_len = sum(len(c.text) for c in all_clauses if c.stance == "affirmed" and c.concrete)
        substance = 0.0 if listing else ramp_share(concrete_len / total_len, 0.0, SUBSTANCE_FULL_AT)

        # One encoder call for the answer; question and requirement vectors come from the cache.
        references = _references(question.role_title)
        cached_texts = [question.text] + [r.text for r in targets] + references
        chunk_vecs = self.cache.encode_with(cached_texts, chunks)
        question_vec = self.cache.encode([question.text])
        target_vecs = self.cache.encode([r.text for r in targets])
        small_talk_vecs = self.cache.encode(references)
        weights = np.array([len(c) for c in chunks], dtype=np.float32)
        answer_vec = (weights[:, None] * chunk_vecs).sum(axis=0, keepdims=True)
        answer_vec /= max(float(np.linalg.norm(answer_vec)), 1e-9)

        # 1. relevance
        cos_q = float(cosine(answer_vec, question_vec)[0, 0])
        cos_r = float(cosine(answer_vec, target_vecs).max()) if targets else 0.0
        topic_terms = (
            terms(" ".join(question.rubric_terms))
            | {t for r in targets for t in terms(r.text)}
            | (terms(question.text) - _template_terms())
        )
        lexical = round(term_recall(topic_terms, answer_terms), 4)
        semantic_cos = max(cos_q, cos_r)
        small_talk_cos = float(cosine(answer_vec, small_talk_vecs).max())
        relevance_share = REL_SEMANTIC_WEIGHT * ramp_share(semantic_cos, *REL_COS_RAMP) + (
            1 - REL_SEMANTIC_WEIGHT
        ) * ramp_share(lexical, *REL_LEX_RAMP)
        if listing:
            relevance_share *= KEYWORD_LIST_RELEVANCE
        substantial = len(re.findall(f"[{CJK}A-Za-z0-9]", text)) >= 30
        role_text = " ".join([question.role_title, question.text] + [r.text for r in requirements])
        role_terms = terms(role_text) - _template_terms()
        signals = TopicSignals(
            semantic_cos=semantic_cos, reference_cos=small_talk_cos, lexical=lexical,
            role_lexical=round(term_recall(answer_terms, role_terms), 4) if answer_terms else 0.0,
            length=len(re.findall(f"[{CJK}A-Za-z0-9]", text)), conduct=claims.conduct(all_clauses),
            aside=claims.aside(all_clauses, role_text), self_assessment=claims.self_assessment(all_clauses, role_terms),
            claims_only=claims.answer_claims_only(all_clauses), acts=claims.acts(all_clauses),
            commentary=question.kind in BEHAVIOURAL_KINDS and claims.commentary(text),
        )
        off_topic = off_topic_test(signals)
        if not off_topic:
            relevance_share = max(relevance_share, ON_TOPIC_FLOOR)
        topical_share = relevance_share  # before the substance factor: drives the gate
        relevance_share *= RELEVANCE_SUBSTANCE_FLOOR + (1 - RELEVANCE_SUBSTANCE_FLOOR) * substance
        if off_topic:
            relevance_share = min(relevance_share, OFF_TOPIC_RELEVANCE_CAP)
            gate = OFF_TOPIC_GATE
        else:
            gate = GATE_FLOOR + (1 - GATE_FLOOR) * min(1.0, topical_share / GATE_FULL_AT)

        # 2. coverage: only affirmed, concrete clauses are evidence; a denial is evidence against.
        sims = cosine(target_vecs, chunk_vecs) if targets else None
        whole = cosine(target_vecs, answer_vec)[:, 0] if targets else None
        evidence: list[dict[str, str]] = []
        covered: list[Requirement] = []
        missing: list[Requirement] = []
        stances: dict[str, list[dict[str, str]]] = {"denied": [], "hedged": [], "planned": []}
        values: list[float] = []
        for i, req in enumerate(targets):
            req_terms = terms(req.text)
            best, best_j, against = 0.0, -1, None
            for j, chunk in enumerate(chunks):
                raw = match_strength(float(sims[i, j]), term_recall(req_terms, terms(chunk)), COVER_COS_RAMP)
                stance, clause = _stance_for(req_terms, chunk_clauses[j], listing)
                strength = raw * STANCE_FACTOR[stance] * (1.0 if clause is not None else _concrete_share(chunk_clauses[j]))
                named = clause is not None and term_recall(req_terms, terms(clause.text)) > 0
                if stance in ("denied", "hedged", "planned") and clause is not None and (
                        raw >= EVIDENCE_MIN or (named and raw >= AGAINST_MIN)):
                    if against is None or (stance == "denied" and against[0] != "denied"):
                        against = (stance, clause.text)
                if strength > best:
                    best, best_j = strength, j
            if whole is not None and (against is None or against[0] != "denied"):
                overall = WHOLE_ANSWER_FACTOR * ramp_share(float(whole[i]), *COVER_COS_RAMP) * substance
                if overall > best:
                    best = overall
                    best_j = int(np.argmax(sims[i])) if best_j < 0 else best_j
            if off_topic:
                best = min(best, 0.3)
            values.append(best)
            if best >= EVIDENCE_MIN and best_j >= 0:
                covered.append(req)
                evidence.append({
                    "quote": short_quote(chunks[best_j]),
                    "requirement_id": req.id,
                    "requirement": req.text,
                })
            else:
                missing.append(req)
                if against is not None:
                    stances[against[0]].append({"id": req.id, "text": req.text, "quote": short_quote(against[1])})
        if question.kind in {"opening", "motivation", "plan"}:
            coverage_share = min(1.0, sum(sorted(values, reverse=True)[:3]) / min(3, len(values))) if values else (
                0.6 * relevance_share * substance)
            if question.kind != "opening" or len(targets) <= 3:
                missing = [] if coverage_share >= 0.6 else missing[:2]
            else:
                missing = missing[:2] if coverage_share < 0.6 else []
        elif targets:
            coverage_share = sum(values) / len(values)
        else:
            coverage_share = relevance_share * substance

        # 3. specificity, on what the answer affirms
        affirmed = "" if listing else claims.evidence_text(all_clauses)
        numbers = [m.group(0) for m in NUMBER_RE.finditer(affirmed)]
        examples = [m.group(0) for m in EXAMPLE_RE.finditer(affirmed)]
        tools = [m.group(0) for m in TOOL_RE.finditer(affirmed)]
        vague = [m.group(0) for m in VAGUE_RE.finditer(text)]
        specific = (
            8 * min(1.0, len(numbers) / 2) + 6 * min(1.0, len(examples) / 1)
            + 6 * min(1.0, len(set(tools)) / 2)
        )
        concrete = len(numbers) + len(examples) + len(set(tools))
        vague_penalty = min(6.0, 2.0 * len(vague)) * (1.0 if concrete < 3 else 0.5)
        specificity_points = max(0.0, specific - vague_penalty)
        level = "关键词" if listing else (
            "具体" if specificity_points >= 14 else ("一般" if specificity_points >= 7 else "空泛"))

        # 4. structure
        framework, patterns = _structure_patterns(question.kind, targets)
        judged = text if question.kind == "conditions" and not listing else affirmed
        found = [name for name, rx in patterns.items() if rx.search(judged)]
        structure_missing = [name for name in patterns if name not in found]
        structure_share = len(found) / len(patterns)

        # 5. delivery
        delivery_points, flags, hints = _delivery(text, original_length, chunks)
        delivery_points *= DELIVERY_SUBSTANCE_FLOOR + (1 - DELIVERY_SUBSTANCE_FLOOR) * substance
        if listing:
            flags.append("keyword_list")

        points = {
            "relevance": POINTS["relevance"] * relevance_share,
            "coverage": POINTS["coverage"] * coverage_share * gate,
            "specificity": specificity_points * gate,
            "structure": POINTS["structure"] * structure_share * gate,
            "delivery": delivery_points * gate,
        }
        score = int(min(100, max(0, math.floor(sum(points.values()) + 0.5))))
        breakdown = {
            name: {"points": round(value, 1), "max": POINTS[name]} for name, value in points.items()
        }

        resume_best = {
            rid: sentence for rid, (strength, sentence) in resume_evidence(
                targets, resume_text, encoder=self.encoder, _cache=self.cache
            ).items() if strength >= RESUME_EVIDENCE_MIN
        } if resume_text and targets else {}
        scored = ScoredAnswer(
            question=question, answer=text, targets=targets, covered=covered, missing=missing,
            off_topic=off_topic, structure_missing=structure_missing, specificity_level=level,
            delivery_flags=flags, best_resume_sentences=resume_best,
            resume_sentences=split_sentences(resume_text or "")[:20], framework=framework,
            denied=stances["denied"], hedged=stances["hedged"], planned=stances["planned"],
            keyword_list=listing, substance=round(substance, 3),
            claims_only=not listing and claims.only_claims(all_clauses) and substance < 0.2,
            boast=any(boast_signals(c.text) for c in all_clauses),
            unsure=sum(len(c.text) for c in all_clauses if c.stance == "hedged") / total_len >= 0.5,
        )
        relevance_message = (
            "回答偏离了题目：和问题及岗位要求的关联很弱，请先正面回答问题。" if off_topic
            else ("只列出了关键词，没有讲具体经历。" if listing
                  else ("回答基本切题。" if topical_share >= 0.5 else (
                      "回答和题目有些关系，但可以更直接地回应问题。" if substantial
                      else "回答太短，看不出和题目的关系，请正面回答并补充细节。")))
        )
        return Feedback(
            score=score,
            breakdown=breakdown,
            evidence=evidence,
            missing=[{"id": r.id, "text": r.text} for r in missing],
            structure={
                "framework": framework,
                "found": found,
                "missing": structure_missing,
                "labels": {name: STRUCTURE_LABELS[name] for name in patterns},
            },
            specificity={
                "level": level, "numbers": numbers[:8], "examples": examples[:5],
                "tools": list(dict.fromkeys(tools))[:8], "vague": vague[:5],
                "keyword_list": listing, "substance": round(substance, 3), "claims_only": scored.claims_only,
            },
            delivery=hints,
            relevance={
                "on_topic": not off_topic, "cosine": round(semantic_cos, 3), "lexical": round(lexical, 3),
                "small_talk_cosine": round(small_talk_cos, 3),
                "message": relevance_message, "language": "zh",
            },
            suggestions=self.feedback_writer.suggestions(scored),
            outline=self.feedback_writer.outline(scored),
            notices=notices,
            question_id=question.id,
            claims=stances,
        )


def _concrete_share(found: Sequence[claims.Clause]) -> float:
    """Share (by length) of a sentence in affirmed, concrete clauses: how far a sentence that names no
    requirement word can still carry semantic evidence for it."""
    total = sum(len(c.text) for c in found) or 1
    return sum(len(c.text) for c in found if c.stance == "affirmed" and c.concrete) / total


def _stance_for(req_terms: set[str], found: Sequence[claims.Clause], listing: bool) -> tuple[str, claims.Clause | None]:
    """How a sentence stands to one requirement: the stance of the clause that names it (most shared
    terms), else the best stance any clause of the sentence has. Keys of `STANCE_FACTOR`."""
    if listing or not found:
        return "listing" if listing else "claim", None
    named = max(found, key=lambda c: term_recall(req_terms, terms(c.text)))
    any_concrete = any(c.stance == "affirmed" and c.concrete for c in found)
    if term_recall(req_terms, terms(named.text)) > 0:
        if named.stance == "affirmed":
            return ("affirmed" if (named.concrete or any_concrete) and not named.claim_only else "claim"), named
        return named.stance, named
    if any_concrete:
        return "affirmed", None  # scaled by the concrete share of the sentence in `_sentence_factor`
    for stance in ("claim", "hedged", "planned"):
        if stance == "claim" and any(c.stance == "affirmed" for c in found):
            return "claim", None
        if any(c.stance == stance for c in found):
            return stance, None
    return "denied", None


def _non_chinese_feedback(question: Question, targets: Sequence[Requirement], notices: list[str]) -> Feedback:
    """An answer in another language is not judged on a Chinese rubric; it says so and how to fix it."""
    points = {name: 0.0 for name in POINTS}
    points["relevance"] = float(NON_CHINESE_SCORE)
    return Feedback(
        score=NON_CHINESE_SCORE,
        breakdown={name: {"points": value, "max": POINTS[name]} for name, value in points.items()},
        evidence=[],
        missing=[{"id": r.id, "text": r.text} for r in targets],
        structure={"framework": "", "found": [], "missing": [], "labels": {}},
        specificity={"level": "未评", "numbers": [], "examples": [], "tools": [], "vague": [],
                     "keyword_list": False, "substance": 0.0, "claims_only": False},
        delivery=[],
        relevance={"on_topic": True, "cosine": None, "lexical": None, "message": NON_CHINESE_MESSAGE,
                   "language": "other"},
        suggestions=[NON_CHINESE_MESSAGE + "请把刚才的内容用中文再说一遍：当时什么情况、你怎么做的、结果怎样。"],
        outline=[],
        notices=notices + [f"这道题没有按中文评分，暂计 {NON_CHINESE_SCORE} 分；用中文重答后会重新评分。"],
        question_id=question.id,
        claims={"denied": [], "hedged": [], "planned": []},
    )


_TEMPLATE_TERMS: set[str] | None = None


def _template_terms() -> set[str]:
    """Terms that the question templates themselves use: they say nothing about the topic."""
    global _TEMPLATE_TERMS
    if _TEMPLATE_TERMS is None:
        writer, found = TemplateQuestionWriter(), set()
        for level in DIFFICULTIES:
            for kind in QUESTION_KINDS:
                for req_kind in REQUIREMENT_KINDS:
                    blank = [Requirement(id="r", text="", kind=req_kind)]
                    found |= terms(writer.write(QuestionSlot(kind, blank, "", level, "")))
        _TEMPLATE_TERMS = found
    return _TEMPLATE_TERMS


def _structure_patterns(kind: str, targets: Sequence[Requirement] = ()) -> tuple[str, dict[str, re.Pattern]]:
    if kind == "probe" and targets and all(r.kind == "duty" for r in targets):
        return "操作步骤", STEPS
    if kind == "opening":
        return "自我介绍", INTRO
    if kind == "motivation":
        return "求职动机", MOTIVATION
    if kind == "conditions":
        return "条件确认", CONDITIONS
    return "STAR", STAR


def _delivery(text: str, original_length: int, chunks: Sequence[str]) -> tuple[float, list[str], list[str]]:
    points, flags, hints = float(POINTS["delivery"]), [], []
    length = len(re.findall(f"[{CJK}A-Za-z0-9]", text))
    if length < TOO_SHORT_CHARS:
        points -= 6
        flags.append("too_short")
        hints.append("回答太短，面试官很难了解你，建议至少说三四句话。")
    elif length < BRIEF_CHARS:
        # Two or three plain sentences are a normal spoken answer: not "too short", but room for an example.
        points -= 2
        flags.append("brief")
        hints.append("回答比较简练，可以再补一个自己的具体例子和结果。")
    if original_length > 1500:
        points -= 4
        flags.append("rambling")
        hints.append("回答太长，容易让面试官抓不住重点，建议控制在一两分钟。")
    elif original_length > 800:
        points -= 2
        flags.append("rambling")
        hints.append("回答偏长，建议先说结论再展开。")
    normalised = [re.sub(r"\W", "", c) for c in chunks]
    if len(normalised) >= 4 and len(set(normalised)) < 0.75 * len(normalised):
        points -= 2
        flags.append("repetitive")
        hints.append("有几句话重复了，换成新的信息会更有说服力。")
    negative = NEGATIVE_RE.search(text)
    if negative:
        points -= 5
        flags.append("negative")
        hints.append(f"“{negative.group(0)}”这类抱怨前雇主的话会让面试官担心，建议换成中性的说法。")
    fillers = len(FILLER_RE.findall(text)) + len(DONT_KNOW_RE.findall(text))
    if fillers >= 3:
        points -= 2
        flags.append("fillers")
        hints.append("口头语和“不知道”比较多，显得没准备，可以先想几秒再回答。")
    return max(0.0, points), flags, hints

