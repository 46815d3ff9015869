from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import RequireCounsellor, ServiceDep, SettingsDep
from api.schemas.common import AUTH, CONFLICT, NOT_FOUND, id_path
from api.schemas.imports import ImportJobPublic, ImportKind, ImportReport
from matcher.counsellor import access
from matcher.errors import InvalidInput, NotReady
from matcher.ingest import import_file
from matcher.jobs import KINDS, ImportJobs, import_checks

router = APIRouter(prefix="/imports", tags=["批量导入"])


def _jobs(request: Request) -> ImportJobs:
    jobs = getattr(request.app.state, "imports", None)
    if jobs is None:
        raise NotReady("导入功能正在启动，请稍后再试")
    return jobs


@router.post("/{kind}", status_code=202, response_model=ImportJobPublic, responses=AUTH | CONFLICT,
             summary="批量导入岗位或求职者（CSV / XLSX，后台执行：立即返回任务编号，用 GET /imports/jobs/{任务编号} 查看进度与逐行报告；"
                     "岗位：就业援助员或管理员，行中的服务站点编号须为本人所属站点；求职者：全区就业援助员或管理员）")
async def import_table(
    request: Request,
    kind: ImportKind,
    _service: ServiceDep,
    settings: SettingsDep,
    principal: RequireCounsellor,
    file: UploadFile = File(..., description="CSV（UTF-8 或 GBK）或 XLSX 文件"),
    allow_partial: bool = Query(False, description="为 true 时只导入通过校验的行；默认任一行有误则全部不导入"),
):
    access.can_import(principal, kind)
    raw = await file.read(settings.max_body_bytes + 1)
    if len(raw) > settings.max_body_bytes:
        raise InvalidInput(f"文件过大：上限 {settings.max_body_bytes // 1024 // 1024} MB，请拆分后导入", field="file")
    jobs = _jobs(request)
    # Reading the table to check its columns is quick, but not free: off the event loop.
    return await run_in_threadpool(jobs.submit, principal, kind, raw, file.filename, allow_partial)


@router.post("/{kind}/preview", response_model=ImportReport, responses=AUTH,
             summary="导入预览：列与字段的对应关系、未导入的列、逐行错误与重复行；不写入任何数据")
async def preview_table(
    kind: ImportKind,
    service: ServiceDep,
    settings: SettingsDep,
    principal: RequireCounsellor,
    file: UploadFile = File(..., description="CSV（UTF-8 或 GBK）或 XLSX 文件"),
):
    access.can_import(principal, kind)
    raw = await file.read(settings.max_body_bytes + 1)
    if len(raw) > settings.max_body_bytes:
        raise InvalidInput(f"文件过大：上限 {settings.max_body_bytes // 1024 // 1024} MB，请拆分后导入", field="file")
    check, _ = import_checks(service, KINDS[kind], principal)

    def preview():
        return import_file(service, KINDS[kind], raw, filename=file.filename, dry_run=True, check=check).to_dict()

    return await run_in_threadpool(preview)


@router.get("/jobs/{job_id}", response_model=ImportJobPublic, responses=AUTH | NOT_FOUND,
            summary="查看导入任务的进度与逐行报告（仅限提交人或管理员）")
def import_status(request: Request, _service: ServiceDep, principal: RequireCounsellor, job_id: Annotated[int, id_path("导入任务编号")]):
    return _jobs(request).get(principal, job_id)
