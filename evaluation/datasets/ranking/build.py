"""Build the ranking benchmark's files from the hand-written pools, and load them back.

    python -m evaluation.datasets.ranking.build      # rewrites postings.jsonl, resumes.jsonl, grades.csv, split.json

The grades come only from the judgements in `pool_resumes.py` (targets, lacks, day_only, overrides)
and the posting annotations in `pool_postings.py`; no method's output is read. The split is a fixed
seeded draw, stratified by stratum (easy / hard / none): half of each stratum to dev, the rest to test.
"""
from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPLIT_SEED = 20261130
STRATA = ("easy", "hard", "none")
SHIFT_EXCLUDED_BY_DAY_ONLY = ("night", "rotating")
POSTING_FIELDS = ("title", "employer", "street", "salary", "education", "employment_type", "description", "requirements")


@dataclass(frozen=True)
class Benchmark:
    postings: list[dict]          # {"id", "source", "occ", "shift", "licence", "posting": {PostingInput fields}}
    resumes: list[dict]           # {"id", "source", "stratum", "tags", "text", "nothing_suitable"}
    grades: dict[str, dict[str, int]]  # resume id -> posting id -> grade > 0
    split: dict[str, list[str]]   # "dev" / "test" -> resume ids

    def resumes_in(self, split: str | None) -> list[dict]:
        if split is None or split == "all":
            return list(self.resumes)
        wanted = set(self.split[split])
        return [r for r in self.resumes if r["id"] in wanted]


def posting_rows() -> list[dict]:
    from evaluation.datasets.ranking.pool_postings import P

    rows = []
    for pid, occ, shift, licence, employment, title, employer, street, salary, education, description, requirements in P:
        rows.append({
            "id": pid, "source": "hand-written", "occ": occ, "shift": shift, "licence": licence,
            "posting": {"title": title, "employer": employer, "street": street, "salary": salary,
                        "education": education, "employment_type": employment,
                        "description": description, "requirements": requirements},
        })
    return rows


def grade_pair(resume: dict, posting: dict) -> int:
    """The grade of one pair from the resume's judgements (rules in `pool_resumes.py`)."""
    targets = resume.get("targets", {})
    grade = targets.get(posting["id"], targets.get(posting["occ"], 0))
    if posting["licence"] and posting["licence"] in resume.get("lacks", ()):
        grade = min(grade, 1)
    if resume.get("day_only") and posting["shift"] in SHIFT_EXCLUDED_BY_DAY_ONLY:
        grade = min(grade, 1)
    return int(resume.get("overrides", {}).get(posting["id"], grade))


def make_grades(resumes: list[dict], postings: list[dict]) -> dict[str, dict[str, int]]:
    grades: dict[str, dict[str, int]] = {}
    for resume in resumes:
        row = {p["id"]: g for p in postings if (g := grade_pair(resume, p)) > 0}
        grades[resume["id"]] = row
    return grades


def make_split(resumes: list[dict], seed: int = SPLIT_SEED) -> dict[str, list[str]]:
    """Half of each stratum (rounded up; garbage apart from the rest of `none`) to dev, the rest to
    test; a fixed seeded shuffle."""
    rng = random.Random(seed)
    split = {"dev": [], "test": []}
    groups = [(stratum, garbage) for stratum in STRATA for garbage in (False, True)]
    for stratum, garbage in groups:  # out-of-field and garbage resumes are spread evenly too
        ids = sorted(r["id"] for r in resumes if r["stratum"] == stratum and ("garbage" in r["tags"]) == garbage)
        rng.shuffle(ids)
        half = (len(ids) + 1) // 2
        split["dev"] += ids[:half]
        split["test"] += ids[half:]
    return {name: sorted(ids) for name, ids in split.items()}


def build(out_dir: Path = HERE) -> Benchmark:
    from evaluation.datasets.ranking.pool_resumes import R

    postings = posting_rows()
    grades = make_grades(R, postings)
    resumes = []
    for r in R:
        nothing = not any(g >= 2 for g in grades[r["id"]].values())
        resumes.append({"id": r["id"], "source": "hand-written", "stratum": r["stratum"], "tags": r["tags"],
                        "text": r["text"], "nothing_suitable": nothing})
    split = make_split(resumes)
    with open(out_dir / "postings.jsonl", "w", encoding="utf-8") as fh:
        for row in postings:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out_dir / "resumes.jsonl", "w", encoding="utf-8") as fh:
        for row in resumes:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out_dir / "grades.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["resume_id", "posting_id", "grade"])
        for rid in sorted(grades):
            for pid in sorted(grades[rid]):
                writer.writerow([rid, pid, grades[rid][pid]])
    (out_dir / "split.json").write_text(json.dumps({"seed": SPLIT_SEED, **split}, ensure_ascii=False, indent=1) + "\n",
                                        encoding="utf-8")
    return Benchmark(postings, resumes, grades, split)


def load(data_dir: Path = HERE) -> Benchmark:
    """The committed benchmark files (not rebuilt)."""
    postings = [json.loads(line) for line in (data_dir / "postings.jsonl").read_text(encoding="utf-8").splitlines() if line]
    resumes = [json.loads(line) for line in (data_dir / "resumes.jsonl").read_text(encoding="utf-8").splitlines() if line]
    grades: dict[str, dict[str, int]] = {r["id"]: {} for r in resumes}
    with open(data_dir / "grades.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            grades.setdefault(row["resume_id"], {})[row["posting_id"]] = int(row["grade"])
    split_raw = json.loads((data_dir / "split.json").read_text(encoding="utf-8"))
    return Benchmark(postings, resumes, grades, {"dev": split_raw["dev"], "test": split_raw["test"]})


if __name__ == "__main__":
    bench = build()
    counts = {s: sum(1 for r in bench.resumes if r["stratum"] == s) for s in STRATA}
    pairs = sum(len(v) for v in bench.grades.values())
    print(f"{len(bench.postings)} postings, {len(bench.resumes)} resumes {counts}, {pairs} graded pairs; "
          f"dev {len(bench.split['dev'])}, test {len(bench.split['test'])}")
