"""The postings engine under `matcher.search.lexical.LexicalIndex`: Okapi BM25 over distinct texts.

Postings (imports and chains repeat a job text under many ids) are indexed once per distinct text:
a text has a number, a run of word numbers and counts in two pools, a length, a generation and its
members (the documents with exactly these words). Every word's postings list texts, not documents;
the document layer (`LexicalIndex`) keeps the document counts BM25 needs (N, document frequencies,
the average length over documents) and turns text scores into document scores. A text's score is its
every member's score: the same counts and the same length give the same floats.

Writes append to per-word tails; a query merges a word's tail and drops dead texts (generation
check) on first use. Scores (k1 = 1.5, b = 0.75) are computed one of three ways, all the same BM25:
- `score`: per query word, the word's postings matched to the texts (binary search, or one pass
  through a dense text -> position map when the postings are short next to the texts);
- `score_runs`: from the texts' own word runs (cheap for a few texts), the same contributions added
  in the same order, so the same floats;
- `approximate`: one `np.bincount` of cached float32 impacts (`impacts`), within EPSILON of exact.
"""
from __future__ import annotations

import sys
from array import array
from collections import Counter

import numpy as np

K1, B = 1.5, 0.75
RUNS_PASS = 8  # the texts' own runs read unless they hold this many times the query words' postings
FEW_TEXTS = 4  # `score_runs` for up to this many texts in plain Python (`_score_few`)
DENSE_PASS = 16  # a word's postings up to this many times the texts scored: one pass, not a binary search each
# Cached float32 impacts are recomputed once the average document length has drifted by IMPACT_DRIFT,
# so an approximate score is within EPSILON of the exact one (relative).
IMPACT_DRIFT = 1e-3
EPSILON = 2 * IMPACT_DRIFT + 1e-5

_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.uint32))


class Texts:
    """Distinct texts, their word runs, members and per-word postings (call under the owner's lock)."""

    _DENSE = {"start": np.int64, "count": np.int32, "length": np.float64, "gen": np.uint32,
              "first": np.int64, "size": np.int32, "key": np.int64}

    def __init__(self):
        self.pool_words, self.pool_tf = array("i"), array("H")
        self.pool_live = 0  # pool entries that belong to live texts
        for name, dtype in self._DENSE.items():
            setattr(self, name, np.zeros(0, dtype))
        self.used = 0  # text numbers handed out (live, dead or free)
        self.live = 0
        self.free: list[int] = []
        self.next_gen = 0
        self.extra: dict[int, set[int]] = {}  # members beyond `first`, for texts shared by several documents
        self._extra_arrays: dict[int, np.ndarray] = {}  # `extra` as arrays, made on first read, dropped on change
        self.vocab: dict[str, int] = {}  # word -> its number (never reused, so stored numbers stay valid)
        self.words: list[str] = []
        # Per word: postings merged and sorted by text (texts, tf, generation), and appends not merged yet.
        self.base: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.tail: dict[str, tuple[array, array, array]] = {}
        self.dirty: set[str] = set()  # words whose merged postings may hold a dead text
        self.maxtf: dict[str, float] = {}
        self.impact: dict[str, tuple] = {}  # per word: (average length, its postings' texts, impacts)

    # ------------------------------------------------------------------ texts
    def _grow(self, need: int) -> None:
        size = len(self.gen)
        if need <= size:
            return
        new = max(need, 2 * size, 1024)
        for name, dtype in self._DENSE.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(new - size, dtype)]))

    def run(self, text: int) -> tuple[array, array]:
        start, count = int(self.start[text]), int(self.count[text])
        return self.pool_words[start:start + count], self.pool_tf[start:start + count]

    def same(self, text: int, counts: Counter) -> bool:
        """Whether live `text` has exactly these word counts."""
        if self.gen[text] == 0 or int(self.count[text]) != len(counts):
            return False
        words, tf = self.run(text)
        return all(counts.get(self.words[w]) == f for w, f in zip(words, tf))

    def key_of(self, counts: Counter) -> int | None:
        """A hash of the word counts over word numbers (the same in every process, unlike a hash of
        strings, so a text loaded from a snapshot is still found); None when a word is new (no text
        can have it yet)."""
        numbers = list(map(self.vocab.get, counts))
        if None in numbers:
            return None
        return hash(frozenset(zip(numbers, counts.values())))

    def add(self, counts: Counter, member: int) -> int:
        """A new text with these word counts and its first member; returns its number."""
        if len(self.pool_words) > 2 * self.pool_live + 65536:
            self.pack()
        text = self.free.pop() if self.free else self.used
        if text == self.used:
            self.used += 1
            self._grow(self.used)
        self.next_gen += 1
        gen = self.gen[text] = self.next_gen
        self.start[text], self.count[text] = len(self.pool_words), len(counts)
        self.length[text] = sum(counts.values())
        self.first[text], self.size[text] = member, 1
        self.live += 1
        self.pool_live += len(counts)
        for term, tf in counts.items():
            number = self.vocab.get(term)
            if number is None:
                number = self.vocab[term] = len(self.words)
                self.words.append(sys.intern(term))
            self.pool_words.append(number)
            self.pool_tf.append(min(tf, 65535))
            tail = self.tail.get(term)
            if tail is None:
                tail = self.tail[term] = (array("i"), array("f"), array("I"))
            tail[0].append(text)
            tail[1].append(tf)
            tail[2].append(gen)
        self.key[text] = self.key_of(counts)
        return text

    def join(self, text: int, member: int) -> None:
        self.extra.setdefault(text, set()).add(member)
        self._extra_arrays.pop(text, None)
        self.size[text] += 1

    def leave(self, text: int, member: int) -> bool:
        """Take `member` out of `text`; True when the text has no member left (it is then dead)."""
        self.size[text] -= 1
        self._extra_arrays.pop(text, None)
        others = self.extra.get(text)
        if int(self.first[text]) == member:
            if not others:
                self._kill(text)
                return True
            self.first[text] = others.pop()
        else:
            others.discard(member)
        if others is not None and not others:
            del self.extra[text]
        return False

    def _kill(self, text: int) -> None:
        for number in self.run(text)[0]:
            self.dirty.add(self.words[number])
        self.gen[text] = 0  # every posting of this generation is now stale
        self.pool_live -= int(self.count[text])
        self.live -= 1
        self.extra.pop(text, None)
        self._extra_arrays.pop(text, None)
        self.free.append(text)

    def members(self, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row of `texts`, document id) for every member of each text."""
        rows = [np.arange(len(texts))]
        ids = [self.first[texts]]
        for row, text in enumerate(texts.tolist()):
            others = self._extra_arrays.get(text)
            if others is None and self.extra.get(text):
                others = self._extra_arrays[text] = np.fromiter(self.extra[text], np.int64, len(self.extra[text]))
            if others is not None:
                rows.append(np.full(len(others), row))
                ids.append(others)
        return np.concatenate(rows), np.concatenate(ids)

    def forget(self, term: str) -> None:
        """No document holds `term` any more."""
        for table in (self.base, self.maxtf, self.impact, self.tail):
            table.pop(term, None)
        self.dirty.discard(term)

    def pack(self) -> None:
        """Rewrite the pools with the live texts' runs only (dead texts leave their runs behind)."""
        words, tf = array("i"), array("H")
        for text in np.flatnonzero(self.gen[:self.used] != 0).tolist():
            start, count = int(self.start[text]), int(self.count[text])
            self.start[text] = len(words)
            words.extend(self.pool_words[start:start + count])
            tf.extend(self.pool_tf[start:start + count])
        self.pool_words, self.pool_tf = words, tf

    # ------------------------------------------------------------------ postings
    def postings(self, term: str):
        """(texts sorted, tf, largest tf) of one word's live postings. Appends and deaths since the
        last read are merged here, so writes stay cheap."""
        if term in self.tail or term in self.dirty:
            ids, tf, gen = self.base.get(term, _EMPTY)
            tail = self.tail.pop(term, None)
            if tail is not None:
                ids = np.concatenate([ids, np.frombuffer(tail[0], np.int32)])
                tf = np.concatenate([tf, np.frombuffer(tail[1], np.float32)])
                gen = np.concatenate([gen, np.frombuffer(tail[2], np.uint32)])
            live = self.gen[ids] == gen
            ids, tf, gen = ids[live], tf[live], gen[live]
            order = np.argsort(ids, kind="stable")
            self.base[term] = (ids[order], tf[order], gen[order])
            self.maxtf[term] = float(tf.max()) if len(tf) else 0.0
            self.dirty.discard(term)
        ids, tf, _ = self.base.get(term, _EMPTY)
        return ids, tf, self.maxtf.get(term, 0.0)

    def impacts(self, term: str, arrays, avg: float) -> np.ndarray:
        """A word's postings' BM25 parts f (k1 + 1) / (f + k1 (1 - b + b len / avg)), float32, cached
        until its postings change or the average length drifts by more than IMPACT_DRIFT."""
        ids, tf, _ = arrays
        cached = self.impact.get(term)
        if cached is not None and cached[1] is ids and abs(cached[0] - avg) <= IMPACT_DRIFT * avg:
            return cached[2]
        f = tf.astype(np.float64)
        impacts = (f * (K1 + 1) / (f + K1 * (1 - B + B * self.length[ids] / avg))).astype(np.float32)
        self.impact[term] = (avg, ids, impacts)
        return impacts

    # ------------------------------------------------------------------ scoring
    def approximate(self, query, avg: float) -> np.ndarray:
        """Every text's score within EPSILON (relative), dense by text number: one bincount."""
        ids = np.concatenate([arrays[0] for _, arrays, _ in query])
        contributions = np.concatenate([weight * self.impacts(term, arrays, avg) for weight, arrays, term in query])
        return np.bincount(ids, weights=contributions, minlength=self.used)

    def score(self, query, texts: np.ndarray, avg: float) -> np.ndarray:
        """BM25 of `query` against each of `texts`, word by word over the words' postings."""
        out = np.zeros(len(texts), dtype=np.float64)
        if not len(texts):
            return out
        inside = (texts >= 0) & (texts < len(self.gen))
        keys = np.where(inside, texts, -1).astype(np.int32)
        position = None
        for weight, (term_ids, tf, _), _ in query:
            if len(term_ids) <= DENSE_PASS * len(keys):
                if position is None:
                    position = self._positions(keys, inside)
                if position is not None:
                    at = position[term_ids]
                    hit = at >= 0
                    where = at[hit]
                    f, length = tf[hit].astype(np.float64), self.length[term_ids[hit]]
                    out[where] += weight * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
                    continue
            if not len(term_ids):
                continue
            at = np.minimum(np.searchsorted(term_ids, keys), len(term_ids) - 1)
            hit = term_ids[at] == keys
            if hit.any():
                f, length = tf[at[hit]].astype(np.float64), self.length[keys[hit]]
                out[hit] += weight * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
        if position is not None:
            position[keys[inside]] = -1  # the scratch map is left empty for the next query
        return out

    def _positions(self, keys: np.ndarray, inside: np.ndarray) -> np.ndarray | None:
        """The scratch map text -> position in `keys` (-1 elsewhere), or None when a text repeats."""
        scratch = self.__dict__.get("_scratch")
        if scratch is None or len(scratch) != len(self.gen):
            scratch = self._scratch = np.full(len(self.gen), -1, np.int32)
        where = np.flatnonzero(inside)
        scratch[keys[where]] = where
        if not np.array_equal(scratch[keys[where]], where):  # a repeated text: fall back to binary search
            scratch[keys[where]] = -1
            return None
        return scratch

    def score_runs(self, query, texts: np.ndarray, avg: float) -> np.ndarray:
        """`score` for a few texts, read from their own word runs instead of each word's postings:
        the same contributions added in the same (query word) order, so the same floats. Dead or
        unknown texts (-1) score 0."""
        if len(texts) <= FEW_TEXTS:
            return self._score_few(query, texts, avg)
        out = np.zeros(len(texts), dtype=np.float64)
        live_words = self.pool_live / max(1, self.live)
        if len(texts) * live_words > RUNS_PASS * sum(len(arrays[0]) for _, arrays, _ in query):
            return self.score(query, texts, avg)
        if not len(texts):
            return out
        texts = np.asarray(texts, np.int64)
        held = (texts >= 0) & (texts < len(self.gen))
        held[held] = self.gen[texts[held]] != 0
        texts = np.where(held, texts, 0)
        counts = np.where(held, self.count[texts], 0).astype(np.int64)
        if not counts.any():
            return out
        rows = np.repeat(np.arange(len(texts)), counts)
        ends = np.cumsum(counts)
        at = np.repeat(self.start[texts] - (ends - counts), counts) + np.arange(int(ends[-1]))
        numbers = np.fromiter((self.vocab[term] for _, _, term in query), np.int64, len(query))
        column = self.__dict__.get("_column")
        if column is None or len(column) < len(self.words):
            column = self._column = np.full(len(self.words) + 1024, -1, np.int32)
        column[numbers] = np.arange(len(query))
        which = column[np.frombuffer(self.pool_words, np.int32)[at]]
        column[numbers] = -1  # the scratch map is left empty for the next query
        hit = which >= 0
        rows, which, at = rows[hit], which[hit], at[hit]
        weights = np.asarray([weight for weight, _, _ in query])
        f, length = np.frombuffer(self.pool_tf, np.uint16)[at].astype(np.float64), self.length[texts[rows]]
        table = np.zeros((len(query), len(texts)))
        table[which, rows] = weights[which] * f * (K1 + 1) / (f + K1 * (1 - B + B * length / avg))
        for contribution in table:  # word by word, as `score` adds them
            out += contribution
        return out

    def _score_few(self, query, texts, avg: float) -> np.ndarray:
        """`score_runs` for a handful of texts in plain Python (a search's best texts are often one or
        two, and two dozen array calls cost more than the arithmetic): the same contributions, each the
        same float expression, added in the same (query word) order, so the same floats."""
        out = np.zeros(len(texts), dtype=np.float64)
        column = {self.vocab[term]: (n, weight) for n, (weight, _, term) in enumerate(query)}
        gen, start, count, length = self.gen, self.start, self.count, self.length
        for row, text in enumerate(np.asarray(texts, np.int64).tolist()):
            if not 0 <= text < len(gen) or gen[text] == 0:
                continue
            first, size, size_of = int(start[text]), int(count[text]), float(length[text])
            hits = sorted((column[word], tf) for word, tf in zip(self.pool_words[first:first + size],
                                                                 self.pool_tf[first:first + size]) if word in column)
            total = 0.0
            for (_, weight), tf in hits:
                f = float(tf)
                total += weight * f * (K1 + 1) / (f + K1 * (1 - B + B * size_of / avg))
            out[row] = total
        return out


def kth_by_size(values: np.ndarray, sizes: np.ndarray, k: int) -> float:
    """The k-th largest value when each value counts `sizes` times (a text's score is each of its
    members' score), looking only at the values above a halving cut; 0 when fewer than k count."""
    if int(sizes.sum()) <= k:
        return 0.0
    top = float(values.max())
    cut = top / 2
    while True:
        above = np.flatnonzero(values >= cut)
        if int(sizes[above].sum()) >= k:
            order = above[np.argsort(-values[above], kind="stable")]
            reached = int(np.searchsorted(np.cumsum(sizes[order]), k))
            return float(values[order[reached]])
        cut = cut / 2 if cut > top * 1e-6 else 0.0
