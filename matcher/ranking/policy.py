"""The district's priority-group policy: a bonus per group, shown apart from the fit score.

Read from `data/policy/priority_policy.json` (or `settings.priority_policy_path`). Sensitive groups
count only with the seeker's separate consent, disabled people only on accessible postings; the
total is capped at `max_total`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import data
from data.schema import PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS

POLICY_DIR = Path(data.__file__).resolve().parent / "policy"


@dataclass(frozen=True)
class PolicyGroup:
    key: str
    bonus: float
    wording: str
    basis: str
    sensitive: bool
    accessible_only: bool


class PriorityPolicy:
    """The district's policy bonus per priority group, read from a JSON file."""

    def __init__(self, district_code: str, path: Path | None = None):
        doc = json.loads(Path(path or POLICY_DIR / "priority_policy.json").read_text(encoding="utf-8"))
        district = doc["districts"].get(district_code)
        self.district_code = district_code
        self.district_name = district["name"] if district else None
        self.max_total = float(doc.get("max_total", 1.0))
        self.groups: dict[str, PolicyGroup] = {}
        for key, item in (district or {}).get("groups", {}).items():
            if key not in PRIORITY_GROUPS:
                raise ValueError(f"priority policy names an unknown group {key!r}")
            self.groups[key] = PolicyGroup(
                key=key, bonus=float(item["bonus"]), wording=item["wording"], basis=item["basis"],
                # A group the schema marks sensitive stays sensitive whatever the file says.
                sensitive=bool(item.get("sensitive")) or key in SENSITIVE_PRIORITY_GROUPS,
                accessible_only=bool(item.get("accessible_only")),
            )

    def component(self, tags, sensitive_consent: bool, posting_accessible: bool) -> tuple[float, list[dict]]:
        """(policy score, the groups that earned it with wording and basis); capped at `max_total`."""
        reasons = []
        for tag in sorted(set(tags or ())):
            group = self.groups.get(tag)
            if group is None or group.bonus <= 0:
                continue
            if group.sensitive and not sensitive_consent:
                continue  # sensitive information is not used for anything without its own consent
            if group.accessible_only and not posting_accessible:
                continue
            reasons.append({"group": tag, "name": PRIORITY_GROUPS[tag], "wording": group.wording,
                            "bonus": group.bonus, "basis": group.basis})
        total = round(float(min(self.max_total, sum(r["bonus"] for r in reasons))), 4)
        return total, reasons
