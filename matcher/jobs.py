"""HTTP imports run as background jobs (issue 12, item 6): the request stores the file and returns a
job id at once; a worker thread of the same process runs `matcher.ingest.import_file` and stores its
per-row report in `import_jobs`, where `GET /imports/jobs/{id}` reads it (from any process).

Jobs run one at a time per process, so an import never competes with itself for the database's
write lock; requests keep being answered meanwhile (the event loop never waits for an import). A job
whose process stopped before it finished is marked failed at the next start on that host, with a
Chinese note asking for the file again. The CLI import stays synchronous (`cli.main import`).
"""
from __future__ import annotations

import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from sqlalchemy import select

from data.importers import FIELD_LABELS, ImportFileError, map_columns, read_table
from data.job_tables import JOB_STATUSES, ImportJob
from matcher.counsellor import access
from matcher.counsellor.access import Principal
from matcher.errors import InvalidInput, JobCircleError, NotFound

log = logging.getLogger("jobcircle")
KINDS = {"postings": "posting", "seekers": "seeker"}
REQUIRED = {"posting": "title", "seeker": "resume_text"}
INTERRUPTED = "服务在导入完成前停止，本次导入未生效或未完成，请重新上传文件"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


def check_file(kind: str, raw: bytes, filename: str | None) -> int:
    """Refuse at once a file that cannot be imported at all (format, missing required column); returns
    its number of rows. Row-level problems are left to the job's report."""
    try:
        frame = read_table(raw, filename)
    except ImportFileError as exc:
        raise InvalidInput(str(exc), field="file") from exc
    mapping, _ = map_columns(frame.columns, kind)
    required = REQUIRED[kind]
    if required not in mapping.values():
        label = FIELD_LABELS[kind][required]
        raise InvalidInput(f"缺少必需的列“{label}”（可识别的表头见说明文档）；文件表头为：{'、'.join(map(str, frame.columns))}",
                           field="file")
    return len(frame)


def import_checks(service, kind: str, principal: Principal):
    """`(check, upsert_options)` for `matcher.ingest.import_file` on behalf of `principal`: each row's
    服务站点编号 must be one of theirs, a row's external id (or ID number) may only update a record they
    may edit, and 同意授权=否 only withdraws a registered seeker's consent (reported per row)."""
    writer = service.parts.posting_writer if kind == "posting" else service.parts.seeker_writer
    guard = access.upsert_guard(principal, kind)
    row_check = access.import_row_guard(principal)

    def check(inputs):
        refused = []
        for n, inp in enumerate(inputs):
            try:
                row_check(inp)
            except JobCircleError as exc:
                refused.append((n, "station_id", str(exc)))
        taken = {n for n, _, _ in refused}
        rest = [n for n in range(len(inputs)) if n not in taken]
        for position, reason in writer.problems([inputs[n] for n in rest], guard):
            refused.append((rest[position], "external_id", reason))
        return refused

    options = {"guard": guard}
    if kind == "seeker":  # 同意授权=否 withdraws consent; the access log says who did it
        options["log"] = lambda s, seeker_id, action, reason: access.log_access(s, principal, seeker_id, action, reason)
    return check, options


def job_public(job: ImportJob) -> dict:
    return {
        "job_id": job.id, "kind": "postings" if job.kind == "posting" else "seekers", "status": job.status,
        "status_name": JOB_STATUSES.get(job.status, job.status), "filename": job.filename,
        "allow_partial": bool(job.allow_partial), "total_rows": job.total_rows,
        "created_at": _iso(job.created_at), "started_at": _iso(job.started_at), "finished_at": _iso(job.finished_at),
        "report": job.report, "error": job.error, "status_url": f"/imports/jobs/{job.id}",
    }


class ImportJobs:
    """Accepts import files and runs them in the background for one running `JobCircle`."""

    def __init__(self, service, *, desk=None):
        self.service = service
        self.desk = desk
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobcircle-import")
        self._futures: dict[int, object] = {}

    def start(self) -> "ImportJobs":
        self._fail_orphans()
        return self

    def stop(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _fail_orphans(self) -> None:
        """Jobs left unfinished by an earlier process on this host (it stopped or crashed)."""
        host = socket.gethostname()
        with self.service.db.session() as session, session.begin():
            for job in session.scalars(select(ImportJob).where(ImportJob.status.in_(("queued", "running")))):
                owner = job.worker or ""
                if owner.startswith(host + ":") and not _alive(owner.rsplit(":", 1)[-1]):
                    job.status, job.error, job.content, job.finished_at = "failed", INTERRUPTED, None, _now()

    # ------------------------------------------------------------------ submit and read
    def submit(self, principal: Principal, kind: str, raw: bytes, filename: str | None, allow_partial: bool) -> dict:
        """Store the file as a queued job and start it; the caller answers 202 with the returned view."""
        kind = KINDS[kind]
        total = check_file(kind, raw, filename)
        with self.service.db.session() as session, session.begin():
            job = ImportJob(kind=kind, status="queued", user_id=principal.user_id,
                            station_ids=sorted(principal.station_ids), filename=(filename or "")[:200] or None,
                            allow_partial=allow_partial, content=raw, worker=self.worker, total_rows=total)
            session.add(job)
            session.flush()
            view = job_public(job)
        self._futures[view["job_id"]] = self._pool.submit(self._run, view["job_id"], principal)
        return view

    def get(self, principal: Principal, job_id: int) -> dict:
        """A job's state and report: only for the one who sent it, or an admin (others: not found)."""
        with self.service.db.session() as session:
            job = session.get(ImportJob, job_id)
            if job is None or not (principal.is_admin or (job.user_id is not None and job.user_id == principal.user_id)
                                   or (principal.user_id is None and job.user_id is None)):
                raise NotFound(f"导入任务 {job_id} 不存在")
            return job_public(job)

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until a job submitted by this process has run (tests and the CLI)."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    # ------------------------------------------------------------------ the worker
    def _run(self, job_id: int, principal: Principal) -> None:
        from matcher.ingest import import_file  # ingest imports the service side; keep module import light

        with self.service.db.session() as session, session.begin():
            job = session.get(ImportJob, job_id)
            job.status, job.started_at = "running", _now()
            kind, raw, filename, allow_partial = job.kind, job.content, job.filename, job.allow_partial
        status, report, error = "failed", None, None
        try:
            check, options = import_checks(self.service, kind, principal)
            result = import_file(self.service, kind, raw, filename=filename, allow_partial=allow_partial,
                                 check=check, upsert_options=options)
            status, report = "done", result.to_dict()
        except JobCircleError as exc:
            error = str(exc)
        except Exception:  # noqa: BLE001 - a job never dies silently; the log has the trace, not the data
            log.exception("import job %s failed", job_id)
            error = "导入时发生内部错误，未导入任何数据，请稍后重试或联系管理员"
        with self.service.db.session() as session, session.begin():
            job = session.get(ImportJob, job_id)
            job.status, job.report, job.error, job.finished_at = status, report, error, _now()
            job.content = None  # the uploaded file (possibly resumes) is not kept once it has run
        if kind == "seeker" and self.desk is not None and self.service.parts.seekers.index is not None:
            self.service.parts.seekers.refresh(force=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
