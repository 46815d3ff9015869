"""Subsidy eligibility as data: `data/policy/subsidy_rules.json` (versioned, with its source text).

The answer is "likely eligible, and why" or "not eligible, and why", for the counsellor to confirm;
the bundled rules are ILLUSTRATIVE until a district supplies its own file. Facts the record does not
hold (age, registration status when unknown) are asked for, never guessed: an unknown fact makes the
answer "needs checking" (需核实), never "eligible".
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from data.activity_tables import Registration, Training
from data.schema import PRIORITY_GROUPS, SENSITIVE_PRIORITY_GROUPS, Seeker
from matcher.activities import common
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.errors import InvalidInput, NotFound

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "policy" / "subsidy_rules.json"
VERDICTS = {"likely_eligible": "可能符合补贴条件", "not_eligible": "不符合补贴条件", "needs_check": "需核实"}


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> dict:
    data = json.loads(Path(path or RULES_FILE).read_text(encoding="utf-8"))
    for key in ("version", "illustrative", "source_text", "rules"):
        if key not in data:
            raise ValueError(f"补贴规则文件缺少 {key}")
    return data


def _trained_this_year(session, seeker_id: int, year: int, exclude: int | None) -> int:
    start = datetime(year, 1, 1, tzinfo=common.SHANGHAI)
    query = (select(func.count(Registration.id)).join(Training, Training.id == Registration.training_id)
             .where(Registration.seeker_id == seeker_id, Registration.status == "registered",
                    Training.subsidised.is_(True), Registration.created_at >= start))
    if exclude is not None:
        query = query.where(Training.id != exclude)
    return int(session.scalar(query) or 0)


def check(service, principal: Principal, seeker_id: int, training_id: int | None = None, *, age: int | None = None,
          registered_unemployed: bool | None = None, now: datetime | None = None, rules: dict | None = None) -> dict:
    """Evaluate the rules for one seeker (and optionally one training). Every reason is a Chinese sentence."""
    now = now or common.utc_now()
    rules = rules or load_rules()
    if age is not None and not 14 <= age <= 100:
        raise InvalidInput("年龄应在 14 到 100 之间", field="age")
    with service.db.session() as session:
        seeker = access.can_read_seeker(principal, session.get(Seeker, seeker_id), seeker_id)
        training = None
        if training_id is not None:
            training = session.get(Training, training_id)
            if training is None:
                raise NotFound(f"培训 {training_id} 不存在")
        trained = _trained_this_year(session, seeker_id, common.local_date(now).year, training_id)
        tags = [t for t in (seeker.priority_tags or [])
                if t not in SENSITIVE_PRIORITY_GROUPS or seeker.sensitive_consent]
        unemployed = registered_unemployed if registered_unemployed is not None else (
            True if seeker.unemployed_since is not None else None)
    met, failed, unknown = [], [], []
    for rule in rules["rules"]:
        kind = rule["kind"]
        if kind == "priority_group":
            groups = [g for g in tags if g in rule["groups"]]
            if groups:
                met.append(rule["met"].format(groups="、".join(PRIORITY_GROUPS.get(g, g) for g in groups)))
            elif rule.get("required", True):
                failed.append(rule["failed"])
        elif kind == "registration_status":
            if unemployed is True:
                met.append(rule["met"])
            elif unemployed is None:
                unknown.append(rule["unknown"])
            else:
                failed.append(rule["failed"])
        elif kind == "age_band":
            if age is None:
                unknown.append(rule["unknown"].format(min=rule["min"], max=rule["max"]))
            elif rule["min"] <= age <= rule["max"]:
                met.append(rule["met"].format(age=age, min=rule["min"], max=rule["max"]))
            else:
                failed.append(rule["failed"].format(age=age, min=rule["min"], max=rule["max"]))
        elif kind == "trained_this_year":
            if trained >= rule["max_per_year"]:
                failed.append(rule["failed"].format(count=trained, max=rule["max_per_year"]))
            else:
                met.append(rule["met"].format(count=trained, max=rule["max_per_year"]))
        else:
            raise ValueError(f"未知的补贴规则类型：{kind}")
    if training is not None and not training.subsidised:
        failed.insert(0, "该培训未标注为补贴性培训，不适用培训补贴")
    verdict = "not_eligible" if failed else ("needs_check" if unknown else "likely_eligible")
    return {
        "seeker_id": seeker_id, "training_id": training_id, "verdict": verdict, "verdict_name": VERDICTS[verdict],
        "reasons_met": met, "reasons_failed": failed, "to_check": unknown,
        "published_eligibility": training.eligibility_text if training is not None else None,
        "rules_version": rules["version"], "illustrative": bool(rules["illustrative"]),
        "source": rules["source_text"],
        "note": ("以上为按示例规则的初步判断，" if rules["illustrative"] else "以上为按规则的初步判断，")
                + "须由就业援助员核实证件与登记信息后确认，不是最终审批结果。",
    }
