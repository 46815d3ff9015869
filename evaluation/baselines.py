"""Text-ranking baselines that the product's matcher is compared against.

One interface, scikit-learn style: `__init__` stores parameters only, `fit(doc_ids, doc_texts)`
sets the fitted attributes (ending in `_`) and returns self, `rank(query_text, k)` returns up to
k doc ids, best first. Calling `rank` before `fit` raises `NotFittedError`.

- `RandomRanker(seed)`: a seeded shuffle; the floor any method must clear.
- `PopularityRanker(counts)`: most-popular first (e.g. past applications), ignores the query.
- `TfidfCharRanker()`: cosine over TF-IDF of character 1-3-grams (word-bounded, sublinear tf),
  which needs no Chinese word segmentation.
- `BM25Ranker()`: Okapi BM25 over jieba word tokens.
"""
from __future__ import annotations

import hashlib
import logging
import re
from typing import Callable, Hashable, Mapping, Sequence

import numpy as np
from sklearn.exceptions import NotFittedError

DocId = Hashable


class TextRanker:
    """Shared fit/rank plumbing; subclasses implement `_fit` and `_scores`."""

    def fit(self, doc_ids: Sequence[DocId], doc_texts: Sequence[str]) -> "TextRanker":
        if len(doc_ids) != len(doc_texts):
            raise ValueError(f"doc_ids ({len(doc_ids)}) and doc_texts ({len(doc_texts)}) differ in length")
        if len(set(doc_ids)) != len(doc_ids):
            raise ValueError("doc_ids must be unique")
        self.doc_ids_ = list(doc_ids)
        self._fit(list(doc_texts))
        return self

    def rank(self, query_text: str, k: int = 10) -> list[DocId]:
        """Up to k doc ids, best first; ties keep the order in which documents were fitted."""
        if not hasattr(self, "doc_ids_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit(doc_ids, doc_texts) first")
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        scores = np.asarray(self._scores(query_text), dtype=float)
        k = min(k, len(self.doc_ids_))
        # Stable sort on negated scores keeps ties in fitted order, so results are reproducible.
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.doc_ids_[i] for i in order]

    def rank_many(self, query_texts: Sequence[str], k: int = 10) -> list[list[DocId]]:
        return [self.rank(text, k) for text in query_texts]

    def _fit(self, doc_texts: list[str]) -> None:
        raise NotImplementedError

    def _scores(self, query_text: str) -> np.ndarray:
        raise NotImplementedError


class RandomRanker(TextRanker):
    """A random order that depends only on `seed` and the query text (reproducible per query)."""

    def __init__(self, seed: int = 0):
        self.seed = seed

    def _fit(self, doc_texts: list[str]) -> None:
        self.n_docs_ = len(doc_texts)

    def _scores(self, query_text: str) -> np.ndarray:
        digest = hashlib.blake2b(query_text.encode("utf-8"), digest_size=8).digest()
        rng = np.random.default_rng([self.seed, int.from_bytes(digest, "little")])
        return rng.random(self.n_docs_)


class PopularityRanker(TextRanker):
    """Documents by descending popularity `counts[doc_id]` (missing ids count 0); ignores the query."""

    def __init__(self, counts: Mapping[DocId, float]):
        self.counts = counts

    def _fit(self, doc_texts: list[str]) -> None:
        self.popularity_ = np.array([float(self.counts.get(doc_id, 0.0)) for doc_id in self.doc_ids_])

    def _scores(self, query_text: str) -> np.ndarray:
        return self.popularity_


class TfidfCharRanker(TextRanker):
    """Cosine similarity of TF-IDF vectors over character n-grams (analyzer `char_wb`)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), sublinear_tf: bool = True, min_df: int = 1):
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df

    def _fit(self, doc_texts: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=self.sublinear_tf,
            min_df=self.min_df, lowercase=True,
        )
        self.doc_matrix_ = self.vectorizer_.fit_transform(doc_texts)  # rows are L2-normalised

    def _scores(self, query_text: str) -> np.ndarray:
        query = self.vectorizer_.transform([query_text])
        return (self.doc_matrix_ @ query.T).toarray().ravel()


# Punctuation and whitespace carry no meaning for BM25 and would inflate document lengths.
_NOT_A_WORD = re.compile(r"^[\W_]+$", re.UNICODE)


def jieba_tokens(text: str) -> list[str]:
    """Lower-cased jieba words of `text`, without punctuation or whitespace tokens."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [tok for tok in (t.strip().lower() for t in jieba.lcut(text)) if tok and not _NOT_A_WORD.match(tok)]


class BM25Ranker(TextRanker):
    """Okapi BM25 (rank-bm25 `BM25Okapi`) over jieba tokens."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, tokenizer: Callable[[str], list[str]] | None = None):
        self.k1 = k1
        self.b = b
        self.tokenizer = tokenizer

    def _tokenize(self, text: str) -> list[str]:
        return (self.tokenizer or jieba_tokens)(text)

    def _fit(self, doc_texts: list[str]) -> None:
        from rank_bm25 import BM25Okapi

        corpus = [self._tokenize(text) for text in doc_texts]
        # BM25Okapi divides by the mean document length; an all-empty corpus would divide by zero.
        if not any(corpus):
            raise ValueError("all documents are empty after tokenisation")
        self.bm25_ = BM25Okapi(corpus, k1=self.k1, b=self.b)

    def _scores(self, query_text: str) -> np.ndarray:
        return self.bm25_.get_scores(self._tokenize(query_text))
