"""The open postings' ranking facts as column arrays addressed by a row slot.

The hot path reads every candidate's facts with one fancy index per column (`PostingColumns.slots`
turns posting ids into slots), so scoring, gates, filters and travel run as array expressions over
all candidates; `PostingEntry` objects are made again only for the few rows shown (`entry_at`).

Rows are appended; an upsert of a known id rewrites its slot in place, a removal leaves a tombstone
(id 0) that a compaction drops once they are half the table. Sets of words (skills, certificates) are
runs in one int32 pool, numbered through one vocabulary; occupation codes are numbered at three
levels (the code, its first 7 and its first 4 characters: 细类, 小类, 中类) so a comparison of
code prefixes is a comparison of integers.
"""
from __future__ import annotations

import sys

import numpy as np

from matcher.types import PostingEntry, Side

CODES = 2  # occupation codes kept per posting (`matcher.search.sides._codes`)
NO_CODE = -1

_FLOATS = ("lat", "lon", "radius", "education", "experience", "salary_low", "salary_high", "offered", "expires")
_BOOLS = ("approximate", "coarse", "accessible", "night")
_OBJECTS = ("title", "employer", "salary_text", "occupation_name", "occupation_phrase", "employment_type",
            "street_code", "salary_side_text")


def _nan(value) -> float:
    return np.nan if value is None else float(value)


class Vocabulary:
    """Strings to small integers and back (never reused, so stored numbers stay valid)."""

    def __init__(self):
        self.number: dict[str, int] = {}
        self.words: list[str] = []

    def add(self, word: str) -> int:
        n = self.number.get(word)
        if n is None:
            n = self.number[word] = len(self.words)
            self.words.append(sys.intern(word))
        return n

    def find(self, words) -> np.ndarray:
        """The numbers of the known words among `words` (unknown ones match nothing and are left out)."""
        return np.asarray(sorted({self.number[w] for w in words if w in self.number}), np.int32)


class WordRuns:
    """Per slot, a run of word numbers in one growing pool (a rewrite appends a new run)."""

    def __init__(self, capacity: int):
        self.start = np.zeros(capacity, np.int64)
        self.length = np.zeros(capacity, np.int32)
        self.pool = np.zeros(1024, np.int32)
        self.used = 0

    def grow(self, capacity: int) -> None:
        self.start = np.concatenate([self.start, np.zeros(capacity - len(self.start), np.int64)])
        self.length = np.concatenate([self.length, np.zeros(capacity - len(self.length), np.int32)])

    def put(self, slot: int, numbers: list[int]) -> None:
        if self.used + len(numbers) > len(self.pool):
            self.pool = np.concatenate([self.pool, np.zeros(max(len(self.pool), len(numbers)), np.int32)])
        self.start[slot], self.length[slot] = self.used, len(numbers)
        self.pool[self.used:self.used + len(numbers)] = numbers
        self.used += len(numbers)

    def get(self, slot: int) -> np.ndarray:
        return self.pool[self.start[slot]:self.start[slot] + self.length[slot]]

    def gather(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row of each word, word numbers) of the runs of `slots`, in one array expression."""
        lengths = self.length[slots].astype(np.int64)
        total = int(lengths.sum())
        rows = np.repeat(np.arange(len(slots)), lengths)
        if not total:
            return rows, np.zeros(0, np.int32)
        ends = np.cumsum(lengths)
        offsets = np.arange(total) - np.repeat(ends - lengths, lengths)
        return rows, self.pool[np.repeat(self.start[slots], lengths) + offsets]

    def compact(self, keep: np.ndarray) -> None:
        """Keep the runs of slots `keep` (in that order) as slots 0..len(keep)-1, with a fresh pool."""
        rows, words = self.gather(keep)
        lengths = self.length[keep]
        self.start = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if len(keep) else \
            np.zeros(0, np.int64)
        self.length = lengths.copy()
        self.pool = np.concatenate([words, np.zeros(1024, np.int32)])
        self.used = len(words)


class PostingColumns:
    """The facts of every open posting, one array per fact, one row per slot."""

    def __init__(self, capacity: int = 1024):
        self.size = 0  # slots in use (live rows and tombstones)
        self.live = 0
        self.ids = np.zeros(capacity, np.int64)  # 0: a tombstone (posting ids start at 1)
        for name in _FLOATS:
            setattr(self, name, np.full(capacity, np.nan))
        for name in _BOOLS:
            setattr(self, name, np.zeros(capacity, bool))
        self.duplicate_of = np.zeros(capacity, np.int64)  # 0: none
        self.station = np.full(capacity, -1, np.int64)
        self.codes = np.full((capacity, 3, CODES), NO_CODE, np.int32)  # [slot, level (full, 7, 4), n]
        self.ncodes = np.zeros(capacity, np.int8)
        self.objects = {name: [None] * capacity for name in _OBJECTS}
        self.vocab = Vocabulary()  # skills, certificates and occupation codes (and their prefixes)
        self.skills = WordRuns(capacity)
        self.certificates = WordRuns(capacity)
        self._slot_of = np.full(1024, -1, np.int64)  # dense by posting id

    # ------------------------------------------------------------------ writes
    def _grow(self, need: int) -> None:
        capacity = len(self.ids)
        if need <= capacity:
            return
        new = max(need, 2 * capacity)
        extra = new - capacity
        self.ids = np.concatenate([self.ids, np.zeros(extra, np.int64)])
        for name in _FLOATS:
            setattr(self, name, np.concatenate([getattr(self, name), np.full(extra, np.nan)]))
        for name in _BOOLS:
            setattr(self, name, np.concatenate([getattr(self, name), np.zeros(extra, bool)]))
        self.duplicate_of = np.concatenate([self.duplicate_of, np.zeros(extra, np.int64)])
        self.station = np.concatenate([self.station, np.full(extra, -1, np.int64)])
        self.codes = np.concatenate([self.codes, np.full((extra, 3, CODES), NO_CODE, np.int32)])
        self.ncodes = np.concatenate([self.ncodes, np.zeros(extra, np.int8)])
        for column in self.objects.values():
            column.extend([None] * extra)
        self.skills.grow(new)
        self.certificates.grow(new)

    def slot(self, posting_id: int) -> int:
        if 0 <= posting_id < len(self._slot_of):
            return int(self._slot_of[posting_id])
        return -1

    def slots(self, ids: np.ndarray) -> np.ndarray:
        """The slot of each id (-1 for ids not held)."""
        ids = np.asarray(ids, np.int64)
        inside = (ids >= 0) & (ids < len(self._slot_of))
        return np.where(inside, self._slot_of[np.where(inside, ids, 0)], -1)

    def put(self, entry: PostingEntry) -> None:
        side = entry.side
        if not 0 < side.id < 2**40:
            raise ValueError(f"posting id out of range: {side.id}")
        slot = self.slot(side.id)
        if slot < 0:
            slot = self.size
            self._grow(slot + 1)
            self.size += 1
            self.live += 1
            if side.id >= len(self._slot_of):
                grow = max(side.id + 1, 2 * len(self._slot_of)) - len(self._slot_of)
                self._slot_of = np.concatenate([self._slot_of, np.full(grow, -1, np.int64)])
            self._slot_of[side.id] = slot
        self.ids[slot] = side.id
        point = side.point or (None, None)
        values = {"lat": point[0], "lon": point[1], "radius": side.radius_km, "education": side.education,
                  "experience": side.experience, "salary_low": side.salary_low, "salary_high": side.salary_high,
                  "offered": side.offered, "expires": entry.expires_ts}
        for name, value in values.items():
            getattr(self, name)[slot] = _nan(value)
        if entry.expires_ts is None:
            self.expires[slot] = np.inf
        self.approximate[slot], self.coarse[slot] = side.approximate_point, side.coarse_point
        self.accessible[slot], self.night[slot] = entry.accessible, side.night_work
        self.duplicate_of[slot] = entry.duplicate_of or 0
        self.station[slot] = -1 if entry.station_id is None else entry.station_id
        self.codes[slot] = NO_CODE
        for n, code in enumerate(side.occupations[:CODES]):
            self.codes[slot, :, n] = (self.vocab.add(code), self.vocab.add(code[:7]), self.vocab.add(code[:4]))
        self.ncodes[slot] = min(len(side.occupations), CODES)
        texts = {"title": side.title, "employer": entry.employer, "salary_text": entry.salary_text,
                 "occupation_name": side.occupation_name, "occupation_phrase": side.occupation_phrase,
                 "employment_type": entry.employment_type, "street_code": entry.street_code,
                 "salary_side_text": side.salary_text}
        for name, value in texts.items():
            self.objects[name][slot] = value
        self.skills.put(slot, [self.vocab.add(w) for w in side.skills])
        self.certificates.put(slot, [self.vocab.add(w) for w in side.certificates])

    def drop(self, posting_id: int) -> bool:
        slot = self.slot(posting_id)
        if slot < 0:
            return False
        self._slot_of[posting_id] = -1
        self.ids[slot] = 0
        for column in self.objects.values():
            column[slot] = None
        self.live -= 1
        if self.size - self.live > max(1024, self.live):
            self.compact()
        return True

    def compact(self) -> None:
        """Drop the tombstones: live rows move to slots 0..live-1 (in their order)."""
        keep = np.flatnonzero(self.ids[:self.size] != 0)
        self.ids = self.ids[keep]
        for name in _FLOATS + _BOOLS + ("duplicate_of", "station", "codes", "ncodes"):
            setattr(self, name, getattr(self, name)[keep])
        self.objects = {name: [column[i] for i in keep.tolist()] for name, column in self.objects.items()}
        self.skills.compact(keep)
        self.certificates.compact(keep)
        self.size = self.live = len(keep)
        self._slot_of[:] = -1
        self._slot_of[self.ids] = np.arange(len(keep))
        self._grow(max(1024, self.size))

    # ------------------------------------------------------------------ reads
    def point(self, slot: int) -> tuple[float, float] | None:
        lat = self.lat[slot]
        return None if lat != lat else (float(lat), float(self.lon[slot]))

    def words(self, runs: WordRuns, slot: int) -> frozenset[str]:
        return frozenset(self.vocab.words[n] for n in runs.get(slot).tolist())

    def entry_at(self, slot: int) -> PostingEntry:
        """The `PostingEntry` of one slot, made again from the columns (only for rows shown). Values
        are read with `ndarray.item` (a plain Python number, without a numpy scalar in between)."""
        objects, vocab = self.objects, self.vocab.words
        codes = tuple(vocab[n] for n in self.codes[slot, 0, :self.ncodes.item(slot)].tolist())
        education, experience, salary_low, salary_high = (
            None if value != value else value for value in (self.education.item(slot), self.experience.item(slot),
                                                            self.salary_low.item(slot), self.salary_high.item(slot)))
        lat = self.lat.item(slot)
        side = Side(
            id=self.ids.item(slot), skills=self._words_at(self.skills, slot),
            certificates=self._words_at(self.certificates, slot),
            education=None if education is None else int(education),
            experience=experience, salary_low=salary_low, salary_high=salary_high,
            occupations=codes, point=None if lat != lat else (lat, self.lon.item(slot)),
            approximate_point=self.approximate.item(slot), coarse_point=self.coarse.item(slot),
            radius_km=self.radius.item(slot), title=objects["title"][slot],
            occupation_name=objects["occupation_name"][slot], occupation_phrase=objects["occupation_phrase"][slot],
            salary_text=objects["salary_side_text"][slot], night_work=self.night.item(slot),
        )
        expires, station = self.expires.item(slot), self.station.item(slot)
        return PostingEntry(
            side=side, employer=objects["employer"][slot], expires_ts=None if expires == np.inf else expires,
            accessible=self.accessible.item(slot), employment_type=objects["employment_type"][slot],
            salary_text=objects["salary_text"][slot], street_code=objects["street_code"][slot],
            station_id=None if station < 0 else station, duplicate_of=self.duplicate_of.item(slot) or None,
        )

    def _words_at(self, runs: WordRuns, slot: int) -> frozenset[str]:
        """`words` for `entry_at`, with plain-number offsets."""
        start = runs.start.item(slot)
        return frozenset(map(self.vocab.words.__getitem__, runs.pool[start:start + runs.length.item(slot)].tolist()))

    def entries_at(self, slots) -> list[PostingEntry]:
        """`entry_at` for several slots at once (the rows shown): each column is read with one gather
        and `tolist` (plain Python numbers, as `ndarray.item` gives), the same entries value for value."""
        slots = np.asarray(slots, np.int64)
        if not len(slots):
            return []
        objects, vocab = self.objects, self.vocab.words
        rows = slots.tolist()
        ids, lat, lon, radius = (self.ids[slots].tolist(), self.lat[slots].tolist(), self.lon[slots].tolist(),
                                 self.radius[slots].tolist())
        education, experience, salary_low, salary_high = (
            [None if v != v else v for v in column[slots].tolist()]
            for column in (self.education, self.experience, self.salary_low, self.salary_high))
        expires = self.expires[slots].tolist()
        approximate, coarse, night, accessible = (self.approximate[slots].tolist(), self.coarse[slots].tolist(),
                                                  self.night[slots].tolist(), self.accessible[slots].tolist())
        station, duplicate_of, ncodes = (self.station[slots].tolist(), self.duplicate_of[slots].tolist(),
                                         self.ncodes[slots].tolist())
        codes = self.codes[slots, 0].tolist()
        skills, certificates = self._words_many(self.skills, slots), self._words_many(self.certificates, slots)
        titles, names, phrases, side_salary = (objects["title"], objects["occupation_name"],
                                               objects["occupation_phrase"], objects["salary_side_text"])
        employers, types, salary_texts, streets = (objects["employer"], objects["employment_type"],
                                                   objects["salary_text"], objects["street_code"])
        out = []
        for m, slot in enumerate(rows):
            la = lat[m]
            side = Side(
                id=ids[m], skills=skills[m], certificates=certificates[m],
                education=None if education[m] is None else int(education[m]), experience=experience[m],
                salary_low=salary_low[m], salary_high=salary_high[m],
                occupations=tuple(vocab[n] for n in codes[m][:ncodes[m]]),
                point=None if la != la else (la, lon[m]), approximate_point=approximate[m],
                coarse_point=coarse[m], radius_km=radius[m], title=titles[slot],
                occupation_name=names[slot], occupation_phrase=phrases[slot], salary_text=side_salary[slot],
                night_work=night[m],
            )
            out.append(PostingEntry(
                side=side, employer=employers[slot], expires_ts=None if expires[m] == np.inf else expires[m],
                accessible=accessible[m], employment_type=types[slot], salary_text=salary_texts[slot],
                street_code=streets[slot], station_id=None if station[m] < 0 else station[m],
                duplicate_of=duplicate_of[m] or None,
            ))
        return out

    def _words_many(self, runs: WordRuns, slots: np.ndarray) -> list[frozenset[str]]:
        """`_words_at` for several slots (each run's words in pool order, as `_words_at` reads them)."""
        words, pool = self.vocab.words, runs.pool
        return [frozenset(map(words.__getitem__, pool[start:start + length].tolist()))
                for start, length in zip(runs.start[slots].tolist(), runs.length[slots].tolist())]
