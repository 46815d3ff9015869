"""Interview domain types and the rubric constants (see matcher.interview.scoring for the rubric)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

# ----------------------------------------------------------------------------------------------
# Constants (documented in the module docstring)
# ----------------------------------------------------------------------------------------------
MAX_ANSWER_CHARS = 2000
MAX_CHUNKS = 32
CHUNK_CHARS = 90
MIN_QUESTIONS, MAX_QUESTIONS = 5, 8
MAX_KEY_REQUIREMENTS_ALL_TESTED = 6
DIFFICULTIES = ("entry", "standard", "senior")
REQUIREMENT_KINDS = ("certificate", "skill", "experience", "duty", "soft", "condition")
QUESTION_KINDS = (
    "opening", "motivation", "resume", "probe", "gap", "situational", "conditions", "plan",
)
BEHAVIOURAL_KINDS = {"resume", "probe", "gap", "situational", "plan"}

POINTS = {"relevance": 20, "coverage": 30, "specificity": 20, "structure": 20, "delivery": 10}
REL_COS_RAMP = (0.70, 0.85)
REL_LEX_RAMP = (0.0, 0.25)
REL_SEMANTIC_WEIGHT = 0.7
OFF_TOPIC_LEX = 0.10
# Off-topic is judged relative to references (see scoring.off_topic_test): the answer's cosine to its question
# or requirements minus its best cosine to small talk (OFF_TOPIC_PROTOTYPES) and to talk *about* the trade
# (TRADE_TALK, with the role's title). Below these margins an answer with no shared term is off-topic:
OFF_TOPIC_CONTRAST = -0.03  # 30+ characters that say what the speaker does
OFF_TOPIC_CONTRAST_NO_CONDUCT = 0.0  # 30+ characters with no act of the speaker in them
OFF_TOPIC_ASIDE_CONTRAST = 0.05  # an aside about one's own life, hobbies or the job's terms, at any length
OFF_TOPIC_FLOOR = 0.66  # and below this cosine nothing is on topic without a shared term
OFF_TOPIC_ACTS = 3  # an answer telling this many acts of the speaker's is off-topic only at the short margin
OFF_TOPIC_BOAST_CONTRAST = -0.12  # a boast in the role's own words is weak, not off-topic, down to this margin
# An answer under 30 characters is off-topic only on stronger evidence: no shared term and closer to small
# talk than to the question by more than this (short texts have lower, noisier cosines), from 8 characters.
OFF_TOPIC_SHORT_CONTRAST = -0.08
OFF_TOPIC_SHORT_MIN = 8
# What an interviewee says instead of answering, by kind (pay, hours, hobbies, a former employer, the
# economy, family and commute, health, food): generic sentences, none taken from an evaluation set.
OFF_TOPIC_PROTOTYPES = (
    "请问这个工作工资多少？是底薪加提成还是计件？有没有五险一金，包不包吃住？",
    "请问要不要经常加班？周末能不能休息，一个月休几天？",
    "我平时喜欢旅游、拍照、看电视剧、打游戏，周末一般出去玩。",
    "我以前那个单位领导很差，老板拖欠工资，所以我就不干了。",
    "现在这个行业竞争太激烈了，经济不景气，好多公司都在裁员倒闭。",
    "我家离这里比较远，上下班路上要一个多小时，还要接送孩子。",
    "现在物价太高了，房价也贵，年轻人压力都很大。",
    "我身体不太好，有老毛病，医生让我多休息。",
    "我最喜欢吃好吃的，周末经常去饭店尝尝新菜。",
    "我平时下班都比较晚，挺累的，有时候中午都来不及吃饭。",
    "我想问一下这边是做几休几，倒班怎么安排，住得远的话有没有宿舍？",
    "我对别的方向也挺感兴趣的，以后想多学点新东西，自己出去闯一闯。",
)
# Talk about the trade instead of doing its work (pay, competition, trends, an employer's fortunes), with the
# role's title filled in; as generic as the small talk above, none taken from an evaluation set.
TRADE_TALK = (
    "现在做{title}的人太多了，竞争很激烈，价格压得很低，收入一年不如一年。",
    "{title}这一行以后的前景不好说，现在流行的东西变得快，老板也经常换。",
    "我们原来那家单位后来生意不好，换了老板，扩张又收缩，很多老员工都走了。",
)
OFF_TOPIC_RELEVANCE_CAP = 0.0
OFF_TOPIC_GATE = 0.05
ON_TOPIC_FLOOR = 0.25  # relevance share of any answer not judged off-topic: it tries to answer
RELEVANCE_SUBSTANCE_FLOOR = 0.5  # relevance x (0.5 + 0.5 x substance): naming the topic is not answering it
COVER_COS_RAMP = (0.70, 0.85)
GATE_FULL_AT = 0.6
GATE_FLOOR = 0.15
# How much a sentence can evidence a requirement, by the stance of its clause (see claims.py).
STANCE_FACTOR = {"affirmed": 1.0, "claim": 0.3, "hedged": 0.25, "planned": 0.15, "denied": 0.0, "listing": 0.0}
WHOLE_ANSWER_FACTOR = 0.9
SUBSTANCE_FULL_AT = 0.5  # share of the answer's clauses (by length) that are affirmed and concrete
DELIVERY_SUBSTANCE_FLOOR = 0.4
KEYWORD_LIST_RELEVANCE = 0.6
NON_CHINESE_SCORE = 10
EVIDENCE_MIN = 0.5
AGAINST_MIN = 0.25  # a denial naming a requirement's words counts against it from this match strength
RESUME_EVIDENCE_MIN = 0.5


class InterviewError(ValueError):
    """A request the interview module cannot serve; the message is Chinese and says what to fix."""


# ----------------------------------------------------------------------------------------------
# Domain types
# ----------------------------------------------------------------------------------------------
@dataclass
class Requirement:
    id: str
    text: str
    kind: str
    preferred: bool = False  # "...优先": nice to have
    source: str = "posting"  # "posting" | "skills" | "occupation"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Requirement:
        return cls(
            id=str(data["id"]), text=str(data["text"]), kind=str(data.get("kind", "skill")),
            preferred=bool(data.get("preferred", False)), source=str(data.get("source", "posting")),
        )


@dataclass
class Question:
    id: str
    text: str
    kind: str
    requirements: list[str] = field(default_factory=list)  # requirement ids tested
    rubric_terms: list[str] = field(default_factory=list)  # terms a good answer tends to use
    role_title: str = ""
    resume_hint: str = ""  # the resume sentence the question refers to, if any
    note: str = ""  # e.g. which requirements were grouped into this question
    probes: str = ""  # what the question probes, in Chinese ("考察：持有养老护理员证书")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            id=str(data["id"]), text=str(data["text"]), kind=str(data.get("kind", "probe")),
            requirements=[str(r) for r in data.get("requirements", [])],
            rubric_terms=[str(t) for t in data.get("rubric_terms", [])],
            role_title=str(data.get("role_title", "")), resume_hint=str(data.get("resume_hint", "")),
            note=str(data.get("note", "")), probes=str(data.get("probes", "")),
        )


@dataclass
class Feedback:
    score: int
    breakdown: dict[str, dict[str, float]]
    evidence: list[dict[str, str]]
    missing: list[dict[str, str]]
    structure: dict[str, Any]
    specificity: dict[str, Any]
    delivery: list[str]
    relevance: dict[str, Any]
    suggestions: list[str]
    outline: list[str]
    notices: list[str] = field(default_factory=list)
    question_id: str = ""
    # requirements the answer denies / only hedges / only plans: [{"id", "text", "quote"}]
    claims: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Feedback:
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: data[k] for k in names if k in data})


@dataclass
class Report:
    answered: int
    total_questions: int
    average_score: int | None
    per_question: list[dict[str, Any]]
    strengths: list[str]
    weaknesses: list[str]
    never_evidenced: list[dict[str, str]]
    next_steps: list[str]
    training: list[str]
    summary: str = ""
    not_yet_asked: list[dict[str, str]] = field(default_factory=list)  # requirements of unanswered questions
    denied: list[dict[str, str]] = field(default_factory=list)  # requirements the seeker said they lack
    # What a training could give ({"requirement_id", "requirement", "kind", "reason"}), and the
    # trainings a finder matched to them (filled by the trainings module when one is plugged in).
    training_needs: list[dict[str, str]] = field(default_factory=list)
    trainings: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

