"""A lexical index kept in step with a synced table: Okapi BM25 over jieba words, updated in place.

`rank_bm25.BM25Okapi` is immutable (a posting edit would rebuild it), so the inverted index here is
kept by hand: term -> {id: term frequency}, document lengths and document frequencies change with
each `upsert` / `remove`, and a query touches only the postings lists of its own words. The scores
are Okapi BM25 (k1 = 1.5, b = 0.75) with Lucene's idf, log(1 + (N - df + 0.5) / (df + 0.5)), which
never goes negative (rank-bm25's does for a word in most documents, so a tiny pool would score a
shared word below zero). `tests/matcher/search/test_lexical.py` checks them against a direct computation.
"""
from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from functools import lru_cache

import numpy as np

K1, B = 1.5, 0.75
_NOT_A_WORD = re.compile(r"^[\W_]+$|^\d+(\.\d+)?$")
# Words that say nothing about the kind of work (they would make every posting a lexical match).
STOPWORDS = frozenset("""
的 了 和 与 及 或 在 是 有 我 你 他 她 们 也 都 会 能 做 过 干 年 月 个 一 二 两 三 多 上 下 中 把 被 给 对 为 以 等
工作 岗位 要求 负责 相关 经验 优先 以上 以下 左右 能力 熟悉 熟练 具备 良好 一定 可以 需要 希望 公司 单位 招聘
想 找 想找 现在 以前 之前 目前 可 不 没有 没 还 很 就 从 到 自己 一些 一名 若干 人员 及以上 元 月薪 薪资 工资
""".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    """Lower-cased jieba words without punctuation, numbers or stopwords."""
    if not text:
        return []
    words = (w.strip().lower() for w in _jieba().lcut(text))
    return [w for w in words if w and w not in STOPWORDS and not _NOT_A_WORD.match(w)]


class LexicalIndex:
    """Incremental BM25: `upsert(id, text)`, `remove(id)`, `scores(query, ids)`."""

    def __init__(self):
        self._docs: dict[int, Counter] = {}
        self._postings: dict[str, dict[int, int]] = {}
        self._df: Counter = Counter()
        self._lengths: dict[int, int] = {}
        self._total_len = 0
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, item_id: int) -> bool:
        return item_id in self._docs

    def clear(self) -> None:
        with self.lock:
            self._docs.clear()
            self._lengths.clear()
            self._postings.clear()
            self._df.clear()
            self._total_len = 0

    def upsert(self, item_id: int, text: str) -> None:
        with self.lock:
            self.remove(item_id)
            counts = Counter(tokens(text))
            self._docs[item_id] = counts
            self._lengths[item_id] = sum(counts.values())
            self._total_len += self._lengths[item_id]
            for term, tf in counts.items():
                self._postings.setdefault(term, {})[item_id] = tf
                self._df[term] += 1

    def remove(self, item_id: int) -> None:
        with self.lock:
            counts = self._docs.pop(item_id, None)
            if counts is None:
                return
            self._total_len -= self._lengths.pop(item_id)
            for term in counts:
                self._postings[term].pop(item_id, None)
                self._df[term] -= 1
                if self._df[term] <= 0:
                    del self._df[term], self._postings[term]

    def _idf(self) -> dict[str, float]:
        n = len(self._docs)
        return {t: math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for t, df in self._df.items()}

    def terms(self, item_id: int) -> Counter:
        """The words of one indexed document (a seeker's, when it is the query of the other direction)."""
        with self.lock:
            return Counter(self._docs.get(item_id, {}))

    def score_terms(self, words: Counter, ids) -> np.ndarray:
        """BM25 of a query given as word counts against each id."""
        out = np.zeros(len(ids), dtype=np.float64)
        with self.lock:
            if not self._docs:
                return out
            idf, avg = self._idf(), self._total_len / len(self._docs) or 1.0
            for n, item_id in enumerate(ids):
                doc = self._docs.get(int(item_id))
                if not doc:
                    continue
                norm = K1 * (1 - B + B * self._lengths[int(item_id)] / avg)
                out[n] = sum(idf[t] * q * doc[t] * (K1 + 1) / (doc[t] + norm) for t, q in words.items() if t in doc)
        return out

    def ideal_terms(self, words) -> float:
        with self.lock:
            n = len(self._docs)
            unseen = math.log(1.0 + (n + 0.5) / 0.5)
            idf = self._idf()
            return float(sum(idf.get(t, unseen) for t in set(words)))

    def ideal(self, query: str) -> float:
        """The score of a document holding each of the query's words once, at average length: the sum
        of their idfs, a word no document holds counting as the rarest. A scale for how much of what the
        query says a document matches (a lawyer's resume matching only 合同 matches little of it)."""
        return self.ideal_terms(tokens(query))

    def known(self, query: str) -> list[str]:
        """The query's words that occur in at least one document."""
        with self.lock:
            return [t for t in tokens(query) if t in self._postings]

    def search(self, query: str, k: int) -> dict[int, float]:
        """Id -> BM25 score for the `k` best documents with a positive score."""
        with self.lock:
            scores = self._score_all(tokens(query))
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return {i: s for i, s in best if s > 0}

    def scores(self, query: str, ids) -> np.ndarray:
        """BM25 score of `query` against each id (0 for ids not indexed)."""
        with self.lock:
            scores = self._score_all(tokens(query))
        return np.asarray([scores.get(int(i), 0.0) for i in ids], dtype=np.float64)

    def _score_all(self, words: list[str]) -> dict[int, float]:
        if not self._docs:
            return {}
        idf, avg = self._idf(), self._total_len / len(self._docs) or 1.0
        out: dict[int, float] = {}
        for term, qtf in Counter(words).items():
            postings = self._postings.get(term)
            if not postings:
                continue
            weight = idf[term] * qtf
            for item_id, tf in postings.items():
                length = self._lengths[item_id]
                out[item_id] = out.get(item_id, 0.0) + weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))
        return out
