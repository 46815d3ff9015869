"""Workbench import drafts, kept in the database (`import_drafts`) rather than one process's memory.

A counsellor uploads a file, sees its column mapping and every bad row (nothing written yet), confirms,
then watches the progress. Each step may reach a different server worker, or come after a restart: the
draft is a row with its owner, the station it was uploaded for and an expiry (`DRAFT_TTL`).

* Only the counsellor who uploaded a draft sees or confirms it, and only while the station is still
  one of theirs (otherwise: not found, the same words as for a draft that does not exist).
* A preview not confirmed in time expires; its file is removed at the next upload (or by `purge_expired`).
* Confirming is a compare-and-set (preview -> running), so two workers never run the same draft; the
  rows go in batches through the service's own upserts with the API's per-row access checks, and
  the progress is written after each batch so any worker can show it.
* The file (seeker files hold resumes) is cleared once the import has run.
"""
from __future__ import annotations

import os
import secrets
import socket
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, update

from data.importers import FIELD_LABELS, ImportFileError, map_columns, read_table
from data.job_tables import ImportDraft
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.errors import InvalidInput, NotFound
from matcher.ingest import mark_duplicates, validate_rows
from matcher.jobs import _alive, import_checks

DRAFT_TTL = timedelta(hours=1)
BATCH = 50
KINDS = {"postings": ("posting", "岗位"), "seekers": ("seeker", "求职者")}
MISSING = "找不到这次导入（预览已过期或不是你上传的），请重新上传"
EXPIRED = "这次导入的预览已过期（预览保留1小时），请重新上传文件"
INTERRUPTED = "服务在导入完成前停止；已写入的行再次导入不会重复，请重新上传文件"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def draft_public(row: ImportDraft) -> dict:
    return {"id": row.id, "kind": row.kind, "filename": row.filename, "state": row.state, "done": row.done,
            "ids": list(row.ids or []), "message": row.message, "total": row.good_rows,
            "total_rows": row.total_rows, "station_id": row.station_id,
            "expires_at": _aware(row.expires_at).isoformat()}


class ImportDrafts:
    """Workbench import drafts of one running `JobCircle`; the runs started here are tracked for `wait`."""

    def __init__(self, service):
        self.service = service
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._threads: dict[str, threading.Thread] = {}

    # ------------------------------------------------------------------ reading a file
    def _parse(self, principal: Principal, kind: str, raw: bytes, filename: str):
        """(inputs that may be written, row errors, mapping, unknown headers, total rows)."""
        try:
            frame = read_table(raw, filename)
        except ImportFileError as exc:
            raise InvalidInput(str(exc), field="file") from exc
        mapping, unknown = map_columns(frame.columns, kind)
        required = "title" if kind == "posting" else "resume_text"
        if required not in mapping.values():
            raise InvalidInput(f"缺少必需的列“{FIELD_LABELS[kind][required]}”；文件表头为：{'、'.join(map(str, frame.columns))}",
                               field="file")
        good, errors = validate_rows(frame, kind, mapping)
        # The API's per-row rules (station, who may update an existing record), as POST /imports does.
        check, _options = import_checks(self.service, kind, principal)
        header_of = {name: header for header, name in mapping.items()}
        refused = check([inp for _, inp in good])
        for position, name, reason in refused:
            column = header_of.get(name) or FIELD_LABELS[kind].get(name, name)
            errors.append({"row": good[position][0], "column": column, "reason": reason})
        dropped = {position for position, _, _ in refused}
        inputs = [inp for n, (_, inp) in enumerate(good) if n not in dropped]
        errors.sort(key=lambda error: error["row"])
        return inputs, errors, mapping, unknown, len(frame)

    # ------------------------------------------------------------------ preview
    def create(self, principal: Principal, kind_key: str, raw: bytes, filename: str) -> dict:
        """Check and store an uploaded file as a draft; returns what the preview page shows."""
        if kind_key not in KINDS:
            raise InvalidInput("导入类型应为 岗位 或 求职者", field="kind")
        access.can_import(principal, kind_key)  # the API's rule (POST /imports/{kind})
        kind = KINDS[kind_key][0]
        inputs, errors, mapping, unknown, total = self._parse(principal, kind, raw, filename)
        self.purge_expired()
        draft_id = secrets.token_urlsafe(12)
        station = min(principal.station_ids) if principal.station_ids else None
        with self.service.db.session() as session, session.begin():
            session.add(ImportDraft(id=draft_id, kind=kind, user_id=principal.user_id, station_id=station,
                                    filename=(filename or "")[:200], content=raw, total_rows=total,
                                    good_rows=len(inputs), state="preview", done=0, ids=[], message="",
                                    expires_at=_now() + DRAFT_TTL))
        labels = FIELD_LABELS[kind]
        return {"draft_id": draft_id, "kind_name": KINDS[kind_key][1], "filename": filename, "total": total,
                "mapping": [(header, labels.get(name, name)) for header, name in mapping.items()],
                "unknown": unknown, "row_errors": errors, "good": len(inputs),
                "bad_rows": len({e["row"] for e in errors})}

    def purge_expired(self) -> int:
        """Remove drafts past their expiry that are not running (with their files); returns how many."""
        with self.service.db.session() as session, session.begin():
            return session.execute(delete(ImportDraft).where(ImportDraft.expires_at < _now(),
                                                             ImportDraft.state != "running")).rowcount

    # ------------------------------------------------------------------ access
    def _owned(self, session, principal: Principal, draft_id: str) -> ImportDraft:
        row = session.get(ImportDraft, draft_id)
        if row is None or principal.user_id is None or row.user_id != principal.user_id:
            raise NotFound(MISSING)
        if not (principal.sees_all_stations or row.station_id is None or row.station_id in principal.station_ids):
            raise NotFound(MISSING)  # moved off the station since: the draft stays with the station
        if row.state == "preview" and _aware(row.expires_at) < _now():
            raise NotFound(EXPIRED)
        if row.state == "running" and row.worker and row.worker != self.worker:
            host, _, pid = row.worker.rpartition(":")
            if host == socket.gethostname() and not _alive(pid):  # its process stopped mid-import
                row.state, row.message, row.content = "failed", INTERRUPTED, None
        return row

    def get(self, principal: Principal, draft_id: str) -> dict:
        with self.service.db.session() as session, session.begin():
            return draft_public(self._owned(session, principal, draft_id))

    # ------------------------------------------------------------------ confirm and run
    def confirm(self, principal: Principal, draft_id: str, *, allow_partial: bool) -> dict:
        """Start writing the draft's rows (in this process); a draft already started is left as it is."""
        with self.service.db.session() as session:
            row = self._owned(session, principal, draft_id)
            if row.state != "preview":
                return draft_public(row)
            kind, raw, filename = row.kind, row.content, row.filename
        inputs, errors, _mapping, _unknown, total = self._parse(principal, kind, raw, filename)
        if errors and not allow_partial:
            raise InvalidInput("文件中有错误的行：请修改后重新上传，或勾选“只导入无误的行”", field="allow_partial")
        with self.service.db.session() as session, session.begin():
            taken = session.execute(update(ImportDraft).where(ImportDraft.id == draft_id, ImportDraft.state == "preview")
                                    .values(state="running", worker=self.worker, good_rows=len(inputs))).rowcount
        if not taken:  # another worker confirmed it first
            return self.get(principal, draft_id)
        thread = threading.Thread(target=self._run, args=(draft_id, kind, inputs, principal),
                                  name=f"import-{draft_id}", daemon=True)
        self._threads[draft_id] = thread
        thread.start()
        return self.get(principal, draft_id)

    def _progress(self, draft_id: str, **values) -> None:
        with self.service.db.session() as session, session.begin():
            session.execute(update(ImportDraft).where(ImportDraft.id == draft_id).values(**values))

    def _run(self, draft_id: str, kind: str, inputs: list, principal: Principal) -> None:
        service = self.service
        _check, options = import_checks(service, kind, principal)
        upsert = service.upsert_postings if kind == "posting" else service.upsert_seekers
        ids: list[int] = []
        try:
            for start in range(0, len(inputs), BATCH):
                ids += upsert(inputs[start:start + BATCH], **options)
                self._progress(draft_id, done=min(len(inputs), start + BATCH), ids=list(ids))
            if kind == "posting" and ids:
                mark_duplicates(service.db, ids)
                service.save_index()
            self._progress(draft_id, state="done", content=None)
        except Exception as exc:  # the page shows it; the rows written so far stay (upserts by external id)
            message = getattr(exc, "message", None) or "导入中断，请稍后重试；已写入的行再次导入不会重复"
            self._progress(draft_id, state="failed", message=message, content=None)

    def wait(self, draft_id: str, timeout: float | None = None) -> None:
        """Block until a run started by this process has ended (tests)."""
        thread = self._threads.get(draft_id)
        if thread is not None:
            thread.join(timeout)
