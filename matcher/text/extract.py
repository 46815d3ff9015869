"""Structured extraction from posting and resume text, the way a station counsellor reads it.

`extract(text)` finds education, experience, salary, skills, certificates, languages, shifts,
employment type, places (街道 / district) and, for resumes, a timeline of past roles. Every finding is
a :class:`Span` whose `text` equals `source[start:end]`, so explanations can quote the source.

Vocabulary is data (`data/vocab/skills.csv`, `data/vocab/certificates.csv`: canonical, `|`-separated
aliases, category). Matching is a longest-match dictionary scan over a length-preserving normalised
copy of the text (full-width -> half-width, lower case). Short Chinese terms (two characters or
fewer, e.g. 监控, 行政, 浦东) are only accepted where a private jieba tokenizer — with every vocabulary
term added to its dictionary — puts a word boundary, so 行政区 does not yield the skill 行政.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from data import reference
from matcher.text.normalise import fold
from matcher.text.parsing import SALARY_SPAN, FieldError, Salary, parse_education, parse_experience, parse_salary

VOCAB_DIR = Path(reference.__file__).resolve().parent / "vocab"
KINDS = ("posting", "resume")
# Terms this short are ambiguous inside longer words; they must sit on jieba word boundaries.
SHORT_TERM = 2
# A short term followed by one of these characters is still the term (保洁 in 保洁员, 电工 in 电工证).
AGENTIVE_SUFFIXES = set("员工师证者手人类")


@dataclass(frozen=True)
class Span:
    """A value found in the text, with its character offsets; `text == source[start:end]`."""

    value: str | float | int | Salary
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TimelineEntry:
    """One past role in a resume: period (value: normalised 'YYYY.MM-YYYY.MM'), organisation, role."""

    period: Span
    years: float | None
    organisation: Span | None
    role: Span | None


@dataclass
class Extraction:
    """Everything `extract` found; lists are in order of appearance."""

    kind: str
    education: Span | None = None
    experience_years: Span | None = None  # value: minimum years (float)
    experience_max_years: float | None = None
    salary: Span | None = None  # value: data.parsing.Salary
    skills: list[Span] = field(default_factory=list)
    certificates: list[Span] = field(default_factory=list)
    languages: list[Span] = field(default_factory=list)
    shifts: list[Span] = field(default_factory=list)
    night_work: bool = False
    employment_type: Span | None = None
    places: list[Span] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Chinese, e.g. an implausible salary in the text

    @property
    def skill_names(self) -> list[str]:
        return _unique(span.value for span in self.skills)

    @property
    def certificate_names(self) -> list[str]:
        return _unique(span.value for span in self.certificates)

    @property
    def timeline_years(self) -> float:
        """Sum of the durations of timeline entries (overlaps are not merged)."""
        return round(sum(entry.years or 0.0 for entry in self.timeline), 1)

    def to_dict(self) -> dict:
        """JSON-ready dict (Salary becomes a dict too)."""
        return asdict(self)


def _unique(values) -> list:
    seen: dict = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)


# ------------------------------------------------------------------------------------ normalisation

def normalise_text(text: str) -> str:
    """Full-width to half-width and lower case, one character for one character (offsets survive)."""
    return fold(text)


def _norm_term(term: str) -> str:
    return normalise_text(str(term).strip())


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# ------------------------------------------------------------------------------------ vocabulary

@dataclass(frozen=True)
class _Entry:
    canonical: str
    category: str
    kind: str  # "skill" | "language" | "certificate" | "place"


class Vocabulary:
    """Alias tables and the jieba tokenizer built from them; build once via `load_vocabulary()`."""

    def __init__(self, skills: pd.DataFrame, certificates: pd.DataFrame):
        import logging

        import jieba  # imported here: loading its dictionary is a one-off cost at first use

        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not for counsellors

        self.skills = skills
        self.certificates = certificates
        self.terms: dict[str, _Entry] = {}
        for row in skills.itertuples(index=False):
            kind = "language" if row.category == "language" else "skill"
            self._add_row(row, kind)
        for row in certificates.itertuples(index=False):
            self._add_row(row, "certificate")
        self._add_places()
        self.max_len = max(len(term) for term in self.terms)
        # Per first character, the lengths of the terms starting with it, longest first: `scan` tries
        # only those (the same leftmost-longest matches as trying every length, without the misses).
        lengths: dict[str, set[int]] = {}
        for term in filter(None, self.terms):
            lengths.setdefault(term[0], set()).add(len(term))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        for term in self.terms:
            if not term.isascii():
                self.tokenizer.add_word(term, freq=2000)

    def _add_row(self, row, kind: str) -> None:
        entry = _Entry(str(row.canonical).strip(), str(row.category).strip(), kind)
        aliases = [row.canonical] + [a for a in str(row.aliases or "").split("|") if a and a != "nan"]
        for alias in aliases:
            term = _norm_term(alias)
            # First writer wins so a canonical is never shadowed by another row's alias.
            if term and term not in self.terms:
                self.terms[term] = entry

    def _add_places(self) -> None:
        for name in reference.districts()["name"]:
            entry = _Entry(name, "district", "place")
            self.terms.setdefault(_norm_term(name), entry)
            short = re.sub(r"(新区|区)$", "", name)
            self.terms.setdefault(_norm_term(short), entry)
        for name in reference.streets()["name"]:
            entry = _Entry(name, "street", "place")
            self.terms.setdefault(_norm_term(name), entry)
            short = re.sub(r"(街道|镇|乡)$", "", name)
            short = re.sub(r"(街道|镇|乡)$", "", short)
            if len(short) >= 2:
                self.terms.setdefault(_norm_term(short), entry)

    def lookup(self, term: str, kind: str | None = None) -> str | None:
        entry = self.terms.get(_norm_term(term))
        if entry is None or (kind is not None and entry.kind not in kind.split("|")):
            return None
        return entry.canonical

    def scan(self, text: str, norm: str) -> list[tuple[int, int, _Entry]]:
        """Leftmost-longest dictionary matches: (start, end, entry), non-overlapping."""
        boundaries: set[int] | None = None
        found = []
        i, n = 0, len(norm)
        while i < n:
            match = None
            for length in self._lengths.get(norm[i], ()):
                if length > n - i:
                    continue
                entry = self.terms.get(norm[i:i + length])
                if entry is None:
                    continue
                term = norm[i:i + length]
                if _is_ascii_alnum(term[0]) and i > 0 and _is_ascii_alnum(norm[i - 1]):
                    continue
                if _is_ascii_alnum(term[-1]) and i + length < n and _is_ascii_alnum(norm[i + length]):
                    continue
                if len(term) <= SHORT_TERM and not term.isascii():
                    if boundaries is None:
                        boundaries = self._boundaries(text)
                    end = i + length
                    ends_ok = end in boundaries or (end < n and norm[end] in AGENTIVE_SUFFIXES)
                    if i not in boundaries or not ends_ok:
                        continue
                match = (i, i + length, entry)
                break
            if match:
                found.append(match)
                i = match[1]
            else:
                i += 1
        return found

    def _boundaries(self, text: str) -> set[int]:
        cuts = {0, len(text)}
        for _, start, end in self.tokenizer.tokenize(text, HMM=False):
            cuts.add(start)
            cuts.add(end)
        return cuts


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled skill and certificate vocabulary (cached; the first call takes about a second)."""
    skills = pd.read_csv(VOCAB_DIR / "skills.csv", dtype=str).fillna("")
    certificates = pd.read_csv(VOCAB_DIR / "certificates.csv", dtype=str).fillna("")
    return Vocabulary(skills, certificates)


def canonical_skill(term: str) -> str | None:
    """Canonical skill or language name for an alias ('PS' -> 'Photoshop'), or None if unknown."""
    return load_vocabulary().lookup(term, "skill|language")


def canonical_certificate(term: str) -> str | None:
    """Canonical certificate name for an alias ('驾照' -> '驾驶证'), or None if unknown."""
    return load_vocabulary().lookup(term, "certificate")


# ------------------------------------------------------------------------------------ field patterns

_EDU_RE = re.compile(
    r"(学历不限|不限学历|学历要求不限|"
    r"(?:全日制)?(?:博士研究生|硕士研究生|博士|硕士|研究生|本科|大学专科|大专|专科|高职|高中|中专|职高|技校|中技|初中)"
    r"(?:(?:/|或|、)(?:本科|大专|专科|高中|中专|技校|职高|初中))*(?:及以上|或以上|以上)?(?:学历)?)"
)
_EXP_RE = re.compile(
    r"(经验不限|不限经验|无经验要求|无需经验|无经验|接受应届生?|应届生?|"
    # Bounded runs: unbounded \d+ and \s* here made a long run of digits take minutes (found by schemathesis).
    r"(?:\d{1,3}(?:\.\d{1,2})?|[一二两三四五六七八九十半]{1,3})\s{0,3}(?:-|~|～|至|到)?\s{0,3}"
    r"(?:\d{1,3}(?:\.\d{1,2})?|[一二两三四五六七八九十]{1,3})?\s{0,3}(?:个月|年)(?:及以上|以上|以下|以内)?"
    r"(?=[^，,。；;\n]{0,6}经验|[^，,。；;\n]{0,4}(?:工作|从业|相关)))"
)
_EXP_LABEL_RE = re.compile(r"(?:工作经验|经验要求|工作年限|经验)\s*[:：]\s*([^，,。；;\s\n]{1,12})")
_SALARY_RE = SALARY_SPAN
_SALARY_CONTEXT = re.compile(r"(薪资|薪水|工资|待遇|薪酬|收入|月入|报酬)[^，,。；;\n]{0,4}$")
_NEGOTIABLE_RE = re.compile(r"(?:薪资|工资|待遇|薪酬)?\s{0,3}[:：]?\s{0,3}面议")  # bounded: a long blank run took minutes
_SHIFT_TERMS = {
    "夜班": True, "大夜班": True, "大夜": True, "小夜班": True, "通宵班": True, "通宵": True, "值夜班": True,
    "夜间值班": True, "三班倒": True, "两班倒": True, "倒班": True, "24小时值班": True, "做24休48": True,
    "晚班": False, "早班": False, "中班": False, "白班": False, "长白班": False, "轮班": False,
    "做一休一": False, "做二休二": False, "做六休一": False, "做五休二": False, "排班": False,
    "单休": False, "双休": False, "大小周": False, "周末双休": False,
}
_SHIFT_RE = re.compile("|".join(sorted(map(re.escape, _SHIFT_TERMS), key=len, reverse=True)))
_NEGATION_RE = re.compile(r"(不上|无|没有|不用|不需|不需要|不要求|不安排|免)$")
_EMPLOYMENT = [
    ("全职", "全职"), ("兼职", "兼职"), ("实习生", "实习"), ("实习", "实习"), ("见习", "见习"),
    ("临时工", "临时"), ("短期工", "临时"), ("临时", "临时"), ("小时工", "小时工"), ("钟点工", "小时工"),
]
_EMPLOYMENT_RE = re.compile("|".join(term for term, _ in _EMPLOYMENT))
_EMPLOYMENT_MAP = dict(_EMPLOYMENT)
_PERIOD_RE = re.compile(
    r"((?:19|20)\d{2})\s*[.\-/年]\s*(\d{1,2})?\s*月?\s*(?:-|~|～|至|到|—|–)+\s*"
    r"(?:((?:19|20)\d{2})\s*[.\-/年]\s*(\d{1,2})?\s*月?|(至今|今|现在|目前))"
)
_ORG_SUFFIX = re.compile(
    r"(公司|集团|中心|医院|学校|大学|学院|酒店|饭店|餐厅|超市|物业|厂|店|银行|街道|居委会?|养老院|敬老院|"
    r"幼儿园|机构|工作室|事务所|局|委员会|社区|协会|商场|门店|工地|站|部队|所)$"
)


def _span(text: str, start: int, end: int, value) -> Span:
    return Span(value, start, end, text[start:end])


# ------------------------------------------------------------------------------------ extractors

def _find_education(text: str, norm: str) -> Span | None:
    for m in _EDU_RE.finditer(norm):
        try:
            level = parse_education(m.group(0))
        except FieldError:
            continue
        if level is not None:
            return _span(text, m.start(), m.end(), level)
    return None


def _find_experience(text: str, norm: str) -> tuple[Span | None, float | None]:
    candidates = [(m.start(1), m.end(1)) for m in _EXP_LABEL_RE.finditer(norm)]
    candidates += [(m.start(), m.end()) for m in _EXP_RE.finditer(norm)]
    for start, end in sorted(candidates):
        try:
            parsed = parse_experience(norm[start:end])
        except FieldError:
            continue
        if parsed is not None:
            return _span(text, start, end, float(parsed[0])), parsed[1]
    return None, None


def _find_salary(text: str, norm: str, warnings: list[str]) -> Span | None:
    for m in _SALARY_RE.finditer(norm):
        keyword, amount, yuan, unit, bonus, plus = m.groups()
        strong = bool(keyword or yuan or unit or re.search(r"[kw千万]", amount) or "元" in amount)
        context = bool(_SALARY_CONTEXT.search(norm[max(0, m.start() - 10):m.start()]))
        if not (strong or context):
            continue
        start, end = m.start(), m.end()
        while end > start and norm[end - 1].isspace():
            end -= 1
        try:
            salary = parse_salary(text[start:end])
        except FieldError as err:
            if keyword or unit or context:
                warnings.append(str(err))
            continue
        if salary is not None:
            return _span(text, start, end, salary)
    m = _NEGOTIABLE_RE.search(norm)
    if m:
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        return _span(text, start, m.end(), Salary(None, None, None, True, text[start:m.end()]))
    return None


def _find_shifts(text: str, norm: str) -> tuple[list[Span], bool]:
    spans, night = [], False
    for m in _SHIFT_RE.finditer(norm):
        if _NEGATION_RE.search(norm[max(0, m.start() - 3):m.start()]):
            continue
        spans.append(_span(text, m.start(), m.end(), m.group(0)))
        night = night or _SHIFT_TERMS[m.group(0)]
    return spans, night


def _find_employment(text: str, norm: str) -> Span | None:
    m = _EMPLOYMENT_RE.search(norm)
    return _span(text, m.start(), m.end(), _EMPLOYMENT_MAP[m.group(0)]) if m else None


def _months(year: str, month: str | None) -> int:
    return int(year) * 12 + (int(month) - 1 if month and 1 <= int(month) <= 12 else 0)


def _find_timeline(text: str, norm: str, today: date) -> list[TimelineEntry]:
    entries = []
    matches = list(_PERIOD_RE.finditer(norm))
    for index, m in enumerate(matches):
        y1, mo1, y2, mo2, ongoing = m.groups()
        start_m = _months(y1, mo1)
        end_m = _months(str(today.year), str(today.month)) if ongoing else _months(y2, mo2)
        years = round((end_m - start_m) / 12, 1) if end_m >= start_m else None
        end_label = "至今" if ongoing else f"{y2}.{int(mo2):02d}" if mo2 else y2
        label = (f"{y1}.{int(mo1):02d}" if mo1 else y1) + "-" + end_label
        period_end = m.end()
        while period_end > m.start() and norm[period_end - 1].isspace():
            period_end -= 1
        period = _span(text, m.start(), period_end, label)
        # The role and employer are on the rest of the line, before the next period.
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(norm)
        newline = norm.find("\n", m.end())
        if newline != -1 and newline < stop:
            stop = newline
        organisation = role = None
        tokens = [(t.start(), t.end()) for t in re.finditer(r"[^\s,，|｜;；:：、/]+", norm[m.end():stop])]
        tokens = [(m.end() + a, m.end() + b) for a, b in tokens]
        for position, (a, b) in enumerate(tokens):
            if organisation is None and _ORG_SUFFIX.search(norm[a:b]):
                organisation = _span(text, a, b, text[a:b])
                if position + 1 < len(tokens):
                    ra, rb = tokens[position + 1]
                    role = _span(text, ra, rb, text[ra:rb])
                elif position > 0:
                    ra, rb = tokens[position - 1]
                    role = _span(text, ra, rb, text[ra:rb])
                break
        if organisation is None and tokens:
            a, b = tokens[-1]
            role = _span(text, a, b, text[a:b])
        entries.append(TimelineEntry(period, years, organisation, role))
    return entries


def extract(text: str, kind: str = "posting", *, today: date | None = None) -> Extraction:
    """Read a posting or resume. Never raises on odd input (empty, very long, emoji, mixed scripts).

    `today` fixes what '至今' means in resume timelines (default: the current date).
    """
    if kind not in KINDS:
        raise ValueError(f"未知的文本类型 {kind!r}：应为 'posting'（岗位）或 'resume'（简历）")
    text = "" if text is None else str(text)
    result = Extraction(kind=kind)
    if not text.strip():
        return result
    norm = normalise_text(text)
    vocab = load_vocabulary()

    result.education = _find_education(text, norm)
    result.experience_years, result.experience_max_years = _find_experience(text, norm)
    result.salary = _find_salary(text, norm, result.warnings)
    result.shifts, result.night_work = _find_shifts(text, norm)
    result.employment_type = _find_employment(text, norm)

    matches = vocab.scan(text, norm)
    cert_ranges = [(s, e) for s, e, entry in matches if entry.kind == "certificate"]
    for start, end, entry in matches:
        span = _span(text, start, end, entry.canonical)
        if entry.kind == "certificate":
            result.certificates.append(span)
        elif entry.kind == "language":
            result.languages.append(span)
        elif entry.kind == "place":
            result.places.append(span)
        elif not any(s <= start and end <= e for s, e in cert_ranges):
            result.skills.append(span)

    if kind == "resume":
        result.timeline = _find_timeline(text, norm, today or date.today())
    return result
