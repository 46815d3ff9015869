"""Seeded synthetic postings and seekers with planted ground truth (SYNTHETIC: no real person or employer).

How the data are made
---------------------
Every posting and every seeker is drawn from one of the job families in `data.demo.CATEGORIES`
and, inside it, from one of the family's 细类 occupation codes of the 2022 national occupation
classification. That planted code drives the text: the posting's description is the occupation's
official definition and a sample of its duties (bundled reference table), and its title is the
official name or an alias of that code (60%) or a colloquial title of the family (40%, which blurs
the 细类 on purpose, as real titles do). A seeker's resume quotes one duty of the planted occupation,
and the desired role is likewise the official name/alias (50%) or a family title (50%). Skills and
certificates are sampled from the family's lists; education, experience and salary from its ranges.

Locations: seekers live in one of Hongkou's 8 街道 (jittered around the hand-placed street centres of
`data.reference.approximate_points()`); 75% of postings are in Hongkou, 25% in other districts of
Shanghai (jittered around the district's hand-placed centre), so reachability separates candidates.
15% of Hongkou postings give only their 街道 (the product places them approximately).

Graded relevance of posting p for seeker s (the planted truth, never read by any ranker):

    3  same 细类 code, at least one of the posting's listed skills in the seeker's skills, and
       reachable: door-to-door <= 45 min by `matcher.commute.MetroCommute` (walk / cycle / metro)
    2  same 细类 code (but no shared skill or too far)
    1  same 小类 (first three code levels) or same job family of `data.demo.CATEGORIES`
    0  otherwise (unjudged postings count as 0)

Seeker groups recorded for parity: priority group (the seeker's priority tag, or "none"),
街道 ("<code> <name>") and education level ("<level> <name>").
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Mapping

import numpy as np

from data import reference
from data.demo import CATEGORIES, HONGKOU, Category
from matcher.text.parsing import EDUCATION_LEVELS, parse_education
from data.schema import PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS

SYNTHETIC_NOTE = "合成评测数据：岗位与求职者均为程序生成，非真实单位与人员"
REACHABLE_MINUTES = 45.0
GRADE_NAMES = {3: "same 细类 + shared skill + reachable (<=45 min)", 2: "same 细类",
               1: "same 小类 or same job family", 0: "unrelated"}
NO_PRIORITY = "none"
OUTSIDE_SHARE = 0.25
STREET_ONLY_SHARE = 0.15
PRIORITY_SHARE = 0.35
SEEKER_EDUCATION = ("初中", "高中", "中专", "大专", "本科")
WORKPLACES = ("一家小公司", "社区服务单位", "连锁企业", "外区一家单位", "本区一家企业", "个体门店")
ATTITUDES = ("工作认真负责", "吃苦耐劳，服从安排", "沟通能力较好", "能适应倒班", "做事细心，有耐心")


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    definition: str
    tasks: tuple[str, ...]
    titles: tuple[str, ...]  # official name and Chinese aliases


@dataclass(frozen=True)
class SyntheticPosting:
    key: str  # external id, unique in the data set
    category: str
    code: str
    skills: frozenset[str]
    certificates: frozenset[str]
    education: int
    point: tuple[float, float]  # planted location (the street centre for street-only postings)
    district: str  # district code; HONGKOU or another
    row: dict  # raw station-style row for `PostingInput.model_validate`


@dataclass(frozen=True)
class SyntheticSeeker:
    key: str
    category: str
    code: str
    skills: frozenset[str]
    certificates: frozenset[str]
    education: int
    expected_salary: int
    point: tuple[float, float]
    street: str  # "<9-digit code> <街道 name>"
    priority: str  # a PRIORITY_GROUPS key or NO_PRIORITY
    row: dict  # raw registration row for `SeekerInput.model_validate`


@dataclass
class SyntheticDataset:
    postings: list[SyntheticPosting]
    seekers: list[SyntheticSeeker]
    seed: int
    note: str = SYNTHETIC_NOTE
    _relevance: dict | None = field(default=None, repr=False)

    def relevance(self, commute=None) -> dict[str, dict[str, int]]:
        """Graded relevance `{seeker key: {posting key: grade > 0}}` (see the module docstring)."""
        if self._relevance is None:
            self._relevance = planted_relevance(self.seekers, self.postings, commute)
        return self._relevance

    def groups(self) -> dict[str, dict[str, str]]:
        """Seeker groups for parity: `{"priority"|"street"|"education": {seeker key: group}}`."""
        return {
            "priority": {s.key: s.priority for s in self.seekers},
            "street": {s.key: s.street for s in self.seekers},
            "education": {s.key: f"{s.education} {EDUCATION_LEVELS[s.education]}" for s in self.seekers},
        }

    def popularity(self, seed: int = 0) -> dict[str, int]:
        """Simulated past applications per posting (for the most-popular baseline).

        Poisson with a rate that grows with the family's share of postings and the offered salary:
        popular families and better-paid jobs draw more applications, independent of any seeker here.
        """
        rng = np.random.default_rng([self.seed, seed, 7])
        weights = {c.key: c.weight for c in CATEGORIES}
        out = {}
        for p in self.postings:
            top = _salary_top(p.row.get("salary"))
            rate = 3.0 * weights[p.category] * (1.0 + (top or 6000) / 10000.0)
            out[p.key] = int(rng.poisson(rate))
        return out


# --------------------------------------------------------------------------------------------
# Reference lookups


def _clean_name(name: str) -> str:
    return re.sub(r"[SL]+$", "", str(name)).strip()


@lru_cache(maxsize=None)
def occupation(code: str) -> Occupation:
    table = reference.occupations()
    rows = table[table["code"] == code]
    if rows.empty:
        raise KeyError(f"occupation code {code} is not in the bundled classification")
    row = rows.iloc[0]
    name = _clean_name(row["name"])
    tasks = tuple(t.strip() for t in re.split(r"\s*\d+\.", str(row["tasks"] or "")) if t.strip())
    aliases = [a.strip() for a in str(row.get("alias") or "").split(",")]
    chinese = [a for a in aliases if re.search(r"[\u4e00-\u9fff]{2,}", a) and "/" not in a and len(a) <= 12]
    titles = tuple(dict.fromkeys([name] + [_clean_name(a) for a in chinese[:6]]))
    return Occupation(code, name, str(row["definition"] or ""), tasks, titles)


@lru_cache(maxsize=1)
@lru_cache(maxsize=None)
def known_codes(category_key: str) -> tuple[str, ...]:
    """The family's codes that exist in the bundled classification (a few demo codes do not)."""
    table_codes = set(reference.occupations()["code"])
    cat = next(c for c in CATEGORIES if c.key == category_key)
    return tuple(code for code in cat.codes if code in table_codes)


def _usable_categories() -> list[Category]:
    return [c for c in CATEGORIES if known_codes(c.key)]


@lru_cache(maxsize=1)
def _places() -> tuple[list[tuple[str, str, tuple[float, float]]], list[tuple[str, tuple[float, float]]]]:
    points = reference.approximate_points()
    streets = [(r.code, r.name, (float(r.lat_wgs84), float(r.lon_wgs84)))
               for r in points.itertuples() if r.kind == "street" and str(r.code).startswith(HONGKOU)]
    districts = [(str(r.code), (float(r.lat_wgs84), float(r.lon_wgs84)))
                 for r in points.itertuples() if r.kind == "district" and str(r.code) != HONGKOU]
    return streets, districts


def _jitter(rng: random.Random, centre: tuple[float, float], spread: float) -> tuple[float, float]:
    return round(centre[0] + rng.uniform(-spread, spread), 6), round(centre[1] + rng.uniform(-spread, spread), 6)


def _salary_top(text: str | None) -> int | None:
    numbers = re.findall(r"\d+", text or "")
    return int(numbers[-1]) if numbers and "元/月" in (text or "") else None


# --------------------------------------------------------------------------------------------
# Generators


def iter_postings(n: int, seed: int = 11, *, start: int = 0) -> Iterator[SyntheticPosting]:
    """`n` postings, lazily (1M postings are fine); the same seed gives the same postings."""
    rng = random.Random(seed)
    streets, districts = _places()
    categories = _usable_categories()
    weights = [c.weight for c in categories]
    for i in range(start, start + n):
        cat: Category = rng.choices(categories, weights)[0]
        occ = occupation(rng.choice(known_codes(cat.key)))
        title = rng.choice(occ.titles) if rng.random() < 0.6 else rng.choice(cat.titles)
        skills = rng.sample(cat.skills, k=min(len(cat.skills), rng.randint(1, 3)))
        certs = list(cat.certificates[: rng.randint(0, len(cat.certificates))])
        education_text = rng.choice(cat.education)
        experience_text = rng.choice(cat.experience)
        duties = "；".join(rng.sample(occ.tasks, k=min(3, len(occ.tasks)))) if occ.tasks else occ.definition
        lines = [f"{education_text}学历" if education_text != "学历不限" else "学历不限",
                 f"{experience_text}相关工作经验" if experience_text != "经验不限" else "经验不限，可接受新人培训",
                 f"熟悉{'、'.join(skills)}"]
        if certs:
            lines.append(f"持有{'、'.join(certs)}")
        base = rng.randrange(cat.salary[0], cat.salary[1], 500)
        salary = "面议" if rng.random() < 0.1 else f"{base}-{base + rng.choice([500, 1000, 2000, 3000])}元/月"
        row = {
            "external_id": f"SYN-P{i + 1:07d}",
            "title": title,
            "employer": f"合成评测单位{rng.randint(1, max(50, n // 20)):05d}（合成）",
            "description": f"{occ.definition}主要工作：{duties}。",
            "requirements": "\n".join(f"{k}. {line}" for k, line in enumerate(lines, 1)),
            "skills": skills,
            "salary": salary,
            "education": education_text,
            "experience": experience_text,
            "employment_type": "全职",
            "headcount": rng.randint(1, 5),
        }
        if rng.random() < OUTSIDE_SHARE:
            district, centre = rng.choice(districts)
            point = _jitter(rng, centre, 0.02)
            row["lat"], row["lon"] = point
        else:
            code, name, centre = rng.choice(streets)
            district = HONGKOU
            if rng.random() < STREET_ONLY_SHARE:
                point = centre
                row["street"] = name
            else:
                point = _jitter(rng, centre, 0.006)
                row["lat"], row["lon"] = point
        yield SyntheticPosting(
            key=row["external_id"], category=cat.key, code=occ.code, skills=frozenset(skills),
            certificates=frozenset(certs), education=parse_education(education_text) or 0,
            point=point, district=district, row=row,
        )


def iter_seekers(n: int, seed: int = 13) -> Iterator[SyntheticSeeker]:
    """`n` seekers living in Hongkou, each with a planted target occupation."""
    rng = random.Random(seed)
    streets, _ = _places()
    priority_keys = sorted(PRIORITY_GROUPS)
    categories = _usable_categories()
    for i in range(n):
        cat: Category = rng.choice(categories)
        occ = occupation(rng.choice(known_codes(cat.key)))
        role = rng.choice(occ.titles) if rng.random() < 0.5 else rng.choice(cat.titles)
        years = rng.choice([0, 0, 1, 2, 3, 5, 8])
        skills = rng.sample(cat.skills, k=min(len(cat.skills), rng.randint(1, 3)))
        certs = list(cat.certificates[: rng.randint(0, len(cat.certificates))])
        education_text = rng.choice(("大专", "本科") if cat.key in {"it", "design"} else SEEKER_EDUCATION)
        priority = rng.choice(priority_keys) if rng.random() < PRIORITY_SHARE else NO_PRIORITY
        # No sentence is copied from the classification: postings quote it, and a resume that did
        # too would hand lexical baselines a planted overlap real resumes do not have.
        past = (f"曾在{rng.choice(WORKPLACES)}做{role}{years}年，{rng.choice(ATTITUDES)}。" if years
                else f"{education_text}毕业，希望从事{role}工作，愿意参加岗前培训。")
        resume = (f"{education_text}学历，{years}年工作经验。{past}掌握{'、'.join(skills)}。"
                  + (f"持有{'、'.join(certs)}。" if certs else ""))
        expected = int(rng.randrange(cat.salary[0], cat.salary[1], 500) * rng.uniform(0.85, 1.05) // 100 * 100)
        street_code, street_name, centre = rng.choice(streets)
        street = f"{street_code} {street_name}"
        point = _jitter(rng, centre, 0.006)
        row = {
            "external_id": f"SYN-S{i + 1:06d}",
            "resume_text": resume,
            "desired_roles": [role],
            "education": education_text,
            "experience_years": years,
            "expected_salary": expected,
            "max_commute_minutes": rng.choice([None, 45, 60]),
            "priority_tags": [] if priority == NO_PRIORITY else [priority],
            "consent": True,
            "sensitive_consent": priority in SENSITIVE_PRIORITY_GROUPS,
            "lat": point[0],
            "lon": point[1],
        }
        yield SyntheticSeeker(
            key=row["external_id"], category=cat.key, code=occ.code, skills=frozenset(skills),
            certificates=frozenset(certs), education=parse_education(education_text) or 0,
            expected_salary=expected, point=point, street=street, priority=priority, row=row,
        )


def make_dataset(n_postings: int, n_seekers: int, seed: int = 0) -> SyntheticDataset:
    """A seeded data set; postings and seekers use independent streams derived from `seed`."""
    return SyntheticDataset(
        postings=list(iter_postings(n_postings, seed=seed * 1000 + 11)),
        seekers=list(iter_seekers(n_seekers, seed=seed * 1000 + 13)),
        seed=seed,
    )


# --------------------------------------------------------------------------------------------
# Planted relevance


def _family(code: str) -> str:
    return code[:7]  # 小类: the first three levels, e.g. 4-10-01


def planted_relevance(seekers, postings, commute=None,
                      reachable_minutes: float = REACHABLE_MINUTES) -> dict[str, dict[str, int]]:
    """Graded relevance of every posting for every seeker; only grades > 0 are stored."""
    if commute is None:
        from matcher.geo.commute import MetroCommute

        commute = MetroCommute()
    by_category: dict[str, list[int]] = {}
    by_family: dict[str, list[int]] = {}
    for n, p in enumerate(postings):
        by_category.setdefault(p.category, []).append(n)
        by_family.setdefault(_family(p.code), []).append(n)
    out: dict[str, dict[str, int]] = {}
    for s in seekers:
        candidates = sorted(set(by_category.get(s.category, ())) | set(by_family.get(_family(s.code), ())))
        grades: dict[str, int] = {}
        same_code = [n for n in candidates if postings[n].code == s.code and postings[n].skills & s.skills]
        minutes = {}
        if same_code:
            dests = np.asarray([postings[n].point for n in same_code], dtype=float)
            est, _ = commute.estimate_many(s.point, dests)
            minutes = dict(zip(same_code, est))
        for n in candidates:
            p = postings[n]
            if p.code == s.code:
                grades[p.key] = 3 if minutes.get(n, np.inf) <= reachable_minutes else 2
            else:
                grades[p.key] = 1
        out[s.key] = grades
    return out


def grade_counts(relevance: Mapping[str, Mapping[str, int]]) -> dict[int, float]:
    """Mean number of postings per seeker at each grade 1..3 (a sanity figure for reports)."""
    counts = {g: 0 for g in (1, 2, 3)}
    for grades in relevance.values():
        for grade in grades.values():
            counts[grade] += 1
    n = max(1, len(relevance))
    return {g: round(c / n, 2) for g, c in counts.items()}
