"""Mock interviews: questions from a role's requirements and a resume, rubric-scored answers.

Everything here runs offline with the bundled encoder; no generative model is used. Question
wording and feedback wording go through two seams, `QuestionWriter` and `FeedbackWriter`, whose
template implementations stand on their own; a generative writer could be plugged in later
without touching the scoring.

Scoring rubric (100 points, deterministic: same question, answer and requirements -> same score)
------------------------------------------------------------------------------------------------
The answer is first cut to `MAX_ANSWER_CHARS` (2,000) characters, with a Chinese notice in the
feedback; at most `MAX_CHUNKS` (32) pieces of it are embedded, so a 20,000-character answer takes
bounded time.

1. relevance   25  Is the answer about the question?  70% semantic: cosine between the answer
                   (length-weighted mean of its sentence vectors) and the question or its
                   requirements, ramped from 0.70 (0 points) to 0.85 (full); 30% lexical: share of
                   the question's key terms (character bigrams of the requirements, rubric terms
                   and the question minus template wording) found in the answer, ramped 0 to 0.25.
                   An answer of 30+ characters whose cosine is below 0.77 AND whose term overlap
                   is below 0.10 is flagged off-topic and its relevance share capped at 0.2.
2. coverage    25  Evidence for the requirements the question tests.  Each requirement scores
                   0-1 from its best-matching sentence (cosine ramp 0.70-0.85, or 1.5 x term
                   recall) or 0.9 x the whole answer's ramped cosine; a bare claim ("这个我都会")
                   counts 0.35.  Sentences scoring >= 0.5 are quoted as `evidence`.  Opening,
                   motivation and plan questions need evidence for 3 of the role's requirements.
3. specificity 20  Numbers with units (8 points for two), a concrete example (6), two tools,
                   certificates or procedures named (6); vague self-praise ("吃苦耐劳", "没问题")
                   costs 2 each, up to 6 (halved when the answer is otherwise concrete).
4. structure   20  Share of framework elements found.  Behavioural questions: STAR (situation,
                   task, action, result).  "How would you do this duty": steps (order, tools,
                   cautions, checking/recording).  Opening: background, experience, strengths,
                   fit.  Motivation: reason, understanding of the role, own fit, commitment.
                   Conditions: clear answer, facts, flexibility.
5. delivery    10  Starts at 10: too short (<40 characters -6, <80 -3), too long (>800 -2,
                   >1,500 -4), repeated sentences -2, negative wording about former employers or
                   colleagues ("老板很坑", "前公司太差") -5, many fillers / "don't know" -2.

Components 2-5 are multiplied by a relevance gate `0.15 + 0.85 * min(1, relevance_share / 0.6)`,
so a long, detailed answer to a different question cannot outscore a plain on-topic one.
The score is the rounded sum, clipped to 0-100.
"""
from __future__ import annotations

import math
import re
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Protocol, Sequence

import numpy as np

from models.encoder import Encoder

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

POINTS = {"relevance": 25, "coverage": 25, "specificity": 20, "structure": 20, "delivery": 10}
REL_COS_RAMP = (0.70, 0.85)
REL_LEX_RAMP = (0.0, 0.25)
REL_SEMANTIC_WEIGHT = 0.7
OFF_TOPIC_COS, OFF_TOPIC_LEX = 0.77, 0.10
COVER_COS_RAMP = (0.70, 0.85)
GATE_FULL_AT = 0.6
CLAIM_ONLY_FACTOR = 0.35
WHOLE_ANSWER_FACTOR = 0.9
EVIDENCE_MIN = 0.5
RESUME_EVIDENCE_MIN = 0.5
GATE_FLOOR = 0.15


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            id=str(data["id"]), text=str(data["text"]), kind=str(data.get("kind", "probe")),
            requirements=[str(r) for r in data.get("requirements", [])],
            rubric_terms=[str(t) for t in data.get("rubric_terms", [])],
            role_title=str(data.get("role_title", "")), resume_hint=str(data.get("resume_hint", "")),
            note=str(data.get("note", "")),
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------------------------------------
# Text helpers
# ----------------------------------------------------------------------------------------------
_CJK = r"\u4e00-\u9fff"
_STOP_CHARS = set("的了吗呢吧啊嗯哦呀着我你他她它们这那是在和就也都很把被个有不")
_STOP_BIGRAMS = set(
    "一个 这个 那个 就是 然后 因为 所以 可以 觉得 自己 没有 什么 时候 非常 比较 一些 一下 已经 还是 "
    "但是 如果 应该 知道 工作 岗位 要求 请你 请结 结合 具体 说说 怎么 如何 为什 一次 以上 相关 能力 "
    "经验 熟悉 熟练 掌握 具备 良好 优先 负责 进行 需要 问题 情况 说明 例子 谈谈 介绍 简单".split()
)
_NUMBER_RE = re.compile(
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万几半]+)\s*"
    r"(?:年|个月|月|周|天|日|小时|分钟|秒|个|次|位|人|名|户|家|单|件|份|张|台|床|间|层|栋|元|块|万|"
    r"%|％|斤|公斤|吨|公里|米|平|箱|包|袋|桌|道|遍|岁|级|项|套|屏|款|页|篇|车|趟)"
)
_EXAMPLE_RE = re.compile(r"有一次|有次|有一回|那次|那一次|比如|例如|举个例子|记得|当时|那时候|上次|去年|前年")
_TOOL_RE = re.compile(
    r"证书?|执照|资格|[A-Za-z]{2,}|系统|软件|表格|台账|记录|登记|流程|规范|步骤|制度|手册|"
    r"灭火器|消防|监控|对讲机|扫码|收银机|验钞|工具|仪表|万用表|电笔|绝缘|消毒|血压|体温|"
    r"翻身|轮椅|叉车|手持终端|PDA|导航|刀工|火候|留样|晨检|打印机|复印|排班|盘点"
)
_VAGUE_RE = re.compile(
    r"我觉得我(?:可以|能行|行|没问题)|应该(?:没问题|可以|行吧)|肯定(?:没问题|可以|行)|什么都(?:能|会|可以|愿意)|"
    r"吃苦耐劳|认真负责|踏实肯干|很努力|一定会|学习能力强|随便|都行|还行吧|差不多吧|看情况|到时候再说|"
    r"没什么(?:问题|特别)|反正|不太清楚|不知道|(?:性格|脾气)(?:挺|很|比较|还)?好|能力(?:也)?(?:挺|很|比较)?强|"
    r"都(?:懂|会|做过|没问题)|一学就会|很简单|没问题"
)
_NEGATIVE_RE = re.compile(
    r"(?:老板|领导|前公司|上家|上一家|以前(?:的)?公司|原来(?:的)?公司|之前(?:的)?公司|公司|经理|主管|店长|"
    r"同事|单位|厂里|那家)[^。！？\n]{0,10}?"
    r"(?:坑|太差|很差|真差|垃圾|黑心|抠门|太抠|很抠|烂|不是人|恶心|奇葩|傻|脑子有病|有病|不讲理|"
    r"压榨|剥削|欺负人|太黑|很黑|素质差|没素质|不行)"
)
_FILLER_RE = re.compile(r"嗯+|呃+|额+|那个那个|就是就是|然后然后")
_DONT_KNOW_RE = re.compile(r"不知道|不清楚|没想过|说不好|不太懂|没考虑过")

_STAR = {
    "situation": re.compile(
        r"有一次|有次|有一回|那次|那一次|当时|那时|之前在|以前在|原来在|在[^，。]{1,15}(?:的时候|期间|工作时|上班时|那年)|"
        r"去年|前年|\d+年|刚[^，。]{0,6}时候|遇到(?:过)?"
    ),
    "task": re.compile(r"负责|任务|需要|要求|目标|让我|安排我|交给我|职责|我的工作是|要把|得把|必须"),
    "action": re.compile(
        r"我(?:就|先|马上|立刻|赶紧|主动|会|用|把|去|跟|和|给|帮|查|检查|安排|联系|提醒|耐心|一边|每天|"
        r"每次|按照|坚持|自己|做了|带着)|首先|然后|接着|之后|于是|采取|处理|第一|第二"
    ),
    "result": re.compile(
        r"结果|最后|后来|最终|效果|得到|获得|表扬|感谢|好评|锦旗|提高|减少|降低|没有再|没再|顺利|按时|解决了|"
        r"满意|学到|收获|评上|优秀|涨|从[^，。]{0,10}到|再也没"
    ),
}
_STEPS = {
    "order": re.compile(r"先|首先|第一|然后|接着|再|之后|最后|完了|做完|以后"),
    "method": _TOOL_RE,
    "caution": re.compile(r"注意|安全|防止|避免|以免|免得|小心|不能|不要|要分开|检查|确认|看看|戴"),
    "check": re.compile(r"记录|登记|签字|填|报给|汇报|告诉|复核|检查|没出过|合格|没有出现|优秀"),
}
_INTRO = {
    "background": re.compile(r"我叫|我是|我姓|今年|\d+岁|岁|毕业|来自|老家|住在|家住|学历"),
    "experience": re.compile(r"做过|干过|在[^，。]{1,20}(?:工作|上班|干|做)|\d+年|经验|经历|之前|以前"),
    "strengths": re.compile(r"擅长|优势|特长|证|会|熟悉|熟练|拿手|比较[^，。]{0,4}(?:细心|耐心)|性格"),
    "fit": re.compile(r"想|希望|应聘|这个(?:岗位|工作|职位)|适合|喜欢|来这|贵"),
}
_MOTIVATION = {
    "reason": re.compile(r"因为|原因|想|希望|喜欢|看重|离家|稳定"),
    "understanding": re.compile(r"了解|知道|这个(?:岗位|工作|职位)|主要(?:是|做|工作)|每天|需要"),
    "fit": re.compile(r"我有|经验|做过|干过|证|擅长|适合|熟悉|会"),
    "commitment": re.compile(r"长期|稳定|一直|学习|打算|计划|努力|争取|好好|踏实|坚持"),
}
_CONDITIONS = {
    "answer": re.compile(r"可以|能|接受|没问题|符合|有|愿意|行|不能|不行"),
    "facts": re.compile(r"\d|证|岁|体检|身体|学历|毕业|住|离"),
    "flexibility": re.compile(r"配合|调整|安排|倒班|夜班|周末|加班|随时|提前"),
}
STRUCTURE_LABELS = {
    "situation": "情境（当时的情况）", "task": "任务（你要负责什么）", "action": "行动（你具体怎么做）",
    "result": "结果（最后怎样、有什么数字或评价）",
    "background": "个人基本情况", "experience": "相关经历", "strengths": "自己的优势/证书",
    "fit": "与岗位的匹配/求职意向",
    "reason": "求职原因", "understanding": "对岗位的了解", "commitment": "长期打算",
    "order": "步骤顺序", "method": "用到的工具/方法", "caution": "安全和注意事项",
    "check": "记录、检查或汇报",
    "answer": "明确表态", "facts": "具体情况/事实", "flexibility": "可以配合的安排",
}


def _ramp(x: float, lo: float, hi: float) -> float:
    if hi <= lo:
        return 1.0 if x >= hi else 0.0
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


def terms(text: str) -> set[str]:
    """Key terms of a text: lower-cased latin words and CJK character bigrams minus function words."""
    text = text.lower()
    out = {w for w in re.findall(r"[a-z][a-z0-9+#]+", text)}
    for run in re.findall(f"[{_CJK}]+", text):
        for a, b in zip(run, run[1:]):
            bigram = a + b
            if a in _STOP_CHARS or b in _STOP_CHARS or bigram in _STOP_BIGRAMS:
                continue
            out.add(bigram)
    return out


def _recall(target: set[str], text_terms: set[str]) -> float:
    return len(target & text_terms) / len(target) if target else 0.0


def split_sentences(text: str, *, max_chars: int = CHUNK_CHARS) -> list[str]:
    """Sentence-like pieces that are exact substrings of `text` (stripped), long ones cut at commas."""
    pieces: list[str] = []
    for raw in re.split(r"(?<=[。！？!?；;\n])", text):
        sentence = raw.strip()
        if not sentence:
            continue
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        current = ""
        for part in re.split(r"(?<=[，,、：:])", sentence):
            if current and len(current) + len(part) > max_chars:
                pieces.append(current.strip())
                current = ""
            current += part
            while len(current) > max_chars:
                pieces.append(current[:max_chars].strip())
                current = current[max_chars:]
        if current.strip():
            pieces.append(current.strip())
    return [p for p in pieces if re.search(f"[{_CJK}A-Za-z0-9]", p)]


def _short_quote(piece: str, limit: int = 60) -> str:
    """A quote that is still an exact substring: trailing punctuation dropped, long pieces cut."""
    quote = piece.rstrip("。！？!?；;，, ")
    return quote[:limit] if quote else piece[:limit]


def _join(items: Sequence[str], sep: str = "、") -> str:
    return sep.join(items)


# ----------------------------------------------------------------------------------------------
# Requirements
# ----------------------------------------------------------------------------------------------
_NUMBERING = re.compile(r"(?:^|(?<=\s)|(?<=[。；;，,：:]))\s*(?:\(?\d{1,2}[)）.．、]|[①-⑩]|[一二三四五六七八九十][、.．])\s*")
_HEADER = re.compile(
    r"^\s*(?:【)?(岗位职责|工作职责|工作内容|职位描述|岗位描述|任职要求|任职资格|岗位要求|职位要求|招聘要求|"
    r"要求|条件|福利待遇|薪资待遇|待遇|工作时间|工作地点)(?:】)?\s*[:：]?\s*"
)
_SKIP_SECTIONS = {"福利待遇", "薪资待遇", "待遇", "工作时间", "工作地点"}
_DUTY_SECTIONS = {"岗位职责", "工作职责", "工作内容", "职位描述", "岗位描述"}
_CERT_RE = re.compile(r"(?<!保)证(?!明|据)|执照|资格|资质|上岗证|等级")
_CONDITION_RE = re.compile(
    r"年龄|\d+\s*(?:-|~|至|到)\s*\d+\s*岁|岁以[下上内]|周岁|身体健康|男女不限|性别|学历|初中|高中|中专|大专|本科|"
    r"户籍|户口|倒班|夜班|轮班|排班|加班|住宿|无犯罪|身高|形象|退伍|驾龄|能接受|服从安排|周末"
)
_EXPERIENCE_RE = re.compile(r"经验|经历|年以上|从事过|做过|干过")
_SOFT_RE = re.compile(
    r"沟通|责任心|责任感|耐心|细心|吃苦|团队|服务意识|亲和|踏实|认真|主动|抗压|礼貌|普通话|表达|爱心|"
    r"诚实|守时|品行|积极|热情|细致|稳重|合作|协调"
)
_SKILL_RE = re.compile(r"熟悉|熟练|掌握|会使用|能使用|会用|能够|操作|软件|电脑|办公|驾驶|技能|[A-Za-z]{2,}")
_DUTY_RE = re.compile(r"^(?:负责|协助|完成|做好|按时|按照|配合|参与|处理|维护|管理|照料|巡逻|打扫|清洁)")


def classify_requirement(text: str) -> str:
    """Kind of one atomic requirement: certificate, condition, experience, soft, skill or duty."""
    if _CERT_RE.search(text):
        return "certificate"
    if _CONDITION_RE.search(text) and not _SKILL_RE.search(text):
        return "condition"
    if _EXPERIENCE_RE.search(text):
        return "experience"
    if _DUTY_RE.search(text):
        return "duty"
    if _SOFT_RE.search(text) and not _SKILL_RE.search(text):
        return "soft"
    if _SKILL_RE.search(text):
        return "skill"
    if _SOFT_RE.search(text):
        return "soft"
    return "duty"


def _atomic_items(text: str) -> list[tuple[str, str | None]]:
    """Split posting text into (item, section) pairs at numbering, newlines and semicolons."""
    items: list[tuple[str, str | None]] = []
    section: str | None = None
    for line in re.split(r"[\n\r]+", text):
        header = _HEADER.match(line)
        if header:
            section = header.group(1)
            line = line[header.end():]
        parts = _NUMBERING.split(line)
        for part in parts:
            for piece in re.split(r"[；;。]", part):
                piece = piece.strip(" \t，,、:：.．")
                if not piece:
                    continue
                # A comma joins two requirements when both halves are substantial on their own.
                halves = [h.strip(" ，,") for h in re.split(r"[，,]", piece)]
                if len(halves) > 1 and all(len(re.findall(f"[{_CJK}]", h)) >= 4 for h in halves):
                    items.extend((h, section) for h in halves)
                else:
                    items.append((piece, section))
    return items


def duties_for_occupation(code: str) -> list[str]:
    """Official duties (`tasks`, numbered `1.xxx 2.xxx`) of an occupation in the 2022 national
    classification, as a list of sentences. Raises InterviewError for an unknown code."""
    from data import reference

    table = reference.occupations()
    rows = table[table["code"] == code.strip()]
    if rows.empty:
        raise InterviewError(f"未找到职业编码 {code!r}，请使用《职业分类大典》中的编码，例如 4-10-01-05。")
    tasks = str(rows.iloc[0]["tasks"]).strip()
    parts = re.split(r"(?:^|\s+)\d{1,2}[.．、]", tasks)
    return [p.strip().rstrip("。；; ") for p in parts if p.strip().rstrip("。；; ")]


def occupation_name(code: str) -> str:
    """Display name of an occupation (trailing S/L digital/green markers stripped)."""
    from data import reference

    table = reference.occupations()
    rows = table[table["code"] == code.strip()]
    if rows.empty:
        raise InterviewError(f"未找到职业编码 {code!r}，请使用《职业分类大典》中的编码，例如 4-10-01-05。")
    return re.sub(r"[SL]+$", "", str(rows.iloc[0]["name"]).strip())


def requirements_from_role(
    *,
    title: str,
    requirements_text: str = "",
    skills: Sequence[str] = (),
    duties: Sequence[str] = (),
    thin_below: int = 3,
    max_duties: int = 4,
) -> list[Requirement]:
    """Atomic requirements of a role, in the order the posting lists them, then listed skills.

    When the posting yields fewer than `thin_below` interviewable requirements, up to `max_duties`
    of `duties` (the occupation's official duties) are added with kind "duty".
    """
    seen: set[str] = set()
    found: list[tuple[str, str, bool, str]] = []

    def add(text: str, kind: str | None, source: str) -> None:
        text = re.sub(r"\s+", " ", text).strip()
        key = re.sub(r"[^\w]", "", text)
        if len(key) < 2 or key in seen:
            return
        seen.add(key)
        preferred = bool(re.search(r"优先|者佳|更好|加分", text))
        found.append((text, kind or classify_requirement(text), preferred, source))

    for item, section in _atomic_items(requirements_text or ""):
        if section in _SKIP_SECTIONS:
            continue
        kind = classify_requirement(item)
        if section in _DUTY_SECTIONS and kind in {"skill", "duty"}:
            kind = "duty"
        add(item, kind, "posting")
    for skill in skills:
        if skill and skill.strip():
            kind = "certificate" if _CERT_RE.search(skill) else "skill"
            add(skill.strip(), kind, "skills")
    interviewable = [f for f in found if f[1] != "condition"]
    if len(interviewable) < thin_below:
        for duty in list(duties)[:max_duties]:
            add(duty, "duty", "occupation")
    return [
        Requirement(id=f"r{i + 1}", text=text, kind=kind, preferred=preferred, source=source)
        for i, (text, kind, preferred, source) in enumerate(found)
    ]


# ----------------------------------------------------------------------------------------------
# Similarity between texts (embedding + lexical), with a small cache of vectors
# ----------------------------------------------------------------------------------------------
class _VectorCache:
    def __init__(self, encoder: Encoder | None, size: int = 4096):
        self.encoder = encoder
        self.size = size
        self._store: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, texts: Sequence[str]) -> np.ndarray | None:
        if self.encoder is None:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._store]
        if missing:
            vectors = self.encoder.encode_documents(missing)
            for text, vector in zip(missing, vectors):
                self._store[text] = vector
                if len(self._store) > self.size:
                    self._store.popitem(last=False)
        for t in texts:
            self._store.move_to_end(t)
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._store[t] for t in texts])


def _cosine(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return None
    # Rounded so that tiny float noise cannot flip a threshold between runs.
    return np.round(a @ b.T, 4)


def _match_strength(cos: float | None, recall: float, ramp: tuple[float, float]) -> float:
    semantic = _ramp(cos, *ramp) if cos is not None else 0.0
    return max(semantic, min(1.0, recall * 1.5))


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
    return _join([f"“{r.text}”" for r in reqs])


class TemplateQuestionWriter:
    """Chinese question templates per question kind, requirement kind and difficulty."""

    def write(self, slot: QuestionSlot) -> str:
        role, level, reqs = slot.role_title or "这个岗位", slot.difficulty, slot.requirements
        names = _quoted(reqs)
        if slot.kind == "opening":
            if level == "entry":
                return f"先请你简单介绍一下自己吧：叫什么、之前做过什么，有什么长处。不用紧张，说两三分钟就行。"
            if level == "senior":
                return f"请用两三分钟介绍一下自己，重点说说你做过的和{role}相关的工作、带过多少人、取得过什么成绩。"
            return f"请先做个自我介绍，重点讲讲和{role}相关的经历和你的优势。"
        if slot.kind == "motivation":
            if level == "senior":
                return f"你为什么想来做{role}？你觉得做好这个岗位最关键的是什么，如果是你来带，头三个月会定什么目标？"
            if level == "entry":
                return f"你为什么想做{role}这份工作？你觉得这份工作每天主要做些什么？"
            return f"你为什么想应聘{role}？你对这个岗位平时的工作了解多少，觉得自己哪里适合？"
        if slot.kind == "resume":
            link = f"，它和岗位要求的{names}有什么相通的地方" if reqs else ""
            tail = "你当时带了几个人、怎么分工、结果如何？" if level == "senior" else "你当时具体负责什么、怎么做的、结果怎样？"
            return f"你的简历里写到“{slot.resume_sentence}”。请具体讲讲这段经历{link}。{tail}"
        if slot.kind == "gap" and reqs and reqs[0].kind == "certificate":
            return f"岗位要求{names}，你的简历里没有写。你现在有吗？如果还没有，打算什么时候、通过什么途径去考？"
        if slot.kind == "gap":
            return (
                f"岗位要求{names}，你的简历里还没看到相关的经历。你有没有类似的经验可以说说？"
                f"如果没有，你打算怎么尽快补上？"
            )
        if slot.kind == "conditions":
            return f"这个岗位还有几项基本要求：{names}。你的情况符合吗？有没有需要提前说明的？"
        if slot.kind == "plan":
            if level == "senior":
                return f"如果你被录用为{role}的负责人，第一个月你会怎么了解团队、定下哪些可以量化的目标？"
            return f"如果录用你，第一个月你打算怎么尽快熟悉{role}的工作？请说说具体的做法。"
        if slot.kind == "situational":
            topic = f"（岗位看重{names}）" if reqs else ""
            if level == "entry":
                return (
                    f"假设你刚上岗第一周，遇到一件自己不会处理的事，比如服务对象提了你不懂的要求{topic}，"
                    f"你会怎么办？"
                )
            if level == "senior":
                return (
                    f"如果你带一个班组，两个组员闹矛盾、影响了工作，同时这个月的任务指标又很紧{topic}，"
                    f"你会怎么处理？请举一个你带人的真实例子。"
                )
            return f"工作中如果服务对象或客户对你不满意、甚至投诉你{topic}，你会怎么处理？请举一个你遇到过的例子。"
        # probe: by requirement kind
        kind = reqs[0].kind if reqs else "skill"
        if kind == "certificate":
            return f"岗位要求{names}。你现在有吗？是什么时候考的、在工作中怎么用上的？如果还没有，打算什么时候考？"
        if kind == "experience":
            if level == "senior":
                return f"岗位要求{names}。请讲一个你在这方面最有代表性的经历：你负责什么、怎么带人做的、结果用数字说说。"
            return f"岗位要求{names}。请讲一次你在这方面的具体经历：当时是什么情况，你做了什么，结果怎样？"
        if kind == "duty":
            if level == "entry":
                return f"这个岗位平时要{names}。如果让你来做，你会按什么步骤做？要注意哪些安全或细节问题？"
            if level == "senior":
                return f"这个岗位要{names}。如果由你负责，你会怎么安排人手、定什么检查标准来保证做好？"
            return f"这个岗位要{names}。请结合你以前的经历说说，你会怎么做、要注意什么？"
        if kind == "soft":
            return f"岗位看重{names}。请举一个你工作或生活中的真实例子，说明你是怎么做到的。"
        if level == "entry":
            return f"岗位要求{names}。你以前接触过吗？会到什么程度？请举个你用过的例子。"
        if level == "senior":
            return f"岗位要求{names}。请说说你用它解决过的一个实际问题，以及你会怎么教新人掌握。"
        return f"岗位要求{names}。请结合你做过的具体事情，说说你是怎么用的、用到了哪些工具或方法？"


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
    _cache: _VectorCache | None = None,
) -> dict[str, tuple[float, str]]:
    """For each requirement id, the strength (0-1) and text of the best-matching resume sentence."""
    sentences = split_sentences(resume_text or "")
    if not sentences or not requirements:
        return {r.id: (0.0, "") for r in requirements}
    cache = _cache or _VectorCache(encoder)
    sims = _cosine(cache.encode([r.text for r in requirements]), cache.encode(sentences))
    sentence_terms = [terms(s) for s in sentences]
    out: dict[str, tuple[float, str]] = {}
    for i, req in enumerate(requirements):
        req_terms = terms(req.text)
        best, best_sentence = 0.0, ""
        for j, sentence in enumerate(sentences):
            cos = float(sims[i, j]) if sims is not None else None
            strength = _match_strength(cos, _recall(req_terms, sentence_terms[j]), COVER_COS_RAMP)
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
    evidence = resume_evidence(key, resume_text, encoder=encoder)

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
        resume_slot = QuestionSlot("resume", covered, role_title, difficulty, _short_quote(sentence, 50))
        budget -= 1
    taken = {r.id for r in (resume_slot.requirements if resume_slot else [])}

    # Soft requirements ride on the situational question (up to two), the rest need own slots.
    situational_reqs = [r for r in soft if r.id not in taken][:2]
    taken |= {r.id for r in situational_reqs}
    remaining = [r for r in key if r.id not in taken]

    units: list[tuple[str, list[Requirement]]] = [
        ("probe" if evidence[r.id][0] >= EVIDENCE_MIN else "gap", [r]) for r in remaining
    ]
    units = _group_units(units, budget)
    groups_note: list[str] = []
    slots: list[QuestionSlot] = [
        QuestionSlot("opening", [], role_title, difficulty),
        QuestionSlot("motivation", [], role_title, difficulty),
    ]
    if resume_slot:
        slots.append(resume_slot)
    for kind, unit in sorted(units, key=lambda u: 0 if u[0] == "probe" else 1):
        slots.append(QuestionSlot(kind, unit, role_title, difficulty))
        if len(unit) > 1:
            groups_note.append(_join([r.text for r in unit]))
    slots.append(QuestionSlot("situational", situational_reqs, role_title, difficulty))
    if conditions:
        slots.append(QuestionSlot("conditions", conditions[:4], role_title, difficulty))
    while len(slots) < MIN_QUESTIONS:
        slots.append(QuestionSlot("plan", [], role_title, difficulty))

    questions = []
    for i, slot in enumerate(slots):
        note = f"本题合并考察：{_join([r.text for r in slot.requirements])}" if (
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
        raise InterviewError(f"未知的题目类型 {kind!r}，可用：{_join(QUESTION_KINDS)}。")
    slot = QuestionSlot(kind, list(requirements), role_title, difficulty, resume_hint)
    return Question(
        id=question_id, text=text, kind=kind, requirements=[r.id for r in requirements],
        rubric_terms=_rubric_terms(slot), role_title=role_title, resume_hint=resume_hint,
    )


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
                out.append(f"没有说到“{req.text}”。你简历里有“{_short_quote(resume, 40)}”，可以把这段经历讲出来。")
            else:
                out.append(f"没有说到“{req.text}”。请说说你在这方面做过什么；确实没有的话，坦白说明并讲清打算怎么学。")
        if s.structure_missing and not s.off_topic:
            labels = _join([STRUCTURE_LABELS[m] for m in s.structure_missing])
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
        targets = _join([r.text for r in s.targets[:3]]) or role
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
            return f"你简历里的“{_short_quote(line, 40)}”"
    if s.question.resume_hint:
        return f"你简历里的“{s.question.resume_hint}”"
    if s.resume_sentences:
        return f"你简历里的“{_short_quote(s.resume_sentences[0], 40)}”"
    return ""


# ----------------------------------------------------------------------------------------------
# Scoring
# ----------------------------------------------------------------------------------------------
class AnswerScorer:
    """Rubric scorer for one answer (see module docstring). Holds only the encoder and a cache of
    question/requirement vectors; `score` is a pure function of its inputs."""

    def __init__(self, encoder: Encoder, *, feedback_writer: FeedbackWriter | None = None):
        self.encoder = encoder
        self.feedback_writer = feedback_writer or TemplateFeedbackWriter()
        self._cache = _VectorCache(encoder)

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
        if answer is None or not re.search(f"[{_CJK}A-Za-z0-9]", answer):
            raise InterviewError("回答不能为空，请先说几句再提交。")
        by_id = {r.id: r for r in requirements}
        unknown = [rid for rid in question.requirements if rid not in by_id]
        if unknown:
            raise InterviewError(f"题目 {question.id} 考察的要求 {_join(unknown)} 不在本次面试的岗位要求中。")

        notices: list[str] = []
        original_length = len(answer.strip())
        text = answer
        if len(text) > MAX_ANSWER_CHARS:
            text = text[:MAX_ANSWER_CHARS]
            notices.append(
                f"回答有 {original_length} 字，只分析了前 {MAX_ANSWER_CHARS} 字。"
                "真实面试中一道题建议一两分钟说完（约300字）。"
            )
        chunks = split_sentences(text)[:MAX_CHUNKS] or [text.strip()[:CHUNK_CHARS]]
        answer_terms = terms(text)

        if question.requirements:
            targets = [by_id[rid] for rid in question.requirements]
        elif question.kind in {"opening", "motivation", "plan"}:
            targets = [r for r in requirements if r.kind != "condition"]
        else:
            targets = []

        # Encode everything in one call; question and requirement vectors come from the cache.
        question_vec = self._cache.encode([question.text])
        target_vecs = self._cache.encode([r.text for r in targets])
        chunk_vecs = self.encoder.encode_documents(chunks)
        weights = np.array([len(c) for c in chunks], dtype=np.float32)
        answer_vec = (weights[:, None] * chunk_vecs).sum(axis=0, keepdims=True)
        answer_vec /= max(float(np.linalg.norm(answer_vec)), 1e-9)

        # 1. relevance
        cos_q = float(_cosine(answer_vec, question_vec)[0, 0])
        cos_r = float(_cosine(answer_vec, target_vecs).max()) if targets else 0.0
        topic_terms = (
            terms(" ".join(question.rubric_terms))
            | {t for r in targets for t in terms(r.text)}
            | (terms(question.text) - _template_terms())
        )
        lexical = round(_recall(topic_terms, answer_terms), 4)
        semantic_cos = max(cos_q, cos_r)
        relevance_share = REL_SEMANTIC_WEIGHT * _ramp(semantic_cos, *REL_COS_RAMP) + (
            1 - REL_SEMANTIC_WEIGHT
        ) * _ramp(lexical, *REL_LEX_RAMP)
        # A two-line answer is judged too short (delivery), not off-topic, even if it matches little.
        substantial = len(re.findall(f"[{_CJK}A-Za-z0-9]", text)) >= 30
        off_topic = substantial and semantic_cos < OFF_TOPIC_COS and lexical < OFF_TOPIC_LEX
        if off_topic:
            relevance_share = min(relevance_share, 0.2)
        gate = GATE_FLOOR + (1 - GATE_FLOOR) * min(1.0, relevance_share / GATE_FULL_AT)

        # 2. coverage + evidence
        chunk_terms = [terms(c) for c in chunks]
        sims = _cosine(target_vecs, chunk_vecs) if targets else None
        # A story can show a requirement without any one sentence matching it closely.
        whole = _cosine(target_vecs, answer_vec)[:, 0] if targets else None
        evidence: list[dict[str, str]] = []
        covered: list[Requirement] = []
        missing: list[Requirement] = []
        values: list[float] = []
        for i, req in enumerate(targets):
            req_terms = terms(req.text)
            best, best_j = 0.0, -1
            for j in range(len(chunks)):
                strength = _match_strength(
                    float(sims[i, j]), _recall(req_terms, chunk_terms[j]), COVER_COS_RAMP
                ) * (CLAIM_ONLY_FACTOR if _claim_only(chunks[j]) else 1.0)
                if strength > best:
                    best, best_j = strength, j
            if whole is not None and not _claim_only(text):
                overall = WHOLE_ANSWER_FACTOR * _ramp(float(whole[i]), *COVER_COS_RAMP)
                if overall > best:
                    best = overall
                    best_j = int(np.argmax(sims[i])) if best_j < 0 else best_j
            if off_topic:
                best = min(best, 0.3)
            values.append(best)
            if best >= EVIDENCE_MIN and best_j >= 0:
                covered.append(req)
                evidence.append({
                    "quote": _short_quote(chunks[best_j]),
                    "requirement_id": req.id,
                    "requirement": req.text,
                })
            else:
                missing.append(req)
        if question.kind in {"opening", "motivation", "plan"}:
            coverage_share = min(1.0, sum(sorted(values, reverse=True)[:3]) / min(3, len(values))) if values else 0.6 * relevance_share
            if question.kind != "opening" or len(targets) <= 3:
                missing = [] if coverage_share >= 0.6 else missing[:2]
            else:
                missing = missing[:2] if coverage_share < 0.6 else []
        elif targets:
            coverage_share = sum(values) / len(values)
        else:
            coverage_share = relevance_share

        # 3. specificity
        numbers = [m.group(0) for m in _NUMBER_RE.finditer(text)]
        examples = [m.group(0) for m in _EXAMPLE_RE.finditer(text)]
        tools = [m.group(0) for m in _TOOL_RE.finditer(text)]
        vague = [m.group(0) for m in _VAGUE_RE.finditer(text)]
        specific = (
            8 * min(1.0, len(numbers) / 2) + 6 * min(1.0, len(examples) / 1)
            + 6 * min(1.0, len(set(tools)) / 2)
        )
        concrete = len(numbers) + len(examples) + len(set(tools))
        vague_penalty = min(6.0, 2.0 * len(vague)) * (1.0 if concrete < 3 else 0.5)
        specificity_points = max(0.0, specific - vague_penalty)
        level = "具体" if specificity_points >= 14 else ("一般" if specificity_points >= 7 else "空泛")

        # 4. structure
        framework, patterns = _structure_patterns(question.kind, targets)
        found = [name for name, rx in patterns.items() if rx.search(text)]
        structure_missing = [name for name in patterns if name not in found]
        structure_share = len(found) / len(patterns)

        # 5. delivery
        delivery_points, flags, hints = _delivery(text, original_length, chunks)

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
                targets, resume_text, encoder=self.encoder, _cache=self._cache
            ).items() if strength >= RESUME_EVIDENCE_MIN
        } if resume_text and targets else {}
        scored = ScoredAnswer(
            question=question, answer=text, targets=targets, covered=covered, missing=missing,
            off_topic=off_topic, structure_missing=structure_missing, specificity_level=level,
            delivery_flags=flags, best_resume_sentences=resume_best,
            resume_sentences=split_sentences(resume_text or "")[:20], framework=framework,
        )
        relevance_message = (
            "回答偏离了题目：和问题及岗位要求的关联很弱，请先正面回答问题。" if off_topic
            else ("回答基本切题。" if relevance_share >= 0.5 else (
                "回答和题目有些关系，但可以更直接地回应问题。" if substantial
                else "回答太短，看不出和题目的关系，请正面回答并补充细节。"
            ))
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
            },
            delivery=hints,
            relevance={
                "on_topic": not off_topic, "cosine": round(semantic_cos, 3), "lexical": round(lexical, 3),
                "message": relevance_message,
            },
            suggestions=self.feedback_writer.suggestions(scored),
            outline=self.feedback_writer.outline(scored),
            notices=notices,
            question_id=question.id,
        )


def _claim_only(piece: str) -> bool:
    """A bare claim ("这个我都会", "没问题") restates a requirement without showing anything."""
    concrete = (
        _NUMBER_RE.search(piece) or _EXAMPLE_RE.search(piece) or _TOOL_RE.search(piece)
        or _STAR["action"].search(piece)
    )
    if concrete:
        return False
    return bool(_VAGUE_RE.search(piece)) or len(re.findall(f"[{_CJK}]", piece)) < 20


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
        return "操作步骤", _STEPS
    if kind == "opening":
        return "自我介绍", _INTRO
    if kind == "motivation":
        return "求职动机", _MOTIVATION
    if kind == "conditions":
        return "条件确认", _CONDITIONS
    return "STAR", _STAR


def _delivery(text: str, original_length: int, chunks: Sequence[str]) -> tuple[float, list[str], list[str]]:
    points, flags, hints = float(POINTS["delivery"]), [], []
    length = len(re.findall(f"[{_CJK}A-Za-z0-9]", text))
    if length < 40:
        points -= 6
        flags.append("too_short")
        hints.append("回答太短，面试官很难了解你，建议至少说三四句话。")
    elif length < 80:
        points -= 3
        flags.append("too_short")
        hints.append("回答偏短，可以再补一个具体例子。")
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
    negative = _NEGATIVE_RE.search(text)
    if negative:
        points -= 5
        flags.append("negative")
        hints.append(f"“{negative.group(0)}”这类抱怨前雇主的话会让面试官担心，建议换成中性的说法。")
    fillers = len(_FILLER_RE.findall(text)) + len(_DONT_KNOW_RE.findall(text))
    if fillers >= 3:
        points -= 2
        flags.append("fillers")
        hints.append("口头语和“不知道”比较多，显得没准备，可以先想几秒再回答。")
    return max(0.0, points), flags, hints


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
        next_steps.append(f"为这些要求各准备一个真实例子：{_join([n['text'] for n in never[:3]])}。")
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


def requirements_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[Requirement]:
    return [Requirement.from_dict(i) for i in items]


def questions_from_dicts(items: Iterable[Mapping[str, Any]]) -> list[Question]:
    return [Question.from_dict(i) for i in items]
