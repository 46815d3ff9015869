"""Import on the workbench: upload, see the column mapping and every bad row before anything is
written, confirm, then watch the progress (the page refreshes itself; no script needed).

Validation is `matcher.ingest`'s (the same as `POST /imports/{kind}`); writing goes through the
service's own upserts in batches so progress can be shown for long files.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from fastapi import APIRouter, Request, UploadFile

from api.web.common import WebRoute, form_of, redirect, render, service_of, signed_in
from data.importers import FIELD_LABELS, ImportFileError, map_columns, read_table
from matcher.counsellor import access
from matcher.errors import InvalidInput, NotFound
from matcher.ingest import validate_rows

router = APIRouter(prefix="/workbench/import", route_class=WebRoute, include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024
BATCH = 50
DRAFT_TTL_S = 3600
KINDS = {"postings": ("posting", "岗位"), "seekers": ("seeker", "求职者")}


@dataclass
class Draft:
    user_id: int | None
    kind: str
    filename: str
    inputs: list
    total_rows: int
    created: float = field(default_factory=time.monotonic)
    state: str = "preview"  # preview | running | done | failed
    done: int = 0
    ids: list[int] = field(default_factory=list)
    message: str = ""


def _drafts(request: Request) -> dict[str, Draft]:
    drafts = getattr(request.app.state, "import_drafts", None)
    if drafts is None:
        drafts = request.app.state.import_drafts = {}
    now = time.monotonic()
    for key in [k for k, d in drafts.items() if now - d.created > DRAFT_TTL_S and d.state != "running"]:
        drafts.pop(key, None)
    return drafts


def _check_kind(principal, kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput("导入类型应为 岗位 或 求职者", field="kind")
    access.can_import(principal, kind)  # the API's rule (POST /imports/{kind})
    return KINDS[kind][0]


@router.get("")
def upload_form(request: Request):
    principal = signed_in(request)
    access.require_staff(principal)
    return render(request, "import_upload.html", {"labels": FIELD_LABELS})


@router.post("")
async def preview(request: Request):
    principal = signed_in(request)
    form = await form_of(request)
    kind_key = str(form.get("kind") or "postings")
    errors = {}
    try:
        kind = _check_kind(principal, kind_key)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) and not hasattr(upload, "read") or not getattr(upload, "filename", ""):
            raise InvalidInput("请选择要导入的文件（CSV 或 XLSX）", field="file")
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InvalidInput("文件过大：上限 5 MB，请拆分后导入", field="file")
        try:
            frame = read_table(raw, upload.filename)
        except ImportFileError as exc:
            raise InvalidInput(str(exc), field="file") from exc
        mapping, unknown = map_columns(frame.columns, kind)
        required = "title" if kind == "posting" else "resume_text"
        if required not in mapping.values():
            raise InvalidInput(f"缺少必需的列“{FIELD_LABELS[kind][required]}”；文件表头为：{'、'.join(map(str, frame.columns))}",
                               field="file")
    except InvalidInput as exc:
        errors[exc.field or "file"] = exc.message
        return render(request, "import_upload.html", {"labels": FIELD_LABELS, "errors": errors, "values": form},
                      status_code=422)
    good, row_errors = validate_rows(frame, kind, mapping)
    draft_id = secrets.token_urlsafe(12)
    _drafts(request)[draft_id] = Draft(principal.user_id, kind, upload.filename, [inp for _, inp in good], len(frame))
    labels = FIELD_LABELS[kind]
    return render(request, "import_preview.html", {
        "draft_id": draft_id, "kind_name": KINDS[kind_key][1], "filename": upload.filename, "total": len(frame),
        "mapping": [(header, labels.get(name, name)) for header, name in mapping.items()], "unknown": unknown,
        "row_errors": row_errors, "good": len(good), "bad_rows": len({e["row"] for e in row_errors}),
    }, status_code=200)


def _draft(request: Request, draft_id: str) -> tuple[Draft, object]:
    principal = signed_in(request)
    draft = _drafts(request).get(draft_id)
    if draft is None or draft.user_id != principal.user_id:
        raise NotFound("找不到这次导入（预览已过期或不是你上传的），请重新上传")
    return draft, principal


@router.post("/{draft_id}/confirm")
async def confirm(request: Request, draft_id: str):
    draft, _principal = _draft(request, draft_id)
    form = await form_of(request)
    if draft.state != "preview":
        return redirect(f"/workbench/import/{draft_id}")
    if draft.total_rows != len(draft.inputs) and form.get("allow_partial") != "yes":
        raise InvalidInput("文件中有错误的行：请修改后重新上传，或勾选“只导入无误的行”", field="allow_partial")
    service = service_of(request)
    upsert = service.upsert_postings if draft.kind == "posting" else service.upsert_seekers
    draft.state = "running"

    def run() -> None:
        try:
            for start in range(0, len(draft.inputs), BATCH):
                draft.ids += upsert(draft.inputs[start:start + BATCH])
                draft.done = min(len(draft.inputs), start + BATCH)
            if draft.kind == "posting":
                service.save_index()
            draft.state = "done"
        except Exception as exc:  # the page shows it; the rows written so far stay (upserts by external id)
            draft.state, draft.message = "failed", getattr(exc, "message", "导入中断，请稍后重试；已写入的行再次导入不会重复")

    threading.Thread(target=run, name=f"import-{draft_id}", daemon=True).start()
    return redirect(f"/workbench/import/{draft_id}")


@router.get("/{draft_id}")
def progress(request: Request, draft_id: str):
    draft, _principal = _draft(request, draft_id)
    return render(request, "import_progress.html", {"draft": draft, "draft_id": draft_id, "total": len(draft.inputs)})
