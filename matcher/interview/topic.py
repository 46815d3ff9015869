"""Is an answer about its question? The off-topic judgement, relative to references, never a fixed cosine.

The answer's best cosine to its question or requirements is compared with its best cosine to *references*:
small talk (`OFF_TOPIC_PROTOTYPES`: pay, hours, hobbies, family, commute, health …) and talk about the role's
trade (`TRADE_TALK`, with the role's title: competition, pay, trends, an employer's fortunes). Lexical signals
decide first (the question's own terms), then what the answer does: an aside about one's own life, an account
of acts, a self-assessment in the role's words, a boast. See `off_topic_test`.
"""
from __future__ import annotations

from dataclasses import dataclass

from matcher.interview.types import (
    OFF_TOPIC_ACTS, OFF_TOPIC_ASIDE_CONTRAST, OFF_TOPIC_BOAST_CONTRAST, OFF_TOPIC_CONTRAST,
    OFF_TOPIC_CONTRAST_NO_CONDUCT, OFF_TOPIC_FLOOR, OFF_TOPIC_LEX, OFF_TOPIC_PROTOTYPES, OFF_TOPIC_SHORT_CONTRAST,
    OFF_TOPIC_SHORT_MIN, TRADE_TALK,
)


def references(role_title: str) -> list[str]:
    """What an answer that does not answer sounds like: small talk, and talk about this role's trade."""
    title = role_title or "这份工作"
    return list(OFF_TOPIC_PROTOTYPES) + [t.format(title=title) for t in TRADE_TALK]


@dataclass(frozen=True)
class TopicSignals:
    """What the off-topic judgement reads. `semantic_cos`: the answer's best cosine to its question or
    requirements; `reference_cos`: its best cosine to the references (`_references`); `lexical`: share of the
    question's key terms it uses; `role_lexical`: share of its own terms found in the role's title, question and
    requirements; `length` in characters; `conduct`: it says what the speaker does (claims.conduct); `aside`:
    most of it is about one's own life or the job's terms (claims.aside); `self_assessment`: it rates one's own
    ability (a claim, a hedge or a denial); `commentary`: an opinion instead of conduct."""

    semantic_cos: float
    reference_cos: float
    lexical: float
    role_lexical: float
    length: int
    conduct: bool
    aside: bool
    self_assessment: bool
    commentary: bool
    claims_only: bool = False
    acts: int = 0  # affirmed, concrete clauses that say what the speaker did or does (claims.acts)


def off_topic_test(s: TopicSignals) -> bool:
    """Off-topic is relative, never a fixed cosine. An answer is off-topic when it is `commentary` (an opinion
    about the world given to a question about conduct) sharing under 0.20 of the question's terms; otherwise one
    with term overlap below 0.10 is off-topic when

    - it is mostly an `aside` (one's own life, hobbies, the job's terms) not clearly closer to the question
      than to the references (margin below `OFF_TOPIC_ASIDE_CONTRAST`);
    - with 30+ characters, it is closer to the references than to the question by more than 0.03 when it says
      what the speaker does (0.08 when it tells three acts or more), or at all when it does not; or its cosine
      is below `OFF_TOPIC_FLOOR`;
    - with 8-29 characters, closer to the references by more than 0.08.

    A self-assessment that uses the role's own words ("老人们的情况我一清二楚"), or a boast, is weak, not
    off-topic, unless it is closer to the references by more than 0.08 (0.12 for a boast in the role's words;
    "电工这行现在越来越不好干了" is trade talk): it answers, badly.
    """
    if s.commentary and s.lexical < 2 * OFF_TOPIC_LEX:
        return True
    if s.lexical >= OFF_TOPIC_LEX:
        return False
    margin = s.semantic_cos - s.reference_cos
    if s.aside and margin < OFF_TOPIC_ASIDE_CONTRAST:
        return True
    if s.self_assessment and s.role_lexical > 0 and margin >= (
            OFF_TOPIC_BOAST_CONTRAST if s.claims_only else OFF_TOPIC_SHORT_CONTRAST):
        return False  # rates one's own ability at the role's work, unless it is plainly trade talk or small talk
    if s.claims_only and margin >= OFF_TOPIC_SHORT_CONTRAST:
        return False  # a boast is about the job, only not evidence of it
    if s.length >= 30:
        if s.semantic_cos < OFF_TOPIC_FLOOR:
            return True
        if s.acts >= OFF_TOPIC_ACTS:
            return margin < OFF_TOPIC_SHORT_CONTRAST  # an account of several acts: off only when plainly closer
        return margin < (OFF_TOPIC_CONTRAST if s.conduct else OFF_TOPIC_CONTRAST_NO_CONDUCT)
    return s.length >= OFF_TOPIC_SHORT_MIN and margin < OFF_TOPIC_SHORT_CONTRAST
