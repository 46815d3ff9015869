"""Reading station spreadsheets (CSV or XLSX) and mapping the headers stations really use.

The header mapping below is the documented contract (see README "Bulk import"): each field
accepts its Chinese and English names; headers are compared after removing spaces, brackets and
a trailing colon, case-insensitively. Unknown columns are reported, never silently dropped.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

POSTING_COLUMNS: dict[str, list[str]] = {
    "external_id": ["岗位编号", "职位编号", "编号", "外部编号", "external_id", "id", "job_id"],
    "title": ["岗位名称", "职位名称", "招聘岗位", "岗位", "职位", "工种", "title", "job_title", "position"],
    "employer": ["公司名称", "单位名称", "用人单位", "企业名称", "招聘单位", "公司", "employer", "company"],
    "description": ["岗位描述", "职位描述", "工作内容", "岗位职责", "工作职责", "职位详情", "岗位详情", "岗位介绍",
                    "职位介绍", "工作描述", "description", "job_description"],
    "requirements": ["任职要求", "岗位要求", "职位要求", "任职资格", "招聘要求", "岗位需求", "职位需求", "任职条件",
                     "应聘要求", "requirements", "qualifications"],
    "skills": ["技能要求", "技能", "skills"],
    "salary": ["薪资", "薪酬", "工资", "月薪", "薪资待遇", "工资待遇", "薪资范围", "salary", "pay"],
    "education": ["学历要求", "学历", "education"],
    "experience": ["经验要求", "经验", "工作经验", "工作年限", "experience"],
    "employment_type": ["用工形式", "工作性质", "岗位类型", "招聘类型", "职位类型", "employment_type", "job_type"],
    "days_per_week": ["时间要求", "出勤要求", "每周天数", "每周工作天数", "实习天数", "days_per_week"],
    "headcount": ["招聘人数", "人数", "需求人数", "headcount", "openings"],
    "address": ["工作地点", "地址", "工作地址", "单位地址", "address", "location"],
    "street": ["街道", "所属街道", "街道镇", "street"],
    "lat": ["纬度", "lat", "latitude"],
    "lon": ["经度", "lon", "lng", "longitude"],
    "expires_at": ["截止日期", "有效期至", "截止时间", "expires_at", "deadline"],
    "accessible": ["适合残疾人", "无障碍岗位", "残疾人岗位", "accessible"],
    "station_id": ["服务站点编号", "站点编号", "station_id"],
}
SEEKER_COLUMNS: dict[str, list[str]] = {
    "external_id": ["求职者编号", "人员编号", "编号", "external_id", "id"],
    "name": ["姓名", "name"],
    "phone": ["手机号", "手机", "联系电话", "电话", "phone", "mobile"],
    "id_number": ["身份证号", "身份证号码", "证件号码", "id_number"],
    "resume_text": ["简历", "简历内容", "个人简历", "工作经历", "resume", "resume_text"],
    "desired_roles": ["求职意向", "意向岗位", "期望岗位", "desired_roles", "desired_role"],
    "skills": ["技能", "技能特长", "特长", "skills"],
    "education": ["学历", "最高学历", "education"],
    "experience_years": ["工作年限", "工龄", "experience_years"],
    "expected_salary": ["期望薪资", "期望月薪", "期望工资", "expected_salary"],
    "max_commute_minutes": ["最长通勤时间", "通勤时间", "max_commute_minutes"],
    "street": ["街道", "居住街道", "所属街道", "street"],
    "address": ["居住地址", "地址", "家庭住址", "address"],
    "lat": ["纬度", "lat", "latitude"],
    "lon": ["经度", "lon", "lng", "longitude"],
    "priority_tags": ["重点群体", "人员类别", "人员类型", "priority_tags"],
    "consent": ["同意授权", "个人信息授权", "是否同意", "consent"],
    "sensitive_consent": ["敏感信息授权", "sensitive_consent"],
    "unemployed_since": ["失业时间", "失业登记日期", "unemployed_since"],
    "station_id": ["服务站点编号", "站点编号", "station_id"],
}
FIELD_LABELS = {
    "posting": {field: names[0] for field, names in POSTING_COLUMNS.items()},
    "seeker": {field: names[0] for field, names in SEEKER_COLUMNS.items()},
}
LINK = "link"  # a column of web addresses: recognised, reported, never taken as an address
_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
MAX_ROWS = 100_000


class ImportFileError(ValueError):
    """The file itself cannot be read (format, encoding, no header)."""


def _key(header: str) -> str:
    return re.sub(r"[\s（）()【】\[\]:：*]", "", str(header)).lower()


def is_link_column(values) -> bool:
    """Most non-blank cells are web addresses (a scraped export's 详情链接, even under a header like 地址)."""
    cells = [str(v) for v in values if v is not None and str(v).strip()]
    return bool(cells) and sum(bool(_URL.match(c)) for c in cells) >= 0.8 * len(cells)


def map_columns(headers, kind: str, frame=None) -> tuple[dict[str, str], list[str]]:
    """Map file headers to field names; returns ({header: field}, unknown headers). With the `frame`,
    a column whose cells are web addresses maps to `LINK` whatever its header says."""
    table = POSTING_COLUMNS if kind == "posting" else SEEKER_COLUMNS
    lookup = {_key(alias): field for field, aliases in table.items() for alias in aliases}
    mapping, unknown, used = {}, [], set()
    for header in headers:
        if frame is not None and is_link_column(frame[header].tolist()):
            mapping[str(header)] = LINK
            continue
        field = lookup.get(_key(header))
        if field and field not in used:
            mapping[str(header)] = field
            used.add(field)
        else:
            unknown.append(str(header))
    return mapping, unknown


def read_table(source: str | Path | bytes, filename: str | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX file into strings; blank cells become None."""
    name = (filename or (str(source) if not isinstance(source, bytes) else "")).lower()
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            frame = pd.read_excel(io.BytesIO(raw), dtype=str, engine="openpyxl")
        elif name.endswith(".xls"):
            raise ImportFileError("暂不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）")
        elif name.endswith((".csv", ".txt")) or not name:
            frame = None
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    frame = pd.read_csv(io.BytesIO(raw), dtype=str, encoding=encoding, keep_default_na=False)
                    break
                except UnicodeDecodeError:
                    continue
            if frame is None:
                raise ImportFileError("无法识别文件编码，请另存为 UTF-8 编码的 CSV")
        else:
            raise ImportFileError(f"不支持的文件类型“{Path(name).suffix}”，请使用 .csv 或 .xlsx")
    except ImportFileError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many types for malformed files
        raise ImportFileError(f"文件无法读取：{exc}") from exc
    if frame.empty and len(frame.columns) == 0:
        raise ImportFileError("文件为空：第一行应为表头（如 岗位名称、公司名称、薪资）")
    if len(frame) > MAX_ROWS:
        raise ImportFileError(f"单次最多导入 {MAX_ROWS} 行，请拆分文件")
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.map(lambda v: None if v is None or (isinstance(v, str) and not v.strip()) else v)
