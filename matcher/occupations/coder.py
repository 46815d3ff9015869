"""Code messy job titles to the 2022 national occupation classification (职业分类大典) at 细类 level.

Pipeline for one title:
1. Clean: NFKC, drop bracketed asides, urgency words (急招/诚聘/高薪), benefits (包吃住/五险一金),
   salaries, headcounts, Shanghai place names and platform/company names; pull seniority words
   (主管/经理/高级/实习...) out as a separate signal; split several titles joined by '/'.
   Each title gives a few *variants* (with and without seniority words, each '/' part); the coder
   adds a variant with English abbreviations spelt out (data/vocab/occupation_abbreviations.csv)
   and one without a generic 师傅 head (改衣师傅 -> 改衣).
2. Describe every (title, 细类) pair with the features in `FEATURES` (each maximised over the
   title's variants; see `_FEATURE_DOCS`): exact and contained alias matches, character TF-IDF to
   the aliases, the name and the definition+tasks, the encoder's cosine to the aliases, the name and
   the definition, head-noun agreement (员/师/工/司机...), the code's number of aliases, its 大类 and
   whether a manager title meets a 大类-1 code.
3. Rank with a conditional-logit model (a softmax over all 细类 of a linear score). Its weights are
   data, fitted on the dev titles (`tune` of evaluation/datasets/occupation_devset.csv and `dev` of
   occupation_jobboard.csv) by `python -m evaluation.occupation_eval --train` and stored in
   data/vocab/occupation_ranker.json. Two weight vectors are stored: `full` and `lexical` (the same
   model without encoder features).
4. Speed: every title is first scored by the lexical model (cheap); when its top probability is at
   least `skip_encoder_prob` the encoder is skipped for it. The rest have their core variants
   (deduplicated across the batch) encoded in batches, through an on-disk cache of title
   embeddings, and are scored by the full model. Fitted state is cached as .npz (see cache.py).
5. Confidence is a logistic calibration of the top 细类's probability (fitted on the dev titles,
   `calibration` in the ranker file). At or above `threshold` the result is `confident`; below it
   the coder abstains: it still returns the top-k list, but `code` is None and every text it gives
   says 可能是…（置信度低）. A clearly dominant 小类/中类 is then offered first, with a note.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

from data import reference
from matcher.occupations.clean import (  # noqa: F401  (clean_title is part of this module's API)
    _ASCII_TOKEN, _CJK, _GENERIC_HEAD, _MANAGER, CleanedTitle, _fold, _strip_marker, clean_title,
)
from matcher.occupations.results import CONFIDENT, Candidate, CodingResult, describe  # noqa: F401
from matcher.occupations.cache import QueryCache, digest, load_state, save_state, state_path
from models.encoder import Encoder

VOCAB_DIR = Path(reference.__file__).resolve().parent / "vocab"
RANKER_FILE = VOCAB_DIR / "occupation_ranker.json"
ADAPTER_FILE = VOCAB_DIR / "occupation_adapter.npz"  # written by `python -m evaluation.occupation_adapter`

PARENT_SHARE = 0.6  # pooled probability a 小类/中类 needs to be offered instead
ENCODE_BATCH = 256
CHUNK = 256  # titles whose feature tensors are built at once (bounds memory: CHUNK x n_codes x n_features)

_FEATURE_DOCS = {
    "exact": "1 if a variant equals one of the code's names/aliases",
    "contain": "longest alias of the code found inside a variant, as a share of the variant's length",
    "tfidf_alias": "char 1-3-gram TF-IDF cosine to the code's closest alias",
    "tfidf_name": "the same to the official name only",
    "tfidf_definition": "the same to name + definition + tasks",
    "tfidf_alias_rr": "1 / (1 + rank of the code by tfidf_alias among all codes for this title)",
    "tfidf_definition_rr": "the same by tfidf_definition",
    "head1": "the variant's last character ends one of the code's names/aliases (员/师/工...)",
    "head2": "the variant's last two characters end one of the code's names/aliases (司机/厨师...)",
    "popularity": "log(1 + number of names/aliases of the code): common occupations have many",
    "emb_alias": "encoder cosine to the code's closest name/alias",
    "emb_name": "encoder cosine to the official name",
    "emb_definition": "encoder cosine to '<name>：<definition>'",
    "emb_alias_rr": "1 / (1 + rank of the code by emb_alias among all codes for this title)",
    "emb_definition_rr": "the same by emb_definition",
    "emb_adapted": "cosine of the adapter-mapped title (a linear map trained on the table's own aliases) to '<name>：<definition>'; 0 without an adapter",
    "emb_adapted_rr": "the same as a reciprocal rank",
    "manager_major1": "the title carries a manager word (经理/总监/院长/书记...) and the code is in 大类 1",
    **{f"major{m}": f"the code is in 大类 {m} (a prior from the mix of titles stations handle)" for m in range(1, 9)},
}
FEATURES = tuple(_FEATURE_DOCS)
ENCODER_FEATURES = tuple(f for f in FEATURES if f.startswith("emb_"))
# Optional: used only when the ranker file names them (an adapter experiment); absent = weight 0.
ADAPTER_FEATURES = ("emb_adapted", "emb_adapted_rr")

class NotFittedError(RuntimeError):
    """The coder was used before `fit()`."""


def load_curated_aliases() -> pd.DataFrame:
    """Common market titles missing from the official aliases: columns alias, code."""
    return pd.read_csv(VOCAB_DIR / "occupation_aliases.csv", dtype=str).fillna("")


def load_abbreviations() -> dict[str, str]:
    """English abbreviation (lower case) -> the Chinese words an occupation table would use."""
    frame = pd.read_csv(VOCAB_DIR / "occupation_abbreviations.csv", dtype=str, comment="#").fillna("")
    return {_fold(a): e for a, e in zip(frame["abbr"], frame["expansion"]) if a and e}


def load_ranker(path: Path | str = RANKER_FILE) -> dict:
    """The fitted ranking weights: {'features', 'full', 'lexical', 'skip_encoder_prob', ...}."""
    with open(path, encoding="utf-8") as handle:
        ranker = json.load(handle)
    missing = (set(ranker["features"]) ^ set(FEATURES)) - set(ADAPTER_FEATURES)
    if missing:
        raise ValueError(f"职业编码排序权重与特征不一致（{sorted(missing)}），请重新运行 evaluation.occupation_eval --train")
    return ranker


def load_adapter(encoder_name: str, dim: int, path: Path = ADAPTER_FILE) -> np.ndarray | None:
    """The adapter matrix when one was trained for this encoder, else None (the feature stays 0)."""
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        if str(z["encoder"]) != encoder_name or z["weight"].shape != (dim, dim):
            return None
        return z["weight"].astype(np.float32)


def untrained_ranker(*, adapter: bool = False) -> dict:
    """All-zero weights (every code equally likely): what `fit(ranker=...)` takes before training.
    With `adapter`, the adapter features are named, so `fit` loads the adapter."""
    names = [f for f in FEATURES if adapter or f not in ADAPTER_FEATURES]
    zeros = {f: 0.0 for f in names}
    return {"features": names, "full": dict(zeros), "lexical": dict(zeros), "skip_encoder_prob": 1.01}


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a (n, n_codes) score matrix."""
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class OccupationCoder:
    """Ranks 细类 codes for job titles; fit once (embeds names, aliases and definitions), then `code()`."""

    def __init__(self, encoder: Encoder, *, table: pd.DataFrame | None = None):
        self.encoder = encoder
        self.table = table

    # ------------------------------------------------------------------ fitting
    def fit(self, *, cache_dir: "Path | str | None" = None, ranker: dict | None = None,
            use_adapter: bool = True) -> "OccupationCoder":
        """Prepare alias tables, TF-IDF, embeddings and ranking weights. With `cache_dir`, the alias
        and definition embeddings are stored there (plain .npy keyed by model name and a hash of
        the texts) and reused on later starts. `ranker` replaces the shipped weights (for training)."""
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
        # Stable sort: each code's own name (inserted first) stays the first of its aliases.
        ordered = sorted(alias_rows, key=lambda pair: pair[1])
        self.alias_texts_ = [alias for alias, _ in ordered]
        self.alias_official_ = np.array([alias_rows[pair] for pair in ordered], dtype=bool)
        self.alias_code_ = np.array([i for _, i in ordered], dtype=np.int64)
        self.alias_starts_ = np.searchsorted(self.alias_code_, np.arange(len(self.codes_)))
        self.alias_lookup_: dict[str, set[int]] = {}
        self.head_lookup_: dict[str, set[int]] = {}
        for alias, i in ordered:
            self.alias_lookup_.setdefault(alias, set()).add(i)
            for size in (1, 2):
                if len(alias) > size:
                    self.head_lookup_.setdefault(alias[-size:], set()).add(i)
        self.max_alias_len_ = max(len(a) for a in self.alias_texts_)
        counts = np.bincount(self.alias_code_, minlength=len(self.codes_))
        self.popularity_ = np.log1p(counts).astype(np.float32)
        self.major_ = np.array([int(code[0]) for code in self.codes_])

        definitions = (detailed["clean_name"] + "。" + detailed["definition"] + " " + detailed["tasks"]).map(_fold).tolist()
        # Definitions are long; the first sentence or so carries the meaning and keeps encoding cheap.
        definition_texts = (detailed["clean_name"] + "：" + detailed["definition"].fillna("").str.slice(0, 60)).tolist()
        self.abbreviations_ = load_abbreviations()
        self.ascii_vocabulary_ = {w for a in self.alias_texts_ for w in _ASCII_TOKEN.findall(a)} | set(self.abbreviations_)
        self.ranker_ = load_ranker() if ranker is None else ranker
        self.weights_ = {kind: np.array([self.ranker_[kind].get(f, 0.0) for f in FEATURES], np.float32)
                         for kind in ("full", "lexical")}
        self._load_or_build_state(definitions, definition_texts, cache_dir)
        self.query_cache_ = QueryCache(cache_dir, self.encoder.name)
        wants_adapter = use_adapter and set(ADAPTER_FEATURES) <= set(self.ranker_["features"])
        self.adapter_ = load_adapter(self.encoder.name, self.alias_embeddings_.shape[1]) if wants_adapter else None
        self.places_ = sorted(
            set(reference.districts()["name"]) | set(reference.streets()["name"])
            | {re.sub(r"(新区|区)$", "", n) for n in reference.districts()["name"]},
            key=len, reverse=True,
        )
        return self

    _MATRICES = ("alias_tfidf", "definition_tfidf")

    def _load_or_build_state(self, definitions: list[str], definition_texts: list[str], cache_dir) -> None:
        """TF-IDF vocabulary, idf and matrices and the name/alias/definition embeddings: loaded from
        one .npz in `cache_dir` when its key (model, every text they are built from) matches, else
        built (the embeddings take minutes on 2 cores) and saved there."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        model = self.encoder.name
        key = digest(model, "\n".join(self.alias_texts_), "\n".join(definitions), "\n".join(definition_texts))
        path = None if cache_dir is None else state_path(cache_dir, model, key)
        loaded = None if path is None else load_state(path, self._MATRICES)
        if loaded is not None:
            arrays, matrices = loaded
            vocabulary = {term: i for i, term in enumerate(arrays["tfidf_terms"].tolist())}
            self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                               vocabulary=vocabulary)
            self.vectorizer_.idf_ = arrays["tfidf_idf"]
            self.alias_tfidf_, self.definition_tfidf_ = matrices["alias_tfidf"], matrices["definition_tfidf"]
            self.alias_embeddings_ = arrays["alias_embeddings"]
            self.definition_embeddings_ = arrays["definition_embeddings"]
        else:
            self.vectorizer_ = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
            self.vectorizer_.fit(list(self.alias_texts_) + definitions)
            self.alias_tfidf_ = self.vectorizer_.transform(self.alias_texts_).T.tocsr()
            self.definition_tfidf_ = self.vectorizer_.transform(definitions).T.tocsr()
            self.alias_embeddings_ = self._encode_documents(self.alias_texts_)
            self.definition_embeddings_ = self._encode_documents(definition_texts)
            if path is not None:
                terms = sorted(self.vectorizer_.vocabulary_, key=self.vectorizer_.vocabulary_.get)
                save_state(path, {
                    "tfidf_terms": np.array(terms), "tfidf_idf": self.vectorizer_.idf_.astype(np.float64),
                    "alias_embeddings": self.alias_embeddings_, "definition_embeddings": self.definition_embeddings_,
                }, {"alias_tfidf": self.alias_tfidf_, "definition_tfidf": self.definition_tfidf_})
        self.name_tfidf_ = self.alias_tfidf_[:, self.alias_starts_].tocsr()

    def _encode_documents(self, texts: list[str]) -> np.ndarray:
        return np.vstack([
            self.encoder.encode_documents(texts[start:start + ENCODE_BATCH])
            for start in range(0, len(texts), ENCODE_BATCH)
        ]).astype(np.float32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "alias_embeddings_"):
            raise NotFittedError("职业编码器尚未初始化：请先调用 OccupationCoder.fit()")

    # ------------------------------------------------------------------ features
    def _clean(self, title) -> CleanedTitle:
        """`clean_title`, and a title of Latin letters only whose words no name, alias or known
        abbreviation uses ('asdfgh', 'qwerty') counts as junk: there is nothing to code."""
        cleaned = clean_title("" if title is None else str(title), self.places_)
        if not cleaned.junk and not any(_CJK.search(v) for v in cleaned.variants):
            words = {w for v in cleaned.variants for w in _ASCII_TOKEN.findall(v)}
            if not words & self.ascii_vocabulary_:
                return CleanedTitle(cleaned.original, (), (), True, ())
        return cleaned

    def _expand(self, cleaned: CleanedTitle) -> tuple[list[str], list[str]]:
        """(variants, core variants) with abbreviation-expanded and 师傅-less forms added."""
        variants, core = list(cleaned.variants), list(cleaned.core)
        for text in list(core):
            tokens = [t for t in _ASCII_TOKEN.findall(text) if t in self.abbreviations_]
            if tokens:
                expanded = text
                for token in sorted(tokens, key=len, reverse=True):
                    expanded = expanded.replace(token, self.abbreviations_[token])
                if expanded != text and expanded not in variants:
                    variants.append(expanded)
                    core.append(expanded)
            bare = _GENERIC_HEAD.sub("", text)
            if bare != text and bare not in variants:
                variants.append(bare)  # lexical evidence only: '改衣' alone is a poor encoder query
        return variants, core

    def _per_code_max(self, alias_scores: np.ndarray) -> np.ndarray:
        """Max over each code's aliases: (n, n_aliases) -> (n, n_codes)."""
        return np.maximum.reduceat(alias_scores, self.alias_starts_, axis=1)

    def _lexical(self, variants: list[str]) -> dict[str, np.ndarray]:
        n, n_codes = len(variants), len(self.codes_)
        exact = np.zeros((n, n_codes), dtype=np.float32)
        contain = np.zeros((n, n_codes), dtype=np.float32)
        head1 = np.zeros((n, n_codes), dtype=np.float32)
        head2 = np.zeros((n, n_codes), dtype=np.float32)
        for row, variant in enumerate(variants):
            for i in self.alias_lookup_.get(variant, ()):
                exact[row, i] = 1.0
            length = len(variant)
            for start in range(length):
                for end in range(start + 2, min(length, start + self.max_alias_len_) + 1):
                    for i in self.alias_lookup_.get(variant[start:end], ()):
                        contain[row, i] = max(contain[row, i], (end - start) / length)
            for size, target in ((1, head1), (2, head2)):
                if length > size:
                    target[row, list(self.head_lookup_.get(variant[-size:], ()))] = 1.0
        q = self.vectorizer_.transform(variants)
        return {
            "exact": exact, "contain": contain, "head1": head1, "head2": head2,
            "tfidf_alias": self._per_code_max((q @ self.alias_tfidf_).toarray().astype(np.float32)),
            "tfidf_name": (q @ self.name_tfidf_).toarray().astype(np.float32),
            "tfidf_definition": (q @ self.definition_tfidf_).toarray().astype(np.float32),
        }

    def _embedded(self, texts: list[str]) -> dict[str, np.ndarray]:
        q = self.query_cache_.encode(texts, lambda missing: np.vstack([
            self.encoder.encode_queries(missing[s:s + ENCODE_BATCH]) for s in range(0, len(missing), ENCODE_BATCH)
        ]))
        adapted = np.zeros((len(texts), len(self.codes_)), dtype=np.float32)
        if self.adapter_ is not None:
            mapped = q @ self.adapter_.T
            mapped /= np.linalg.norm(mapped, axis=1, keepdims=True) + 1e-9
            adapted = mapped @ self.definition_embeddings_.T
        return {
            "emb_adapted": adapted,
            "emb_alias": self._per_code_max(q @ self.alias_embeddings_.T),
            "emb_name": q @ self.alias_embeddings_[self.alias_starts_].T,
            "emb_definition": q @ self.definition_embeddings_.T,
        }

    def ranking_features(self, titles: Sequence[str], *, use_encoder: bool = True) -> np.ndarray:
        """Feature tensor (n_titles, n_codes, len(FEATURES)) in the order of `FEATURES`.

        Junk titles get all-zero rows. With `use_encoder=False` the encoder features are zero
        (what the lexical model sees). Used to fit the ranker; `code()` builds the same features.
        """
        self._check_fitted()
        cleaned = [self._clean(t) for t in titles]
        expanded = [self._expand(c) for c in cleaned]
        return self._features(cleaned, expanded, [use_encoder] * len(cleaned))

    def _features(self, cleaned: list[CleanedTitle], expanded: list[tuple[list[str], list[str]]],
                  encode: Sequence[bool]) -> np.ndarray:
        n_codes = len(self.codes_)
        out = np.zeros((len(cleaned), n_codes, len(FEATURES)), dtype=np.float32)
        column = {f: j for j, f in enumerate(FEATURES)}
        variants = list(dict.fromkeys(v for vs, _ in expanded for v in vs))
        if variants:
            row_of = {v: r for r, v in enumerate(variants)}
            lexical = self._lexical(variants)
            for t, (vs, _) in enumerate(expanded):
                if vs:
                    rows = [row_of[v] for v in vs]
                    for name, matrix in lexical.items():
                        out[t, :, column[name]] = matrix[rows].max(axis=0)
        texts = list(dict.fromkeys(v for (vs, core), e in zip(expanded, encode) if e and vs for v in core))
        if texts:
            row_of = {v: r for r, v in enumerate(texts)}
            embedded = self._embedded(texts)
            for t, (vs, core) in enumerate(expanded):
                if encode[t] and vs:
                    rows = [row_of[v] for v in core]
                    for name, matrix in embedded.items():
                        out[t, :, column[name]] = matrix[rows].max(axis=0)
        # Ranks add what a linear softmax cannot see in the raw values: how a code stands among all.
        for base in ("tfidf_alias", "tfidf_definition", "emb_alias", "emb_definition", "emb_adapted"):
            values = out[:, :, column[base]]
            ranks = np.empty(values.shape, dtype=np.float32)
            np.put_along_axis(ranks, np.argsort(-values, axis=1, kind="stable"),
                              np.arange(values.shape[1], dtype=np.float32)[None, :], axis=1)
            rr = 1.0 / (1.0 + ranks)
            rr[values.max(axis=1) <= 0] = 0.0  # no evidence at all (junk, or the encoder skipped)
            out[:, :, column[base + "_rr"]] = rr
        live = np.array([not c.junk for c in cleaned])
        out[live, :, column["popularity"]] = self.popularity_
        for m in range(1, 9):
            out[live, :, column[f"major{m}"]] = self.major_ == m
        manager = np.array([bool(_MANAGER.search(c.original.lower())) and not c.junk for c in cleaned])
        out[manager, :, column["manager_major1"]] = self.major_ == 1
        return out

    # ------------------------------------------------------------------ coding
    def code(self, titles: Sequence[str], top_k: int = 5) -> list[CodingResult]:
        """Code each title; never raises on junk (empty candidates, confidence 0, a note instead)."""
        self._check_fitted()
        cleaned = [self._clean(t) for t in titles]
        # Titles that clean to the same form (the same posting with other salaries, benefits or
        # places, common in spreadsheets) are scored once, and their text is encoded at most once.
        keys = [(c.variants, c.core, bool(_MANAGER.search(c.original.lower()))) for c in cleaned]
        first: dict[tuple, int] = {}
        for t, key in enumerate(keys):
            first.setdefault(key, t)
        distinct = list(first.values())
        probs = np.zeros((len(distinct), len(self.codes_)), dtype=np.float32)
        for start in range(0, len(distinct), CHUNK):
            probs[start:start + CHUNK] = self._probabilities([cleaned[t] for t in distinct[start:start + CHUNK]])
        self.query_cache_.save()
        row = {key: r for r, key in enumerate(first)}
        return [self._result(c, probs[row[key]], top_k) for c, key in zip(cleaned, keys)]

    def _probabilities(self, cleaned: list[CleanedTitle]) -> np.ndarray:
        """Softmax over all 细类 per title: the lexical model where it is sure, else the full model."""
        expanded = [self._expand(c) for c in cleaned]
        lexical = self._features(cleaned, expanded, [False] * len(cleaned))
        probs = softmax_rows(lexical @ self.weights_["lexical"])
        need = [t for t, c in enumerate(cleaned)
                if not c.junk and probs[t].max() < self.ranker_["skip_encoder_prob"]]
        if need:
            full = self._features([cleaned[t] for t in need], [expanded[t] for t in need], [True] * len(need))
            probs[need] = softmax_rows(full @ self.weights_["full"])
        return probs

    @property
    def threshold(self) -> float:
        """Calibrated confidence below which the coder abstains (no single code is stated)."""
        return float(self.ranker_.get("calibration", {}).get("threshold", CONFIDENT))

    def calibrate(self, top_probability: np.ndarray | float) -> np.ndarray:
        """P(the top 细类 is right) from the model's top probability: a logistic fit on the dev
        titles (`calibration` in the ranker file); the raw probability when there is none."""
        p = np.clip(np.asarray(top_probability, dtype=np.float64), 1e-6, 1 - 1e-6)
        cal = self.ranker_.get("calibration")
        if not cal:
            return p
        return 1.0 / (1.0 + np.exp(-(cal["a"] * np.log(p / (1 - p)) + cal["b"])))

    def _result(self, cleaned: CleanedTitle, probs: np.ndarray, top_k: int) -> CodingResult:
        threshold = self.threshold
        if cleaned.junk:
            return CodingResult(cleaned.original, [], 0.0, 0, "无法识别的职位名称（为空或不含中文/英文职位词），未编码，请人工填写",
                                (), confident=False, threshold=threshold)
        order = np.argsort(-probs)[:top_k]
        confidence = float(self.calibrate(probs[order[0]]))
        candidates = [Candidate(self.codes_[i], self.names_[i], float(probs[i]), 4) for i in order]
        confident = confidence >= threshold
        level, note = 4, ""
        if not confident:
            guesses = "、".join(c.name for c in candidates[:3])
            note = f"可能是：{guesses}（置信度低），请人工确认职业编码"
            parent = self._parent_fallback(probs)
            if parent is not None:
                candidates = [parent] + candidates
                level = parent.level
                label = "小类" if parent.level == 3 else "中类"
                note = f"细类把握不大，可能属于{label}“{parent.name}”（{parent.code}）；细类{note}"
            else:
                level = 0
        return CodingResult(cleaned.original, candidates, confidence, level, note, cleaned.seniority,
                            confident=confident, threshold=threshold)

    def _parent_fallback(self, probs: np.ndarray) -> Candidate | None:
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
