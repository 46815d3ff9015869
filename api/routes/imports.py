from fastapi import APIRouter, File, Query, UploadFile

from api.auth import RequireCounsellor
from api.deps import Service
from api.schemas import ImportReport
from matcher.errors import Forbidden, InvalidInput
from matcher.ingest import import_file

router = APIRouter(prefix="/imports", tags=["批量导入"])
MAX_UPLOAD = 5 * 1024 * 1024


@router.post("/{kind}", response_model=ImportReport, summary="批量导入岗位或求职者（CSV / XLSX；岗位：就业援助员或管理员；求职者：全区就业援助员或管理员）")
async def import_table(
    kind: str,
    service: Service,
    principal: RequireCounsellor,
    file: UploadFile = File(..., description="CSV（UTF-8 或 GBK）或 XLSX 文件"),
    allow_partial: bool = Query(False, description="为 true 时只导入通过校验的行；默认任一行有误则全部不导入"),
    dry_run: bool = Query(False, description="为 true 时只返回列对应关系、错误与重复行，不导入"),
):
    kinds = {"postings": "posting", "seekers": "seeker"}
    if kind not in kinds:
        raise InvalidInput("导入类型应为 postings 或 seekers", field="kind")
    if kind == "seekers" and not principal.sees_all_stations:
        # Rows may name any station; a station's counsellor registers seekers one by one instead.
        raise Forbidden("没有权限：批量导入求职者仅限全区就业援助员或管理员，本站求职者请逐个登记")
    raw = await file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise InvalidInput("文件过大：上限 5 MB，请拆分后导入", field="file")
    return import_file(service, kinds[kind], raw, filename=file.filename, allow_partial=allow_partial,
                       dry_run=dry_run).to_dict()
