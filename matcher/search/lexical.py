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
import sys
import threading
from array import array
from collections import Counter
from functools import lru_cache

import numpy as np

K1, B = 1.5, 0.75
# `search_terms` adds up cached float32 impacts; they are recomputed once the average document length
# has drifted by IMPACT_DRIFT, so an approximate score is within EPSILON of the exact one (relative).
IMPACT_DRIFT = 1e-3
EPSILON = 2 * IMPACT_DRIFT + 1e-5
DENSE_PASS = 16  # a word's postings up to this many times the ids scored: one pass, not a binary search each
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


@lru_cache(maxsize=4096)
def _query_words(text: str) -> tuple[tuple[str, int], ...]:
    return tuple(Counter(tokens(text)).items())


def query_words(text: str) -> Counter:
    """`Counter(tokens(text))` for a query, each recent text cut once (a seeker asks again and again;
    jieba takes a millisecond or more per resume). A fresh Counter per call."""
    return Counter(dict(_query_words(text)))


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


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of `values` (non-negative), partitioning only those above a halving cut."""
    if k >= len(values):
        return 0.0
    top = float(values.max())
    cut = top / 2
    while True:
        above = values[values >= cut]
        if len(above) >= k:
            return float(np.partition(above, len(above) - k)[len(above) - k])
        cut = cut / 2 if cut > top * 1e-6 else 0.0


class LexicalIndex:
    """Incremental BM25: `upsert(id, text)`, `remove(id)`, `scores(query, ids)`, `search(query, k)`.

    Updates go to plain dicts (term -> {id: tf}); queries read each of their words' postings as
    arrays sorted by id (with each document's length beside it), built on first use and dropped when
    a document holding that word changes. Scoring a candidate set is one `searchsorted` per query word,
    or, for a few documents, one pass over their own word runs (`_score_docs`). `search` adds up cached
    per-word impacts in one `bincount` and scores exactly only the documents that can be in the top k.
    """

    def __init__(self):
        # Each document's words: a run of word numbers and counts in two pools, addressed by id
        # (dense arrays, no object per document); a rewrite appends a new run, `_pack` drops old ones.
        self._n = 0
        self._pool_live = 0  # entries of the pools that belong to live documents
        self._start = np.zeros(0, np.int64)
        self._count = np.zeros(0, np.int32)
        self._pool_words = array("i")
        self._pool_tf = array("H")
        self._vocab: dict[str, int] = {}  # word -> its number (never reused, so stored numbers stay valid)
        self._words: list[str] = []
        self._df: Counter = Counter()
        self._total_len = 0
        # Dense by id: the document's length and its generation (bumped by every upsert and removal).
        self._length = np.zeros(0, np.float64)
        self._gen = np.zeros(0, np.uint32)
        self._next_gen = 0
        # Per word: postings merged and sorted by id (ids, tf, generation), and appends not merged yet.
        self._base: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._tail: dict[str, tuple[array, array, array]] = {}
        self._dirty: set[str] = set()  # words whose merged postings may hold a removed document
        self._maxtf: dict[str, float] = {}  # per word: the largest count in its merged postings
        self._impact: dict[str, tuple] = {}  # per word: (average length, its postings' ids, impacts) (`_impacts`)
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return self._n

    def __contains__(self, item_id: int) -> bool:
        return 0 <= item_id < len(self._gen) and self._gen[item_id] != 0

    def _doc(self, item_id: int) -> tuple[array, array] | None:
        """(word numbers, counts) of one indexed document, or None."""
        if item_id not in self:
            return None
        start, count = int(self._start[item_id]), int(self._count[item_id])
        return self._pool_words[start:start + count], self._pool_tf[start:start + count]

    def _pack(self) -> None:
        """Rewrite the pools with the live documents' runs only (rewrites leave their old runs behind)."""
        ids = np.flatnonzero(self._gen != 0)
        words, tf = array("i"), array("H")
        for item_id in ids.tolist():
            start, count = int(self._start[item_id]), int(self._count[item_id])
            self._start[item_id] = len(words)
            words.extend(self._pool_words[start:start + count])
            tf.extend(self._pool_tf[start:start + count])
        self._pool_words, self._pool_tf = words, tf

    def clear(self) -> None:
        with self.lock:
            self._n = self._pool_live = 0
            self._start = np.zeros(0, np.int64)
            self._count = np.zeros(0, np.int32)
            self._pool_words, self._pool_tf = array("i"), array("H")
            self._vocab.clear()
            self._words.clear()
            self._df.clear()
            self._base.clear()
            self._maxtf.clear()
            self._impact.clear()
            self._tail.clear()
            self._dirty.clear()
            self._total_len = 0
            self._length = np.zeros(0, np.float64)
            self._gen = np.zeros(0, np.uint32)

    def _grow(self, item_id: int) -> None:
        if item_id >= len(self._gen):
            size = max(item_id + 1, 2 * len(self._gen), 1024)
            self._length = np.concatenate([self._length, np.zeros(size - len(self._length))])
            self._gen = np.concatenate([self._gen, np.zeros(size - len(self._gen), np.uint32)])
            self._start = np.concatenate([self._start, np.zeros(size - len(self._start), np.int64)])
            self._count = np.concatenate([self._count, np.zeros(size - len(self._count), np.int32)])

    def upsert(self, item_id: int, text: str) -> None:
        self.upsert_terms(item_id, Counter(tokens(text)))

    def upsert_terms(self, item_id: int, counts: Counter) -> None:
        """Index a document given as word counts (`Counter(tokens(text))`)."""
        if not 0 <= item_id < 2**31:
            raise ValueError(f"id out of range: {item_id}")
        with self.lock:
            self.remove(item_id)
            self._grow(item_id)
            self._next_gen += 1
            gen = self._next_gen
            self._gen[item_id] = gen
            if len(self._pool_words) > 2 * self._pool_live + 65536:
                self._pack()
            self._start[item_id], self._count[item_id] = len(self._pool_words), len(counts)
            self._n += 1
            self._pool_live += len(counts)
            for term in counts:
                number = self._vocab.get(term)
                if number is None:
                    number = self._vocab[term] = len(self._words)
                    self._words.append(sys.intern(term))
                self._pool_words.append(number)
            self._pool_tf.extend(min(tf, 65535) for tf in counts.values())
            length = sum(counts.values())
            self._length[item_id] = length
            self._total_len += length
            for term, tf in counts.items():
                tail = self._tail.get(term)
                if tail is None:
                    tail = self._tail[term] = (array("i"), array("f"), array("I"))
                tail[0].append(item_id)
                tail[1].append(tf)
                tail[2].append(gen)
                self._df[term] += 1

    def remove(self, item_id: int) -> None:
        with self.lock:
            doc = self._doc(item_id)
            if doc is None:
                return
            self._n -= 1
            self._pool_live -= len(doc[0])
            self._gen[item_id] = 0  # every posting of this generation is now stale
            self._total_len -= int(self._length[item_id])
            for number in doc[0]:
                term = self._words[number]
                self._dirty.add(term)
                self._df[term] -= 1
                if self._df[term] <= 0:
                    del self._df[term]
                    self._base.pop(term, None)
                    self._maxtf.pop(term, None)
                    self._impact.pop(term, None)
                    self._tail.pop(term, None)
                    self._dirty.discard(term)

    def _idf(self, term: str) -> float:
        n, df = self._n, self._df.get(term, 0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _term_arrays(self, term: str):
        """(ids sorted, tf) of one word's live postings, or None when no document has it. Appends and
        removals since the last read are merged here, so writes stay cheap."""
        if term not in self._df:
            return None
        if term in self._tail or term in self._dirty:
            ids, tf, gen = self._base.get(term, (np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.uint32)))
            tail = self._tail.pop(term, None)
            if tail is not None:
                ids = np.concatenate([ids, np.frombuffer(tail[0], np.int32)])
                tf = np.concatenate([tf, np.frombuffer(tail[1], np.float32)])
                gen = np.concatenate([gen, np.frombuffer(tail[2], np.uint32)])
            live = self._gen[ids] == gen
            ids, tf, gen = ids[live], tf[live], gen[live]
            order = np.argsort(ids, kind="stable")
            self._base[term] = (ids[order], tf[order], gen[order])
            self._maxtf[term] = float(tf.max()) if len(tf) else 0.0
            self._dirty.discard(term)
        ids, tf, _ = self._base[term]
        return ids, tf, self._maxtf[term]

    def _query(self, words) -> list[tuple[float, tuple, str]]:
        """(idf x query count, postings arrays, the word) per query word some document holds."""
        counts = words if isinstance(words, Counter) else Counter(words)
        out = []
        for term, q in counts.items():
            arrays = self._term_arrays(term)
            if arrays is not None:
                out.append((self._idf(term) * q, arrays, term))
        return out

    def _score(self, query, ids: np.ndarray, avg: float) -> np.ndarray:
        """BM25 of `query` against each of `ids`. A word's postings are matched to the ids by binary
        search when they are long next to the ids, else by one pass over them through a dense id ->
        position map (thousands of ids against long postings: the pass is several times cheaper).
        Either way each id gets the same terms in the same order, so the scores are the same."""
        out = np.zeros(len(ids), dtype=np.float64)
        if not len(ids):
            return out
        inside = (ids >= 0) & (ids < len(self._gen))
        keys = np.where(inside, ids, -1).astype(np.int32)
        position = None
        for weight, (term_ids, tf, _), _ in query:
            if len(term_ids) <= DENSE_PASS * len(keys):
                if position is None:
                    position = self._positions(keys, inside)
                if position is not None:
                    at = position[term_ids]
                    hit = at >= 0
                    where = at[hit]
                    f, length = tf[hit].astype(np.float64), self._length[term_ids[hit]]
                    out[where] += weight * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
                    continue
            at = np.minimum(np.searchsorted(term_ids, keys), len(term_ids) - 1)
            hit = term_ids[at] == keys
            if hit.any():
                f, length = tf[at[hit]].astype(np.float64), self._length[keys[hit]]
                out[hit] += weight * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
        if position is not None:
            position[keys[inside]] = -1  # the scratch map is left empty for the next query
        return out

    def _positions(self, keys: np.ndarray, inside: np.ndarray) -> np.ndarray | None:
        """The scratch map id -> position in `keys` (-1 elsewhere), or None when an id repeats."""
        scratch = self.__dict__.get("_scratch")
        if scratch is None or len(scratch) != len(self._gen):
            scratch = self._scratch = np.full(len(self._gen), -1, np.int32)
        where = np.flatnonzero(inside)
        scratch[keys[where]] = where
        if not np.array_equal(scratch[keys[where]], where):  # a repeated id: fall back to binary search
            scratch[keys[where]] = -1
            return None
        return scratch

    def _avg(self) -> float:
        return self._total_len / self._n or 1.0

    def terms(self, item_id: int) -> Counter:
        """The words of one indexed document (a seeker's, when it is the query of the other direction)."""
        with self.lock:
            doc = self._doc(item_id)
            return Counter({self._words[n]: tf for n, tf in zip(*doc)}) if doc else Counter()

    def score_terms(self, words: Counter, ids) -> np.ndarray:
        """BM25 of a query given as word counts against each id (0 for ids not indexed)."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        with self.lock:
            if not self._n:
                return np.zeros(len(ids), dtype=np.float64)
            return self._score_docs(self._query(words), ids, self._avg())

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
        """`search` for a query given as word counts: the exact top k, ties by id (`_kth_largest`).

        Every query word's postings are added up in one `np.bincount` from cached per-word impacts (a
        posting's BM25 part without the idf, float32, kept while the average document length stays
        within IMPACT_DRIFT of the one they were computed at), so the approximate score of a document
        is within a relative EPSILON of its exact one. The k-th best approximate score then bounds
        which documents can be in the exact top k; only those are scored exactly (`_score_docs`, the
        same arithmetic as `score_terms`) and the top k taken from them."""
        with self.lock:
            if not self._n or k <= 0:
                return {}
            query, avg = self._query(words), self._avg()
            if not query:
                return {}
            ids = np.concatenate([arrays[0] for _, arrays, _ in query])
            contributions = np.concatenate([weight * self._impacts(term, arrays, avg) for weight, arrays, term in query])
            approximate = np.bincount(ids, weights=contributions, minlength=len(self._gen))
            theta = _kth_largest(approximate, k)
            # A document in the exact top k scores at least theta (1 - e) / (1 + e) approximately.
            keep = np.flatnonzero(approximate >= theta * (1 - EPSILON) / (1 + EPSILON))
            keep = keep[approximate[keep] > 0]
            scores = self._score_docs(query, keep, avg)
        order = np.lexsort((keep, -scores))[:k]
        return {int(keep[n]): float(scores[n]) for n in order if scores[n] > 0}

    def _impacts(self, term: str, arrays, avg: float) -> np.ndarray:
        """A word's postings' BM25 parts f (k1 + 1) / (f + k1 (1 - b + b len / avg)), float32, cached
        until its postings change or the average length drifts by more than IMPACT_DRIFT."""
        term_ids, tf, _ = arrays
        cached = self._impact.get(term)
        if cached is not None and cached[1] is term_ids and abs(cached[0] - avg) <= IMPACT_DRIFT * avg:
            return cached[2]
        f = tf.astype(np.float64)
        impacts = (f * (K1 + 1) / (f + K1 * (1 - B + B * self._length[term_ids] / avg))).astype(np.float32)
        self._impact[term] = (avg, term_ids, impacts)
        return impacts

    def _score_docs(self, query, ids: np.ndarray, avg: float) -> np.ndarray:
        """`_score` for a few documents, read from their own word runs instead of each word's postings:
        the same contributions added in the same (query word) order, so the same floats."""
        if len(ids) * (self._pool_live / max(1, self._n)) > sum(len(arrays[0]) for _, arrays, _ in query):
            return self._score(query, ids, avg)
        out = np.zeros(len(ids), dtype=np.float64)
        if not len(ids):
            return out
        ids = np.asarray(ids, np.int64)
        held = (ids >= 0) & (ids < len(self._gen))
        held[held] = self._gen[ids[held]] != 0  # a removed document keeps its stale run: not scored
        ids = np.where(held, ids, 0)
        counts = np.where(held, self._count[ids], 0).astype(np.int64)
        if not counts.any():
            return out
        pool_words = np.frombuffer(self._pool_words, np.int32)
        pool_tf = np.frombuffer(self._pool_tf, np.uint16)
        rows = np.repeat(np.arange(len(ids)), counts)
        ends = np.cumsum(counts)
        at = np.repeat(self._start[ids] - (ends - counts), counts) + np.arange(int(ends[-1]))
        numbers = np.fromiter((self._vocab[term] for _, _, term in query), np.int64, len(query))
        column = self.__dict__.get("_column")
        if column is None or len(column) < len(self._words):
            column = self._column = np.full(len(self._words) + 1024, -1, np.int32)
        column[numbers] = np.arange(len(query))
        which = column[pool_words[at]]
        column[numbers] = -1  # the scratch map is left empty for the next query
        hit = which >= 0
        rows, which, at = rows[hit], which[hit], at[hit]
        del pool_words
        weights = np.asarray([weight for weight, _, _ in query])
        f, length = pool_tf[at].astype(np.float64), self._length[ids[rows]]
        del pool_tf
        table = np.zeros((len(query), len(ids)))
        table[which, rows] = weights[which] * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
        for contribution in table:  # word by word, as `_score` adds them
            out += contribution
        return out

    def scores(self, query: str, ids) -> np.ndarray:
        """BM25 score of `query` against each id (0 for ids not indexed)."""
        return self.score_terms(Counter(tokens(query)), ids)
