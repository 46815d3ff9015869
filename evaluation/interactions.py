"""Interaction logs: the CSV format a district uses to evaluate on its own history, and the service's own.

CSV format (UTF-8, with or without BOM; one event per line; header required):

    seeker_id,posting_id,event,time
    S0001,P0042,recommended,2025-03-01T09:30:00+08:00
    S0001,P0042,applied,2025-03-02 14:05
    S0001,P0042,interviewed,2025/03/06 10:00
    S0001,P0042,hired,2025-03-20

- `seeker_id`, `posting_id`: the district's own identifiers (any text without commas); the same
  ids as in the postings/seekers being evaluated (for the service's own export: database ids).
- `event`: `recommended` (shown to the seeker), `applied`, `interviewed`, `hired`; `rejected`
  (not hired after applying or interviewing) is also accepted because the service records it.
  The Chinese names 已推荐 / 已投递 / 已面试 / 已录用 / 未录用 are accepted too.
- `time`: ISO 8601 date or date-time (`2025-03-01`, `2025-03-01 14:05`, `2025-03-01T14:05:00+08:00`,
  `/` accepted as date separator). A time without a zone is taken as Beijing time (UTC+8).
Extra columns are ignored. Errors name the line and say what to fix, in Chinese.

Relevance from outcomes (`outcome_relevance`): hired 3, interviewed 2, applied 1 (the best event per
pair; `recommended` alone and `rejected` alone give no relevance: the seeker saw it and did not act).
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Mapping, Sequence

COLUMNS = ("seeker_id", "posting_id", "event", "time")
EVENTS = ("recommended", "applied", "interviewed", "hired", "rejected")
EVENT_NAMES = {"recommended": "已推荐", "applied": "已投递", "interviewed": "已面试", "hired": "已录用", "rejected": "未录用"}
EVENT_GRADES = {"applied": 1, "interviewed": 2, "hired": 3}
BEIJING = timezone(timedelta(hours=8))
_CHINESE_EVENTS = {name: key for key, name in EVENT_NAMES.items()}


class InteractionFormatError(ValueError):
    """A problem in an interaction CSV; the message is Chinese and names the line."""


@dataclass(frozen=True, order=True)
class Interaction:
    time: datetime  # timezone-aware; first field so that sorting is chronological
    seeker_id: str
    posting_id: str
    event: str


def parse_time(text: str) -> datetime:
    """An aware datetime from the accepted spellings; naive times are Beijing time. Raises ValueError."""
    value = text.strip().replace("/", "-")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=BEIJING)


def read_interactions(source: str | os.PathLike | io.TextIOBase) -> list[Interaction]:
    """Read and validate an interaction CSV (a path or an open text stream), sorted by time.

    Raises `InteractionFormatError` with every problem found (up to 20 lines listed).
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise InteractionFormatError(f"找不到互动记录文件：{path}")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse(handle)
    return _parse(source)


def _parse(handle) -> list[Interaction]:
    reader = csv.DictReader(handle)
    header = [h.strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    if not header:
        raise InteractionFormatError("文件为空：第1行应为表头 seeker_id,posting_id,event,time")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InteractionFormatError(
            f"表头缺少列：{'、'.join(missing)}。第1行应为 seeker_id,posting_id,event,time（实际为：{','.join(header)}）"
        )
    reader.fieldnames = header
    problems: list[str] = []
    out: list[Interaction] = []
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank line
        seeker, posting = (row.get("seeker_id") or "").strip(), (row.get("posting_id") or "").strip()
        event_raw, time_raw = (row.get("event") or "").strip(), (row.get("time") or "").strip()
        if not seeker:
            problems.append(f"第{line}行：求职者编号（seeker_id）为空")
        if not posting:
            problems.append(f"第{line}行：岗位编号（posting_id）为空")
        event = event_raw.lower() if event_raw.lower() in EVENTS else _CHINESE_EVENTS.get(event_raw)
        if event is None:
            allowed = "、".join(f"{key}（{name}）" for key, name in EVENT_NAMES.items())
            problems.append(f"第{line}行：无法识别事件“{event_raw}”，可填：{allowed}")
        when = None
        if not time_raw:
            problems.append(f"第{line}行：时间（time）为空，请填写如 2025-03-01 14:05 的日期时间")
        else:
            try:
                when = parse_time(time_raw)
            except ValueError:
                problems.append(f"第{line}行：时间“{time_raw}”格式不对，请用 2025-03-01、2025-03-01 14:05 "
                                f"或 2025-03-01T14:05:00+08:00 这样的写法")
        if seeker and posting and event and when is not None:
            out.append(Interaction(when, seeker, posting, event))
    if problems:
        shown = problems[:20]
        more = f"\n……另有 {len(problems) - 20} 处问题" if len(problems) > 20 else ""
        raise InteractionFormatError(f"互动记录有 {len(problems)} 处问题：\n" + "\n".join(shown) + more)
    out.sort()
    return out


def write_interactions(path: str | os.PathLike, interactions: Iterable[Interaction]) -> int:
    """Write interactions in the documented format; returns the number of rows written."""
    n = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for item in interactions:
            writer.writerow([item.seeker_id, item.posting_id, item.event, item.time.isoformat(timespec="seconds")])
            n += 1
    return n


def time_split(interactions: Sequence[Interaction], test_fraction: float = 0.3,
               cutoff: datetime | None = None) -> tuple[list[Interaction], list[Interaction], datetime]:
    """Split by time: everything before `cutoff` trains, the rest tests; returns (train, test, cutoff).

    Without `cutoff`, it is the time of the first event of the last `test_fraction` of events, so
    every training event is strictly earlier than every test event (events sharing that instant all
    go to test).
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction 应在 0 与 1 之间，实际为 {test_fraction}")
    ordered = sorted(interactions)
    if not ordered:
        raise InteractionFormatError("没有互动记录，无法按时间切分")
    if cutoff is None:
        cutoff = ordered[min(len(ordered) - 1, int(len(ordered) * (1.0 - test_fraction)))].time
    elif cutoff.tzinfo is None:
        cutoff = cutoff.replace(tzinfo=BEIJING)
    train = [i for i in ordered if i.time < cutoff]
    test = [i for i in ordered if i.time >= cutoff]
    return train, test, cutoff


def outcome_relevance(interactions: Iterable[Interaction]) -> dict[str, dict[str, int]]:
    """Graded relevance `{seeker: {posting: grade}}` from outcomes: hired 3, interviewed 2, applied 1."""
    out: dict[str, dict[str, int]] = {}
    for item in interactions:
        grade = EVENT_GRADES.get(item.event)
        if grade is None:
            continue
        seeker = out.setdefault(item.seeker_id, {})
        seeker[item.posting_id] = max(grade, seeker.get(item.posting_id, 0))
    return out


def window(interactions: Sequence[Interaction]) -> dict[str, str | int | None]:
    """First and last event time and the count: the data window a model card records."""
    if not interactions:
        return {"from": None, "to": None, "events": 0}
    ordered = sorted(interactions)
    return {"from": ordered[0].time.isoformat(timespec="seconds"),
            "to": ordered[-1].time.isoformat(timespec="seconds"), "events": len(ordered)}


def export_outcomes(database_url: str, path: str | os.PathLike) -> int:
    """Export the service's recorded outcomes (`match_outcomes`) to the CSV format; returns rows written.

    Ids are the database's seeker and posting ids. Stored times without a zone are UTC (the service
    writes UTC).
    """
    from sqlalchemy import select

    from data import db
    from data.schema import MatchOutcome

    engine = db.make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(MatchOutcome.seeker_id, MatchOutcome.posting_id, MatchOutcome.event, MatchOutcome.at)
                .order_by(MatchOutcome.at, MatchOutcome.id)
            ).all()
    finally:
        engine.dispose()
    items = [Interaction(at if at.tzinfo else at.replace(tzinfo=timezone.utc), str(s), str(p), event)
             for s, p, event, at in rows]
    return write_interactions(path, items)


def grades_by_int(relevance: Mapping[str, Mapping[str, int]]) -> dict[int, dict[int, int]]:
    """The same relevance with integer ids (for the service's own exports, whose ids are integers)."""
    return {int(s): {int(p): g for p, g in grades.items()} for s, grades in relevance.items()}
