"""Import on the workbench: upload, see the column mapping and every bad row before anything is
written, confirm, then watch the progress (the page refreshes itself; no script needed).

Validation is `matcher.ingest`'s with the API's per-row checks (the same as `POST /imports/{kind}`);
the draft is stored in the database by `matcher.drafts` (owner, station, expiry), so a restart or
another server worker still finds it; writing goes through the service's own upserts in batches.
"""
from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile

from api.web.common import WebRoute, form_of, redirect, render, service_of, signed_in
from data.importers import FIELD_LABELS
from matcher.counsellor import access
from matcher.drafts import KINDS, ImportDrafts
from matcher.errors import InvalidInput

router = APIRouter(prefix="/workbench/import", route_class=WebRoute, include_in_schema=False)
MAX_UPLOAD = 5 * 1024 * 1024


def drafts_of(request: Request) -> ImportDrafts:
    service = service_of(request)
    drafts = getattr(request.app.state, "import_drafts", None)
    if drafts is None or drafts.service is not service:
        drafts = request.app.state.import_drafts = ImportDrafts(service)
    return drafts


@router.get("")
def upload_form(request: Request):
    principal = signed_in(request)
    access.require_staff(principal)
    return render(request, "import_upload.html", {"labels": FIELD_LABELS})


@router.post("")
async def preview(request: Request):
    principal = signed_in(request)
    form = await form_of(request)
    try:
        upload = form.get("file")
        kind_key = str(form.get("kind") or "postings")
        if kind_key not in KINDS:
            raise InvalidInput("导入类型应为 岗位 或 求职者", field="kind")
        access.can_import(principal, kind_key)  # refused before the file is read
        if not isinstance(upload, UploadFile) and not hasattr(upload, "read") or not getattr(upload, "filename", ""):
            raise InvalidInput("请选择要导入的文件（CSV 或 XLSX）", field="file")
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InvalidInput("文件过大：上限 5 MB，请拆分后导入", field="file")
        shown = drafts_of(request).create(principal, kind_key, raw, upload.filename)
    except InvalidInput as exc:
        return render(request, "import_upload.html",
                      {"labels": FIELD_LABELS, "errors": {exc.field or "file": exc.message}, "values": form},
                      status_code=422)
    return render(request, "import_preview.html", shown, status_code=200)


@router.post("/{draft_id}/confirm")
async def confirm(request: Request, draft_id: str):
    principal = signed_in(request)
    form = await form_of(request)
    drafts_of(request).confirm(principal, draft_id, allow_partial=form.get("allow_partial") == "yes")
    return redirect(f"/workbench/import/{draft_id}")


@router.get("/{draft_id}")
def progress(request: Request, draft_id: str):
    draft = drafts_of(request).get(signed_in(request), draft_id)
    return render(request, "import_progress.html", {"draft": draft, "draft_id": draft_id, "total": draft["total"]})
