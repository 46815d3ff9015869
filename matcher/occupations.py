"""Code messy job titles to the 2022 national occupation classification (职业分类大典) at 细类 level.

Pipeline for one title:
1. Clean: NFKC, drop bracketed asides, urgency words (急招/诚聘/高薪), benefits (包吃住/五险一金),
   salaries, headcounts, Shanghai place names and platform/company names; pull seniority words
   (主管/经理/高级/实习...) out as a separate signal; split several titles joined by '/'.
   Each title gives a few *variants* (with and without seniority words, each '/' part).
2. Score every 细类 against each variant with
   - exact match with its name or an alias (official aliases plus data/vocab/occupation_aliases.csv),
   - containment: the longest alias that occurs inside the variant, as a share of the variant's length,
   - character 1-3-gram TF-IDF cosine to its name and aliases (max over aliases),
   - the same TF-IDF against its definition and tasks (weak evidence),
   - the encoder's cosine similarity to its name and aliases (max over aliases).
   A code's score is the weighted sum, maximised over the title's variants.
3. Confidence: a logistic function of the top score and the margin to the runner-up, calibrated on
   the tuning half of evaluation/datasets/occupation_devset.csv (see `CONFIDENCE_*`).
   When it is low, the scores are pooled (softmax) per 小类 and per 中类; a clearly dominant parent
   is returned first, at level 3 or 2, with a Chinese note saying so.

Titles whose cleaned form is exactly a known name or alias are coded without the encoder (the exact
match already decides the top code); this keeps batch coding of thousands of titles fast on a CPU.
"""
from __future__ import annotations

import hashlib
import os

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from data import reference
from models.encoder import Encoder

VOCAB_DIR = Path(reference.__file__).resolve().parent / "vocab"

# Evidence weights (hand-set, then checked on the tuning half of the dev set).
W_EXACT = 1.0
W_CONTAIN = 0.6
W_TFIDF = 0.35
W_DEFINITION = 0.15
W_EMBED = 0.7
# Confidence = sigmoid(A * top + B * margin + C): logistic regression of "top 细类 is right" on the
# tuning half of the dev set (`python -m evaluation.occupation_eval --calibrate`). The margin carries
# the signal; the top score alone is not informative once exact alias matches saturate it.
CONFIDENCE_A = -0.46
CONFIDENCE_B = 1.24
CONFIDENCE_C = 0.85
CONFIDENT = 0.5  # below this the top 细类 is reported as uncertain
PARENT_SHARE = 0.6  # pooled probability a 小类/中类 needs to be offered instead
SOFTMAX_TEMPERATURE = 0.08
ENCODE_BATCH = 256

_MARKER = re.compile(r"(?<=[\u4e00-\u9fff])(?:L/S|S/L|L|S)$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BRACKETS = re.compile(r"[（(【\[「『<《{][^）)】\]」』>》}]*[）)】\]」』>》}]")
_URGENCY = re.compile(r"急招|急聘|诚聘|诚招|高薪诚聘|高薪|热招|直招|急需|急缺|长期招聘?|大量招聘?|招聘|招募|聘请|^招")
_BENEFITS = re.compile(
    r"包吃包住|包吃住|包食宿|包住宿|包住|包吃|管吃住|五险一金|六险一金|五险|社保|双休|单休|周末双休|做一休一|长白班|"
    r"日结|周结|月结|高提成|提成|底薪|年终奖|带薪年假|节假日福利|入职即缴|免费培训|可培训|包培训|无经验可|经验不限|"
    r"男女不限|限男性?|限女性?|不限|兼职|全职|临时工?|长期|多名|若干|可居家|居家办公|持证优先|持证|优先|以下|以上|岁"
)
_SALARY = re.compile(
    r"(?:月薪|日薪|时薪|年薪|底薪|薪资|工资)?\s*(?<![a-z0-9.])\d+(?:\.\d+)?\s*[kw千万]?"
    r"(?:\s*[-~]\s*\d+(?:\.\d+)?\s*[kw千万]?)?\s*(?:元|块)?(?:/(?:月|天|日|小时|时|年))?(?:以上|起|\+)?"
    r"(?![0-9.]*\s*(?:米|号|吨|座|层))"
)
_HEADCOUNT = re.compile(r"\d+\s*(?:名|人|位)")
_PLATFORMS = re.compile(
    r"亚马逊|amazon|ebay|shopee|lazada|tiktok|1688|阿里巴巴|阿里|淘宝|天猫|京东|拼多多|抖音|快手|小红书|美团|饿了么|"
    r"唯品会|苏宁|盒马|叮咚|顺丰|中通|圆通|申通|韵达|菜鸟|滴滴|星巴克|麦当劳|肯德基|全家|罗森|链家|我爱我家"
)
_COMPANY = re.compile(r"^\S{2,20}?(?:有限责任公司|股份有限公司|有限公司|公司|集团)")
_SENIORITY = re.compile(r"实习生|实习|见习|学徒|储备|高级|资深|初级|中级|主管|总监|经理|组长|领班|队长|主任|助理|专员")
_SPLIT = re.compile(r"[/|、]|或")
_JUNK_FILL = re.compile(r"[\s\W_]+")


def _strip_marker(name: str) -> str:
    return _MARKER.sub("", str(name).strip())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).lower().strip()


@dataclass(frozen=True)
class CleanedTitle:
    """A title prepared for coding: variants to score, seniority words found, and whether it is junk."""

    original: str
    variants: tuple[str, ...]
    seniority: tuple[str, ...]
    junk: bool
    core: tuple[str, ...] = ()  # the variants worth the encoder's time: '/' parts without seniority words


def clean_title(title: str, places: Sequence[str] = ()) -> CleanedTitle:
    """Strip urgency, benefits, salary, places, platforms and brackets; split '/'; keep seniority aside."""
    text = _fold(title or "")
    inner = " ".join(m.group(0)[1:-1] for m in _BRACKETS.finditer(text))
    text = _BRACKETS.sub(" ", text)
    if not _CJK.search(text) and not re.search(r"[a-z]{2,}", text):
        text = inner  # the whole title was in brackets, e.g. '【保安】'
    text = _SALARY.sub(" ", text)
    text = _HEADCOUNT.sub(" ", text)
    text = _URGENCY.sub(" ", text)
    text = _BENEFITS.sub(" ", text)
    for place in places:
        text = text.replace(place, " ")
    text = re.sub(r"上海市?|沪", " ", text)
    light = _PLATFORMS.sub(" ", text)
    light = _COMPANY.sub(" ", light)

    seniority = tuple(dict.fromkeys(_SENIORITY.findall(light)))
    variants: list[str] = []

    def add(candidate: str) -> None:
        candidate = re.sub(r"\s+", "", candidate).strip("-_·.,，:：;；!！?？*#")
        if candidate and (_CJK.search(candidate) or re.search(r"[a-z]{2,}|\.net|c\+\+|c#", candidate)):
            if candidate not in variants:
                variants.append(candidate)

    # Platform names stay in the first variant: official aliases such as 拼多多运营 include them.
    add(text)
    add(light)
    parts = [p for p in _SPLIT.split(light) if p.strip()]
    core: list[str] = []
    for part in parts if len(parts) > 1 else [light]:
        part = re.sub(r"\s+", "", part)
        stripped = _SENIORITY.sub("", part)
        if len(parts) > 1 and not stripped:
            continue  # '主管/经理': the second title is only a seniority word
        add(part)
        if len(stripped) >= 2:  # '总经理' must not shrink to '总'
            add(stripped)
            core.append(stripped)
        else:
            core.append(part)
    core = [c for c in dict.fromkeys(core) if c in variants] or variants[-1:]
    junk = not variants
    return CleanedTitle(str(title), tuple(variants), seniority, junk, tuple(core))


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float
    level: int


@dataclass(frozen=True)
class CodingResult:
    """Ranked codes for one title; `level` is the level the answer is trusted at (4, 3, 2; 0 = none)."""

    title: str
    candidates: list[Candidate]
    confidence: float
    level: int
    note: str = ""
    seniority: tuple[str, ...] = field(default=())

    @property
    def best_detailed(self) -> Candidate | None:
        """The top 细类 (level 4) candidate, even when a parent is offered first."""
        return next((c for c in self.candidates if c.level == 4), None)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "candidates": [
                {"code": c.code, "name": c.name, "score": round(float(c.score), 4), "level": c.level}
                for c in self.candidates
            ],
            "confidence": round(float(self.confidence), 4),
            "level": self.level,
            "note": self.note,
            "seniority": list(self.seniority),
        }


class NotFittedError(RuntimeError):
    """The coder was used before `fit()`."""


def load_curated_aliases() -> pd.DataFrame:
    """Common market titles missing from the official aliases: columns alias, code."""
    return pd.read_csv(VOCAB_DIR / "occupation_aliases.csv", dtype=str).fillna("")


class OccupationCoder:
    """Ranks 细类 codes for job titles; fit once (embeds ~3,400 names and aliases), then `code()`."""

    def __init__(self, encoder: Encoder, *, table: pd.DataFrame | None = None):
        self.encoder = encoder
        self.table = table

    # ------------------------------------------------------------------ fitting
    def fit(self, *, cache_dir: "Path | str | None" = None) -> "OccupationCoder":
        """Prepare alias tables and embeddings. With `cache_dir`, alias embeddings are stored there
        (a plain .npy keyed by model name and a hash of the alias texts) and reused on later starts."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        table = self.table if self.table is not None else reference.occupations()
        table = table.copy()
        table["clean_name"] = table["name"].map(_strip_marker)
        # Keyed by (code, level): a 小类 without subdivisions shares its code with its one 细类.
        self.nodes_ = {(row.code, int(row.level)): row.clean_name for row in table.itertuples(index=False)}
        detailed = table[table["level"] == 4].drop_duplicates("code").reset_index(drop=True)
        self.codes_ = detailed["code"].tolist()
        self.names_ = detailed["clean_name"].tolist()
        code_index = {code: i for i, code in enumerate(self.codes_)}

        alias_rows: dict[tuple[str, int], bool] = {}  # (alias, code index) -> from the official table
        for i, row in detailed.iterrows():
            for alias in [row["clean_name"], *str(row["alias"]).split(",")]:
                alias = _fold(_strip_marker(alias))
                if alias:
                    alias_rows.setdefault((alias, i), True)
        for row in load_curated_aliases().itertuples(index=False):
            if row.code in code_index:
                alias_rows.setdefault((_fold(row.alias), code_index[row.code]), False)
        ordered = sorted(alias_rows, key=lambda pair: pair[1])
        self.alias_texts_ = [alias for alias, _ in ordered]
        self.alias_official_ = np.array([alias_rows[pair] for pair in ordered], dtype=bool)
        self.alias_code_ = np.array([i for _, i in ordered], dtype=np.int64)
        self.alias_starts_ = np.searchsorted(self.alias_code_, np.arange(len(self.codes_)))
        self.alias_lookup_: dict[str, set[int]] = {}
        for alias, i in ordered:
            self.alias_lookup_.setdefault(alias, set()).add(i)
        self.max_alias_len_ = max(len(a) for a in self.alias_texts_)

        definitions = (detailed["clean_name"] + "。" + detailed["definition"] + " " + detailed["tasks"]).map(_fold)
        self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
        self.vectorizer_.fit(list(self.alias_texts_) + definitions.tolist())
        self.alias_tfidf_ = self.vectorizer_.transform(self.alias_texts_).T.tocsr()
        self.definition_tfidf_ = self.vectorizer_.transform(definitions.tolist()).T.tocsr()
        self.alias_embeddings_ = self._alias_embeddings(cache_dir)
        self.places_ = sorted(
            set(reference.districts()["name"]) | set(reference.streets()["name"])
            | {re.sub(r"(新区|区)$", "", n) for n in reference.districts()["name"]},
            key=len, reverse=True,
        )
        return self

    def _alias_embeddings(self, cache_dir) -> np.ndarray:
        cache_file = None
        if cache_dir is not None:
            digest = hashlib.sha256("\n".join(self.alias_texts_).encode()).hexdigest()[:16]
            model = re.sub(r"[^\w.-]", "_", getattr(self.encoder, "name", "encoder"))
            cache_file = Path(cache_dir) / f"occupation-aliases-{model}-{digest}.npy"
            if cache_file.exists():
                cached = np.load(cache_file, allow_pickle=False)
                if cached.shape == (len(self.alias_texts_), self.encoder.dim):
                    return cached
        vectors = np.vstack([
            self.encoder.encode_documents(self.alias_texts_[start:start + ENCODE_BATCH])
            for start in range(0, len(self.alias_texts_), ENCODE_BATCH)
        ]).astype(np.float32)
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp.npy")
            np.save(tmp, vectors, allow_pickle=False)
            os.replace(tmp, cache_file)
        return vectors

    def _check_fitted(self) -> None:
        if not hasattr(self, "alias_embeddings_"):
            raise NotFittedError("职业编码器尚未初始化：请先调用 OccupationCoder.fit()")

    # ------------------------------------------------------------------ scoring
    def _per_code_max(self, alias_scores: np.ndarray) -> np.ndarray:
        """Max over each code's aliases: (n, n_aliases) -> (n, n_codes)."""
        return np.maximum.reduceat(alias_scores, self.alias_starts_, axis=1)

    def _lexical(self, variants: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n, n_codes = len(variants), len(self.codes_)
        exact = np.zeros((n, n_codes), dtype=np.float32)
        contain = np.zeros((n, n_codes), dtype=np.float32)
        for row, variant in enumerate(variants):
            for i in self.alias_lookup_.get(variant, ()):
                exact[row, i] = 1.0
            length = len(variant)
            for start in range(length):
                for end in range(start + 2, min(length, start + self.max_alias_len_) + 1):
                    for i in self.alias_lookup_.get(variant[start:end], ()):
                        contain[row, i] = max(contain[row, i], (end - start) / length)
        q = self.vectorizer_.transform(variants)
        tfidf = self._per_code_max((q @ self.alias_tfidf_).toarray().astype(np.float32))
        definition = (q @ self.definition_tfidf_).toarray().astype(np.float32)
        return exact, contain, tfidf, definition

    def score_variants(self, variants: list[str], encode: Sequence[bool] | None = None) -> np.ndarray:
        """Combined evidence (n_variants, n_codes).

        The encoder runs on variants flagged in `encode` (default: all) that have no exact match; for
        the others, the TF-IDF similarity stands in for the encoder term.
        """
        self._check_fitted()
        exact, contain, tfidf, definition = self._lexical(variants)
        flags = [True] * len(variants) if encode is None else list(encode)
        needs_encoder = [i for i in range(len(variants)) if flags[i] and not exact[i].any()]
        embed = tfidf.copy()
        if needs_encoder:
            texts = [variants[i] for i in needs_encoder]
            q = np.vstack([
                self.encoder.encode_queries(texts[s:s + ENCODE_BATCH]) for s in range(0, len(texts), ENCODE_BATCH)
            ])
            embed[needs_encoder] = self._per_code_max(q @ self.alias_embeddings_.T)
        return (W_EXACT * exact + W_CONTAIN * contain + W_TFIDF * tfidf
                + W_DEFINITION * definition + W_EMBED * embed)

    # ------------------------------------------------------------------ coding
    def code(self, titles: Sequence[str], top_k: int = 5) -> list[CodingResult]:
        """Code each title; never raises on junk (empty candidates, confidence 0, a note instead)."""
        self._check_fitted()
        cleaned = [clean_title("" if t is None else str(t), self.places_) for t in titles]
        unique: dict[str, int] = {}
        core: set[str] = set()
        for c in cleaned:
            core.update(c.core)
            for variant in c.variants:
                unique.setdefault(variant, len(unique))
        scores = (self.score_variants(list(unique), [v in core for v in unique]) if unique
                  else np.zeros((0, len(self.codes_)), np.float32))
        return [self._result(c, scores, unique, top_k) for c in cleaned]

    def _result(self, cleaned: CleanedTitle, scores: np.ndarray, index: dict[str, int], top_k: int) -> CodingResult:
        if cleaned.junk:
            return CodingResult(cleaned.original, [], 0.0, 0, "无法识别的职位名称（为空或不含中文/英文职位词），未编码，请人工填写", ())
        combined = scores[[index[v] for v in cleaned.variants]].max(axis=0)
        order = np.argsort(-combined)[: max(top_k, 2)]
        top, second = float(combined[order[0]]), float(combined[order[1]])
        confidence = _sigmoid(CONFIDENCE_A * top + CONFIDENCE_B * (top - second) + CONFIDENCE_C)
        candidates = [Candidate(self.codes_[i], self.names_[i], float(combined[i]), 4) for i in order[:top_k]]
        level, note = 4, ""
        if confidence < CONFIDENT:
            parent = self._parent_fallback(combined)
            if parent is not None:
                candidates = [parent] + candidates
                level = parent.level
                label = "小类" if parent.level == 3 else "中类"
                note = f"细类把握不大，建议按{label}“{parent.name}”（{parent.code}）归类，请人工确认细类"
            else:
                note = "把握不大，请人工确认职业编码"
        return CodingResult(cleaned.original, candidates, confidence, level, note, cleaned.seniority)

    def _parent_fallback(self, combined: np.ndarray) -> Candidate | None:
        probs = np.exp((combined - combined.max()) / SOFTMAX_TEMPERATURE)
        probs /= probs.sum()
        for level, prefix_len in ((3, 7), (2, 4)):
            pooled: dict[str, float] = {}
            for i in np.argsort(-probs)[:50]:
                key = self.codes_[i][:prefix_len]
                pooled[key] = pooled.get(key, 0.0) + float(probs[i])
            key, share = max(pooled.items(), key=lambda kv: kv[1])
            code = key + ("-00" if level == 3 else "-00-00")
            if share >= PARENT_SHARE and (code, level) in self.nodes_:
                return Candidate(code, self.nodes_[(code, level)], share, level)
        return None

    def parents(self, code: str) -> list[dict]:
        """The 小类, 中类 and 大类 above a code (nearest first): [{'code', 'name', 'level'}]."""
        self._check_fitted()
        parts = code.split("-")
        levels = [level for (c, level) in self.nodes_ if c == code]
        if len(parts) != 4 or not levels:
            raise KeyError(f"未知的职业编码：{code}")
        out = []
        for level, keep in ((3, 3), (2, 2), (1, 1)):
            if level >= max(levels):
                continue
            parent = "-".join(parts[:keep] + ["00"] * (4 - keep))
            if (parent, level) in self.nodes_:
                out.append({"code": parent, "name": self.nodes_[(parent, level)], "level": level})
        return out


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def code_lines(lines: Iterable[str], coder: OccupationCoder, top_k: int = 5, *, batch_size: int = 512) -> Iterator[str]:
    """One JSON line per input line (blank lines give an empty result), coded in batches."""
    batch: list[str] = []
    for line in lines:
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= batch_size:
            yield from (json.dumps(r.to_json(), ensure_ascii=False) for r in coder.code(batch, top_k))
            batch = []
    if batch:
        yield from (json.dumps(r.to_json(), ensure_ascii=False) for r in coder.code(batch, top_k))
