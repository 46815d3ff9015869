"""Words about gender, age, ethnicity, hukou and marital status, removed before anything is ranked.

Ranking never uses these grounds (就业促进法 arts. 3, 26-31): resumes are neutralised before they are
embedded, coded or read for skills, in both directions (jobs for a seeker, seekers for a posting).
The list lives in `data/policy/protected_attributes.json`.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import data

POLICY_DIR = Path(data.__file__).resolve().parent / "policy"


class ProtectedAttributes:
    """Removes words about gender, age, ethnicity, hukou and marital status from a text."""

    def __init__(self, path: Path | None = None):
        doc = json.loads(Path(path or POLICY_DIR / "protected_attributes.json").read_text(encoding="utf-8"))
        self.version = int(doc["version"])
        self.replacement = doc.get("replacement", "")
        self.patterns = [(item["ground"], re.compile(item["pattern"])) for item in doc["patterns"]]
        self._separators = re.compile(r"(?:[，,、；;]\s*){2,}")

    def neutralise(self, text: str) -> str:
        for _ground, pattern in self.patterns:
            text = pattern.sub(self.replacement, text)
        text = self._separators.sub("，", text)
        return text.strip(" ，,、；;")

    def found(self, text: str) -> dict[str, list[str]]:
        """What would be removed, by ground (for audits and tests)."""
        out: dict[str, list[str]] = {}
        for ground, pattern in self.patterns:
            for match in pattern.finditer(text):
                out.setdefault(ground, []).append(match.group(0))
            text = pattern.sub(self.replacement, text)
        return out


@lru_cache(maxsize=1)
def protected_attributes() -> ProtectedAttributes:
    return ProtectedAttributes()


def neutralise(text: str) -> str:
    return protected_attributes().neutralise(text)
