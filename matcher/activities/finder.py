"""The interview report's `TrainingFinder`: a certificate the seeker lacks -> real upcoming trainings.

`matcher.interview.report.session_report` lists training needs ({"requirement_id", "requirement",
"kind", "reason"}); this finder names, for each need that is a certificate in the vocabulary, the
soonest trainings granting it whose registration is open (never one that has closed, started or is
full), with the date and whether it is subsidised. Needs that no stored training grants get nothing,
so the report keeps its general advice for them. No seeker location is known here: trainings are
listed soonest first, not nearest.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select

from data.activity_tables import Training
from matcher.activities import common
from matcher.activities.trainings import certificate_parts, training_public

PER_NEED = 2


def _money(item: dict) -> str:
    if item["subsidised"]:
        return "补贴性培训"
    if item["fee"] == 0:
        return "免费培训"
    return f"费用{item['fee']:g}元" if item["fee"] else "费用请咨询培训机构"


def find_trainings(db, needs: list[dict[str, str]], *, now: datetime | None = None,
                   per_need: int = PER_NEED) -> list[dict[str, Any]]:
    now = now or common.utc_now()
    wanted: dict[str, list[dict]] = {}
    for need in needs:
        name, _level = certificate_parts(need.get("requirement"))
        if name and (need.get("kind") == "certificate" or need.get("kind") == "skill"):
            wanted.setdefault(name, []).append(need)
    if not wanted:
        return []
    with db.session() as session:
        rows = session.scalars(select(Training).where(Training.certificate_canonical.in_(list(wanted)),
                                                      Training.status == "open")
                               .order_by(Training.start_date, Training.id)).all()
        items = [training_public(row, now) for row in rows]
    out = []
    for name, group in wanted.items():
        found = [t for t in items if t["certificate_canonical"] == name and t["registration_open"]][:per_need]
        for need in group:
            for t in found:
                start = datetime.fromisoformat(t["start_date"]).date() if t["start_date"] else None
                when = f"{common.cn_date(start)}开班" if start else "开班时间待定"
                out.append({
                    "requirement_id": need.get("requirement_id"), "requirement": need.get("requirement"),
                    "certificate": name, "training_id": t["id"], "title": t["title"], "provider": t["provider"],
                    "start_date": t["start_date"], "when": when, "subsidised": t["subsidised"], "fee": t["fee"],
                    "seats_left": t["seats_left"], "state": t["state"],
                    "message": f"{t['title']}（{t['provider']}）：{when}，{_money(t)}，可考取{t['certificate'] or name}",
                })
    return out


def training_finder(db) -> Callable[[list[dict[str, str]]], list[dict[str, Any]]]:
    """A `matcher.interview.report.TrainingFinder` over the trainings stored in `db`."""
    return lambda needs: find_trainings(db, needs)
