"""A lexical index kept in step with a synced table: Okapi BM25 over jieba words, updated in place.

`rank_bm25.BM25Okapi` is immutable (a posting edit would rebuild it), so the inverted index here is
kept by hand (`matcher.search.bm25`): postings per word over distinct texts, document lengths and
document frequencies change with each `upsert` / `remove`, and a query touches only the postings
lists of its own words. The scores
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
from pathlib import Path

import numpy as np

from matcher.search.bm25 import B, EPSILON, IMPACT_DRIFT, K1, Texts, kth_by_size  # noqa: F401 (re-exported)

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


def tokenizer_stamp() -> bytes:
    """jieba's version and the size of its dictionary: part of every fingerprint of words cut and stored
    (`matcher.seeker_query`, `matcher.posting_words`), so words from another tokenizer are cut again."""
    import jieba

    dictionary = Path(jieba.__file__).resolve().parent / "dict.txt"
    return f"jieba {getattr(jieba, '__version__', '?')} {dictionary.stat().st_size if dictionary.exists() else -1}".encode()


def tokens(text: str) -> list[str]:
    """Lower-cased jieba words without punctuation, numbers or stopwords."""
    if not text:
        return []
    words = (w.strip().lower() for w in _jieba().lcut(text))
    return [w for w in words if w and w not in STOPWORDS and not _NOT_A_WORD.match(w)]


def query_words(text: str) -> Counter:
    """`Counter(tokens(text))` for a query. Not memoised: a stored seeker's words are kept with their row
    (`matcher.seeker_query`), and a pasted resume is personal data the service promises not to keep,
    not even as a key in an in-memory memo."""
    return Counter(tokens(text))


class WordsMemo:
    """`Counter(tokens(text))` for a rebuild, cutting each distinct text once (imports repeat postings:
    the same job under several ids). A fresh Counter per call, so documents never share one."""

    def __init__(self, limit: int = 100_000):
        self._seen: dict[str, tuple[tuple[str, int], ...]] = {}
        self._limit = limit

    def __call__(self, text: str) -> Counter:
        items = self._seen.get(text)
        if items is None:
            items = tuple(Counter(tokens(text)).items())
            if len(self._seen) < self._limit:
                self._seen[text] = items
        return Counter(dict(items))


class LexicalIndex:
    """Incremental BM25 over documents: `upsert(id, text)`, `remove(id)`, `scores(query, ids)`,
    `search(query, k)`.

    Documents with exactly the same words share one text of the postings engine (`bm25.Texts`: a
    chain's job posted at fifty sites is indexed once); this layer keeps what BM25 counts over
    documents (N, document frequencies, the average length) and maps documents to texts. Scores are
    Okapi BM25 (k1 = 1.5, b = 0.75) with Lucene's idf. `search` adds up cached per-word impacts in
    one `bincount` over texts and scores exactly only the texts that can hold the top k.
    """

    def __init__(self):
        self._texts = Texts()
        self._text_of = np.full(0, -1, np.int64)  # dense by document id: its text number, -1 for none
        self._shared: dict[int, int] = {}  # hash of a text's word counts -> its number
        self._n = 0
        self._df: Counter = Counter()  # documents (not texts) holding each word
        self._total_len = 0
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return self._n

    def __getstate__(self) -> dict:  # pickled into the start-up snapshot (`matcher.search.snapshot`)
        return {name: value for name, value in self.__dict__.items() if name != "lock"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.lock = threading.RLock()

    def __contains__(self, item_id: int) -> bool:
        return 0 <= item_id < len(self._text_of) and self._text_of[item_id] >= 0

    def clear(self) -> None:
        with self.lock:
            self._texts = Texts()
            self._text_of = np.full(0, -1, np.int64)
            self._shared.clear()
            self._n = self._total_len = 0
            self._df.clear()

    def upsert(self, item_id: int, text: str) -> None:
        self.upsert_terms(item_id, Counter(tokens(text)))

    def upsert_terms(self, item_id: int, counts: Counter) -> None:
        """Index a document given as word counts (`Counter(tokens(text))`)."""
        if not 0 <= item_id < 2**31:
            raise ValueError(f"id out of range: {item_id}")
        counts = +Counter(counts)
        with self.lock:
            self.remove(item_id)
            if item_id >= len(self._text_of):
                grow = max(item_id + 1, 2 * len(self._text_of), 1024) - len(self._text_of)
                self._text_of = np.concatenate([self._text_of, np.full(grow, -1, np.int64)])
            texts = self._texts
            key = texts.key_of(counts)
            text = None if key is None else self._shared.get(key)
            if text is not None and texts.same(text, counts):
                texts.join(text, item_id)
            else:
                text = texts.add(counts, item_id)
                key = int(texts.key[text])
                if self._shared.get(key) is None or texts.gen[self._shared[key]] == 0:
                    self._shared[key] = text  # (a different text with the same hash keeps the entry)
            self._text_of[item_id] = text
            self._n += 1
            self._total_len += int(texts.length[text])
            self._df.update(counts.keys())

    def remove(self, item_id: int) -> None:
        with self.lock:
            if item_id not in self:
                return
            texts, text = self._texts, int(self._text_of[item_id])
            self._text_of[item_id] = -1
            self._n -= 1
            self._total_len -= int(texts.length[text])
            words = [texts.words[n] for n in texts.run(text)[0]]
            if texts.leave(text, item_id) and self._shared.get(int(texts.key[text])) == text:
                del self._shared[int(texts.key[text])]
            for term in words:
                self._df[term] -= 1
                if self._df[term] <= 0:
                    del self._df[term]
                    texts.forget(term)

    def _idf(self, term: str) -> float:
        n, df = self._n, self._df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _query(self, words) -> list[tuple[float, tuple, str]]:
        """(idf x query count, postings arrays, the word) per query word some document holds."""
        counts = words if isinstance(words, Counter) else Counter(words)
        return [(self._idf(term) * q, self._texts.postings(term), term) for term, q in counts.items()
                if term in self._df]

    def _avg(self) -> float:
        return self._total_len / self._n or 1.0

    def _texts_of(self, ids: np.ndarray) -> np.ndarray:
        inside = (ids >= 0) & (ids < len(self._text_of))
        return np.where(inside, self._text_of[np.where(inside, ids, 0)], -1)

    def terms(self, item_id: int) -> Counter:
        """The words of one indexed document (a seeker's, when it is the query of the other direction)."""
        with self.lock:
            if item_id not in self:
                return Counter()
            texts = self._texts
            words, tf = texts.run(int(self._text_of[item_id]))
            return Counter({texts.words[n]: f for n, f in zip(words, tf)})

    def score_terms(self, words: Counter, ids) -> np.ndarray:
        """BM25 of a query given as word counts against each id (0 for ids not indexed)."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        with self.lock:
            if not self._n or not len(ids):
                return np.zeros(len(ids), dtype=np.float64)
            unique, inverse = np.unique(self._texts_of(ids), return_inverse=True)
            return self._texts.score_runs(self._query(words), unique, self._avg())[inverse.reshape(-1)]

    def ideal_terms(self, words) -> float:
        with self.lock:
            return float(sum(self._idf(t) for t in set(words)))

    def ideal(self, query: str) -> float:
        """The score of a document holding each of the query's words once, at average length: the sum
        of their idfs, a word no document holds counting as the rarest. A scale for how much of what the
        query says a document matches (a lawyer's resume matching only 合同 matches little of it)."""
        return self.ideal_terms(tokens(query))

    def known(self, query: str) -> list[str]:
        """The query's words that occur in at least one document."""
        with self.lock:
            return [t for t in tokens(query) if t in self._df]

    def search(self, query: str, k: int) -> dict[int, float]:
        """Id -> BM25 score for the `k` best documents with a positive score (ties by id)."""
        return self.search_terms(Counter(tokens(query)), k)

    def search_terms(self, words: Counter, k: int) -> dict[int, float]:
        """`search` for a query given as word counts (`top_terms` as a map)."""
        ids, scores = self.top_terms(words, k)
        return dict(zip(ids.tolist(), scores.tolist()))

    def top_terms(self, words: Counter, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, BM25 scores) of the `k` best documents with a positive score, best first, ties by id.

        Every text's approximate score (within EPSILON) comes from one bincount of cached impacts; the
        k-th best document's approximate score (`kth_by_size`: a text counts once per member) bounds
        which texts can hold a document of the exact top k. Only those are scored exactly, and only
        the members of the best of them (down to the k-th document, ties included) are listed."""
        with self.lock:
            if not self._n or k <= 0:
                return np.zeros(0, np.int64), np.zeros(0, np.float64)
            query, avg, texts = self._query(words), self._avg(), self._texts
            if not query:
                return np.zeros(0, np.int64), np.zeros(0, np.float64)
            approximate = texts.approximate(query, avg)
            theta = kth_by_size(approximate, texts.size[:texts.used], k)
            keep = np.flatnonzero(approximate >= theta * (1 - EPSILON) / (1 + EPSILON))
            keep = keep[approximate[keep] > 0]
            exact = texts.score_runs(query, keep, avg)
            order = np.argsort(-exact, kind="stable")
            reached = np.searchsorted(np.cumsum(texts.size[keep[order]]), k)
            if reached < len(order):  # the texts scoring at least the k-th document's score
                order = order[exact[order] >= exact[order[reached]]]
            rows, ids = texts.members(keep[order])
            scores = exact[order][rows]
        order = np.lexsort((ids, -scores))[:k]
        order = order[scores[order] > 0]
        return ids[order].astype(np.int64, copy=False), scores[order]

    def scores(self, query: str, ids) -> np.ndarray:
        """BM25 score of `query` against each id (0 for ids not indexed)."""
        return self.score_terms(Counter(tokens(query)), ids)
