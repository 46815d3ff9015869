from fastapi import APIRouter, File, Query, UploadFile

from api.deps import RequireCounsellor, ServiceDep, SettingsDep
from api.schemas.common import AUTH, CONFLICT
from api.schemas.imports import ImportKind, ImportReport
from matcher.counsellor import access
from matcher.errors import InvalidInput
from matcher.ingest import import_file

router = APIRouter(prefix="/imports", tags=["批量导入"])
KINDS = {"postings": "posting", "seekers": "seeker"}


@router.post("/{kind}", response_model=ImportReport, responses=AUTH | CONFLICT,
             summary="批量导入岗位或求职者（CSV / XLSX；岗位：就业援助员或管理员；求职者：全区就业援助员或管理员）")
async def import_table(
    kind: ImportKind,
    service: ServiceDep,
    settings: SettingsDep,
    principal: RequireCounsellor,
    file: UploadFile = File(..., description="CSV（UTF-8 或 GBK）或 XLSX 文件"),
    allow_partial: bool = Query(False, description="为 true 时只导入通过校验的行；默认任一行有误则全部不导入"),
    dry_run: bool = Query(False, description="为 true 时只返回列对应关系、错误与重复行，不导入"),
):
    access.can_import(principal, kind)
    raw = await file.read(settings.max_body_bytes + 1)
    if len(raw) > settings.max_body_bytes:
        raise InvalidInput(f"文件过大：上限 {settings.max_body_bytes // 1024 // 1024} MB，请拆分后导入", field="file")
    return import_file(service, KINDS[kind], raw, filename=file.filename, allow_partial=allow_partial,
                       dry_run=dry_run).to_dict()
