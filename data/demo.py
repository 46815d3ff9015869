"""Seeded synthetic demo data for Hongkou District (虹口区, 8 街道): stations, postings, seekers.

SYNTHETIC: every employer, posting and person here is generated. Occupations, definitions and
duties come from the 2022 national occupation classification (bundled reference table), so
requirement texts read like real ones; street codes and names are official; points are
approximate (jittered around hand-placed street centres). Stations follow Hongkou's "1+8+28+N".
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from data import reference

SYNTHETIC_NOTE = "示例数据（合成），非真实单位与人员"
HONGKOU = "310109"
ROADS = {
    "310109009": ["欧阳路", "东江湾路", "大连西路", "甜爱路", "祥德路"],
    "310109010": ["曲阳路", "玉田路", "赤峰路", "中山北一路", "密云路"],
    "310109011": ["广中路", "水电路", "西江湾路", "广灵四路", "黄渡路"],
    "310109014": ["嘉兴路", "海伦路", "临平路", "天宝路", "溧阳路"],
    "310109016": ["凉城路", "车站北路", "广粤路", "汶水东路", "场中路"],
    "310109017": ["四川北路", "多伦路", "山阴路", "武进路", "衡水路"],
    "310109018": ["东大名路", "吴淞路", "海宁路", "长治路", "大名路"],
    "310109019": ["江湾镇路", "高境路", "新市北路", "纪念路", "奎照路"],
}


@dataclass(frozen=True)
class Category:
    key: str
    codes: tuple[str, ...]
    titles: tuple[str, ...]
    skills: tuple[str, ...]
    certificates: tuple[str, ...]
    salary: tuple[int, int]  # monthly range in yuan
    education: tuple[str, ...]
    experience: tuple[str, ...]
    weight: float


CATEGORIES = (
    Category("elderly_care", ("4-10-01-05",), ("养老护理员", "社区助老员", "居家养老护理员", "长者照护员"),
             ("老人生活照料", "失能老人护理", "康复护理", "急救"), ("养老护理员证", "健康证"), (5000, 8000),
             ("学历不限", "初中", "高中/中专"), ("经验不限", "1年以上", "2年以上"), 1.4),
    Category("catering", ("4-03-02-01", "4-03-02-05", "4-03-02-02"), ("中式厨师", "帮厨", "餐厅服务员", "社区食堂配餐员", "面点师"),
             ("中式烹饪", "食品安全", "配餐", "面点制作"), ("健康证",), (4500, 7500),
             ("学历不限", "初中"), ("经验不限", "1年以上"), 1.3),
    Category("delivery", ("4-10-08-01", "4-02-07-08"), ("外卖骑手", "快递员", "社区团购配送员", "同城配送员"),
             ("电动车驾驶", "路线规划", "智能手机操作"), ("驾驶证",), (6000, 11000),
             ("学历不限", "初中"), ("经验不限",), 1.2),
    Category("security_property", ("4-07-05-01", "4-06-01-01"), ("保安员", "小区保安", "物业管家", "物业客服专员", "监控室值班员"),
             ("安全巡逻", "消防设施操作", "监控系统"), ("保安员证", "消防设施操作员证"), (4800, 7000),
             ("学历不限", "初中", "高中/中专"), ("经验不限", "1年以上"), 1.2),
    Category("cleaning", ("4-09-08-01", "4-10-01-06"), ("保洁员", "写字楼保洁", "家政服务员", "钟点工保洁"),
             ("日常保洁", "家居清洁"), ("健康证",), (4200, 6500),
             ("学历不限",), ("经验不限",), 1.0),
    Category("logistics", ("4-02-06-01", "4-02-05-01", "6-30-05-01"), ("仓库管理员", "仓库理货员", "装卸工", "叉车司机"),
             ("仓储管理", "WMS系统", "Excel", "叉车驾驶"), ("叉车证",), (5500, 8500),
             ("学历不限", "初中", "高中/中专"), ("经验不限", "1年以上"), 1.0),
    Category("retail", ("4-01-02-03", "4-01-02-04"), ("超市收银员", "门店营业员", "便利店店员", "导购员"),
             ("收银", "商品陈列", "销售技巧"), ("健康证",), (4500, 6500),
             ("学历不限", "初中", "高中/中专"), ("经验不限",), 1.0),
    Category("office", ("3-01-01-01", "3-01-02-02"), ("行政文员", "前台文员", "办公室文员", "行政助理"),
             ("Office办公软件", "Excel", "Word", "公文写作", "档案管理"), (), (5000, 7500),
             ("高中/中专", "大专及以上", "本科"), ("经验不限", "1年以上"), 0.9),
    Category("customer_service", ("4-04-05-03", "4-07-02-03"), ("电话客服", "在线客服专员", "售后客服", "客服主管"),
             ("客户沟通", "普通话", "打字", "投诉处理"), (), (5000, 8000),
             ("高中/中专", "大专及以上"), ("经验不限", "1年以上"), 0.9),
    Category("childcare", ("4-10-01-03", "4-10-01-02"), ("幼儿园保育员", "育婴师", "早教助教", "托育老师"),
             ("婴幼儿照护", "幼儿教育", "急救"), ("保育员证", "育婴员证", "健康证"), (5000, 8000),
             ("高中/中专", "大专及以上"), ("经验不限", "1年以上"), 0.8),
    Category("healthcare", ("4-14-01-02", "2-05-08-01"), ("医疗护理员", "护士", "社区卫生服务中心护士", "陪护员"),
             ("基础护理", "康复护理", "急救"), ("护士执业证", "健康证"), (5500, 9000),
             ("高中/中专", "大专及以上"), ("经验不限", "1年以上", "2年以上"), 0.8),
    Category("manufacturing", ("6-31-01-03", "6-18-02-04", "6-25-04-01"), ("维修电工", "焊工", "普工", "设备操作工"),
             ("电气维修", "焊接", "设备操作", "PLC"), ("电工证", "焊工证"), (6000, 9500),
             ("初中", "高中/中专"), ("经验不限", "1年以上", "3年以上"), 0.8),
    Category("it", ("2-02-10-03", "4-04-05-01", "2-02-10-09"), ("Java开发工程师", "前端开发工程师", "测试工程师", "运维工程师", "Python开发工程师"),
             ("Java", "Python", "SQL", "Linux", "JavaScript", "Spring"), (), (12000, 25000),
             ("大专及以上", "本科"), ("1-3年", "3-5年", "经验不限"), 0.8),
    Category("design", ("4-08-08-06", "2-09-06-01", "4-08-08-07"), ("平面设计助理", "平面设计师", "美工", "室内设计助理"),
             ("Photoshop", "Illustrator", "CorelDRAW", "CAD", "排版"), (), (6000, 12000),
             ("大专及以上", "本科"), ("经验不限", "1-3年"), 0.8),
    Category("ecommerce", ("4-01-06-01",), ("电商运营专员", "直播带货助理", "网店客服", "拼多多运营"),
             ("店铺运营", "直播", "数据分析", "Excel"), (), (6000, 10000),
             ("高中/中专", "大专及以上"), ("经验不限", "1年以上"), 0.7),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉"
COMPANY_STEMS = ("虹信", "北外滩", "江湾", "曲阳", "四川北", "海伦", "凉城", "嘉兴", "广中", "欧阳", "东宝", "申虹")
COMPANY_KINDS = {
    "elderly_care": "养老服务中心", "catering": "餐饮管理有限公司", "delivery": "配送服务有限公司",
    "security_property": "物业管理有限公司", "cleaning": "保洁服务有限公司", "logistics": "供应链管理有限公司",
    "retail": "超市有限公司", "office": "商务咨询有限公司", "customer_service": "信息服务有限公司",
    "childcare": "托育服务有限公司", "healthcare": "社区医疗服务有限公司", "manufacturing": "机电设备有限公司",
    "it": "网络科技有限公司", "design": "文化传媒有限公司", "ecommerce": "电子商务有限公司",
}
PRIORITY_CYCLE = ("graduate", "long_term_unemployed_youth", "employment_difficulty", "disabled", "veteran", "low_income")


def _clean_name(name: str) -> str:
    return re.sub(r"[SL]+$", "", name)


def _occupation(code: str) -> dict:
    table = reference.occupations()
    rows = table[table["code"] == code]
    if rows.empty:
        return {"code": code, "name": "", "definition": "", "tasks": []}
    row = rows.iloc[0]
    tasks = [t.strip() for t in re.split(r"\s*\d+\.", row["tasks"]) if t.strip()]
    return {"code": code, "name": _clean_name(row["name"]), "definition": row["definition"], "tasks": tasks}


def _streets() -> list[tuple[str, str]]:
    streets = reference.streets()
    rows = streets[streets["areaCode"] == HONGKOU]
    return list(zip(rows["code"], rows["name"]))


def _street_centres() -> dict[str, tuple[float, float]]:
    points = reference.approximate_points()
    return {r.code: (r.lat_wgs84, r.lon_wgs84) for r in points.itertuples() if r.kind == "street"}


def _jitter(rng: random.Random, centre: tuple[float, float], spread: float = 0.006) -> tuple[float, float]:
    return round(centre[0] + rng.uniform(-spread, spread), 6), round(centre[1] + rng.uniform(-spread, spread), 6)


def stations(seed: int = 7) -> list[dict]:
    """1 district centre + 8 street centres + 28 community workstations + N featured sites."""
    rng = random.Random(seed)
    centres = _street_centres()
    out = [{"name": "虹口区就业促进中心（示例）", "kind": "district_centre", "street_code": "310109009",
            "address": "虹口区欧阳路（示例地址）", "lat": 31.2745, "lon": 121.4858, "location_precision": "street"}]
    per_street = [4, 4, 3, 3, 4, 3, 3, 4]  # 28 community workstations in all
    for (code, name), count in zip(_streets(), per_street):
        centre = centres[code]
        short = name.removesuffix("街道")
        out.append({"name": f"{name}社区就业服务中心（示例）", "kind": "street_centre", "street_code": code,
                    "address": f"虹口区{rng.choice(ROADS[code])}{rng.randint(10, 800)}号（示例地址）",
                    "lat": centre[0], "lon": centre[1], "location_precision": "street", "parent": out[0]["name"]})
        parent = out[-1]["name"]
        for n in range(1, count + 1):
            lat, lon = _jitter(rng, centre)
            out.append({"name": f"{short}第{n}居民区就业服务工作站（示例）", "kind": "community_workstation",
                        "street_code": code, "address": f"虹口区{rng.choice(ROADS[code])}{rng.randint(10, 800)}弄（示例地址）",
                        "lat": lat, "lon": lon, "location_precision": "exact", "parent": parent})
    featured = [("北外滩航运服务楼宇就业服务站（示例）", "building", "310109018"),
                ("音乐谷创意产业园区就业服务站（示例）", "park", "310109014"),
                ("江湾高校园区就业服务站（示例）", "campus", "310109019"),
                ("曲阳商务楼宇就业服务站（示例）", "building", "310109010")]
    for name, site_type, code in featured:
        lat, lon = _jitter(rng, centres[code], 0.004)
        out.append({"name": name, "kind": "featured_site", "site_type": site_type, "street_code": code,
                    "address": f"虹口区{rng.choice(ROADS[code])}（示例地址）", "lat": lat, "lon": lon,
                    "location_precision": "exact", "parent": out[0]["name"]})
    return out


def _salary_text(rng: random.Random, low: int, high: int) -> str:
    base = rng.randrange(low, high, 500)
    top = base + rng.choice([500, 1000, 1500, 2000, 3000])
    style = rng.random()
    if style < 0.55:
        return f"{base}-{top}元/月"
    if style < 0.7:
        return f"{base / 1000:g}K-{top / 1000:g}K"
    if style < 0.8:
        return f"{round(base / 21.75 / 10) * 10}-{round(top / 21.75 / 10) * 10}元/天"
    if style < 0.9:
        return "面议"
    return f"{base}元以上"


def postings(n: int = 520, seed: int = 11) -> list[dict]:
    """Raw posting rows, as a station would enter them (Chinese field formats)."""
    rng = random.Random(seed)
    streets, centres = _streets(), _street_centres()
    weights = [c.weight for c in CATEGORIES]
    rows = []
    for i in range(n):
        cat = rng.choices(CATEGORIES, weights)[0]
        occ = _occupation(rng.choice(cat.codes))
        title = rng.choice(cat.titles)
        code, street = rng.choice(streets)
        skills = rng.sample(cat.skills, k=min(len(cat.skills), rng.randint(1, 3)))
        certs = list(cat.certificates[: rng.randint(0, len(cat.certificates))])
        education = rng.choice(cat.education)
        experience = rng.choice(cat.experience)
        duties = "；".join(rng.sample(occ["tasks"], k=min(3, len(occ["tasks"])))) if occ["tasks"] else occ["definition"]
        req_lines = [f"{education}学历" if education != "学历不限" else "学历不限",
                     f"{experience}相关工作经验" if experience != "经验不限" else "经验不限，可接受新人培训",
                     f"熟悉{'、'.join(skills)}"]
        if certs:
            req_lines.append(f"持有{'、'.join(certs)}")
        requirements = "\n".join(f"{k}. {line}" for k, line in enumerate(req_lines, 1))
        road = rng.choice(ROADS[code])
        row = {
            "external_id": f"DEMO-P{i + 1:05d}",
            "title": title,
            "employer": f"上海{rng.choice(COMPANY_STEMS)}{COMPANY_KINDS[cat.key]}（示例）",
            "description": f"{occ['definition']}主要工作：{duties}。",
            "requirements": requirements,
            "skills": skills,
            "salary": _salary_text(rng, *cat.salary),
            "education": education,
            "experience": experience,
            "employment_type": rng.choices(["全职", "兼职", "见习", "实习"], [0.8, 0.1, 0.06, 0.04])[0],
            "headcount": rng.randint(1, 8),
            "accessible": cat.key in {"office", "customer_service", "ecommerce", "design", "retail"} and rng.random() < 0.35,
            "expires_at": (datetime(2027, 3, 1, tzinfo=timezone.utc) + timedelta(days=rng.randint(0, 120))).isoformat(),
        }
        if rng.random() < 0.7:
            row["lat"], row["lon"] = _jitter(rng, centres[code])
            row["address"] = f"虹口区{road}{rng.randint(1, 999)}号（示例地址）"
        elif rng.random() < 0.5:
            row["street"] = street
        else:
            row["address"] = f"上海市虹口区{street}{road}{rng.randint(1, 999)}号（示例地址）"
        rows.append(row)
    return rows


def seekers(n: int = 240, seed: int = 13) -> list[dict]:
    """Raw seeker registrations with resumes; every priority group appears."""
    rng = random.Random(seed)
    streets, centres = _streets(), _street_centres()
    rows = []
    for i in range(n):
        cat = rng.choice(CATEGORIES)
        occ = _occupation(rng.choice(cat.codes))
        role = rng.choice(cat.titles)
        years = rng.choice([0, 0, 1, 2, 3, 5, 8])
        skills = rng.sample(cat.skills, k=min(len(cat.skills), rng.randint(1, 3)))
        certs = list(cat.certificates[: rng.randint(0, len(cat.certificates))])
        education = rng.choice(["初中", "高中", "中专", "大专", "本科"] if cat.key not in {"it", "design"} else ["大专", "本科"])
        tags = []
        if i % 3 == 0:
            tags.append(PRIORITY_CYCLE[(i // 3) % len(PRIORITY_CYCLE)])
        duty = rng.choice(occ["tasks"]) if occ["tasks"] else occ["definition"]
        experience = (f"曾在上海{rng.choice(COMPANY_STEMS)}{COMPANY_KINDS[cat.key]}（示例）担任{role}{years}年，负责{duty}。"
                      if years else f"{education}毕业，希望从事{role}工作，愿意参加岗前培训。")
        resume = (f"{education}学历，{years}年工作经验。{experience}"
                  f"掌握{'、'.join(skills)}。" + (f"持有{'、'.join(certs)}。" if certs else ""))
        code, street = rng.choice(streets)
        row = {
            "external_id": f"DEMO-S{i + 1:05d}",
            "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
            "phone": f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}",
            "resume_text": resume,
            "desired_roles": [role],
            "education": education,
            "experience_years": years,
            "expected_salary": int(rng.randrange(*cat.salary, 500) * rng.uniform(0.85, 1.05) // 100 * 100),
            "max_commute_minutes": rng.choice([None, 20, 30, 45, 60]),
            "priority_tags": tags,
            "consent": True,
            "sensitive_consent": bool(set(tags) & {"disabled", "low_income", "employment_difficulty"}),
            "unemployed_since": (datetime(2026, 11, 1, tzinfo=timezone.utc) - timedelta(days=rng.randint(10, 500))).isoformat(),
        }
        if rng.random() < 0.5:
            row["lat"], row["lon"] = _jitter(rng, centres[code])
        else:
            row["street"] = street
        rows.append(row)
    return rows
