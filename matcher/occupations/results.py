"""What the occupation coder returns, and the one wording explanations use for it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

CONFIDENT = 0.5  # default threshold on the calibrated confidence; the fitted one is in the ranker file


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
    confident: bool = False  # confidence >= threshold: only then is the top 细类 stated as the answer
    threshold: float = CONFIDENT

    @property
    def code(self) -> str | None:
        """The 细类 code when confident, else None (the coder abstains; see `candidates`)."""
        best = self.best_detailed
        return best.code if self.confident and best is not None else None

    def phrase(self) -> str:
        """Chinese wording for explanations: flat only when confident."""
        return describe([{"name": c.name, "level": c.level} for c in self.candidates], self.confident)

    def stored(self, k: int = 3) -> list[dict]:
        """What a posting or seeker keeps: the top-k candidates, each with the title's confidence and
        whether the coder was confident (readers must not state an unconfident code flatly)."""
        return [{"code": c.code, "name": c.name, "score": round(float(c.score), 3), "level": c.level,
                 "confidence": round(float(self.confidence), 3), "confident": self.confident}
                for c in self.candidates[:k]]

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
            "confident": self.confident,
            "threshold": round(float(self.threshold), 4),
            "phrase": self.phrase(),
        }


def describe(candidates: Sequence[dict], confident: bool | None = None) -> str | None:
    """'岗位属于“保安员”' when confident, else '可能是：保安员、门卫（置信度低）'; None without candidates.

    Takes stored candidate dicts (`name`, `level`, optionally `confident`), so explanations can be
    written from what a posting keeps in the database.
    """
    if not candidates:
        return None
    if confident is None:
        confident = bool(candidates[0].get("confident", False))
    detailed = [c["name"] for c in candidates if c.get("level", 4) == 4] or [candidates[0]["name"]]
    if confident:
        return f"岗位属于“{detailed[0]}”"
    return "可能是：" + "、".join(dict.fromkeys(detailed[:3])) + "（置信度低）"
