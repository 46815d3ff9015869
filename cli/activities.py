"""`jobcircle trainings ...`, `jobcircle events ...` and `jobcircle nearby ADDRESS`: trainings, events and the
one nearby search (jobs, stations, trainings, events) from the command line.

The command line acts as the local administrator (like `import` and `match`); registrations made here
are recorded in the service record with the administrator as actor.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parsers(sub) -> None:
    for kind, label in (("trainings", "培训"), ("events", "活动（招聘会、宣讲会、政策咨询、创业活动、陪跑计划）")):
        p = sub.add_parser(kind, help=f"{label}：导入、列表、附近、报名" + ("、补贴初判、培训推荐" if kind == "trainings"
                                                                          else "、招聘会邀请名单"))
        actions = p.add_subparsers(dest="action", required=True)
        q = actions.add_parser("import", help=f"从 CSV/XLSX 导入本站{label}")
        q.add_argument("file")
        q.add_argument("--station", type=int, required=True, help="导入到哪个服务站点（编号）")
        q.add_argument("--allow-partial", action="store_true", help="只导入通过校验的行")
        q = actions.add_parser("list", help=f"列出{label}")
        q.add_argument("--station", type=int)
        q.add_argument("--all", action="store_true", help="包含已结束的")
        q.add_argument("--json", action="store_true")
        q = actions.add_parser("nearby", help=f"附近的{label}")
        q.add_argument("--street")
        q.add_argument("--address")
        q.add_argument("--lat", type=float)
        q.add_argument("--lon", type=float)
        q.add_argument("--radius", type=float, default=5.0, help="半径（公里）")
        q.add_argument("--json", action="store_true")
        q = actions.add_parser("register", help="为求职者报名")
        q.add_argument("id", type=int)
        q.add_argument("--seeker", type=int, required=True)
        q = actions.add_parser("cancel", help="取消报名（报名记录编号）")
        q.add_argument("registration", type=int)
        if kind == "trainings":
            q = actions.add_parser("recommend", help="推荐能补上所缺证书的附近培训")
            q.add_argument("--seeker", type=int, required=True)
            q.add_argument("--json", action="store_true")
            q = actions.add_parser("subsidy", help="培训补贴资格初判（示例规则，须核实）")
            q.add_argument("--seeker", type=int, required=True)
            q.add_argument("--training", type=int)
            q.add_argument("--age", type=int)
        else:
            q = actions.add_parser("shortlist", help="招聘会邀请名单：按参会岗位排序本站求职者")
            q.add_argument("id", type=int)
            q.add_argument("--station", type=int)
            q.add_argument("--k", type=int, default=10)
            q.add_argument("--json", action="store_true")
            q = actions.add_parser("invite", help="邀请求职者参加招聘会（为其报名，记入服务台账：招聘会报名）")
            q.add_argument("id", type=int)
            q.add_argument("--seeker", type=int, action="append", required=True, help="求职者编号，可重复")
            q = actions.add_parser("escort", help="记录陪同招聘会（招聘会开始后，援助员陪同求职者参加）")
            q.add_argument("id", type=int)
            q.add_argument("--seeker", type=int, required=True)
    p = sub.add_parser("nearby", help="附近的岗位、服务站点、培训和即将举办的活动（各附通勤估算）")
    p.add_argument("address", nargs="?", help="地址或街道，如 虹口区曲阳路街道、四平路")
    p.add_argument("--street")
    p.add_argument("--lat", type=float)
    p.add_argument("--lon", type=float)
    p.add_argument("--kinds", help="类别，逗号分隔：jobs,stations,trainings,events（默认全部）")
    p.add_argument("--radius", type=float, help="半径（公里，默认 3）")
    p.add_argument("--modes", help="出行方式，逗号分隔：walk,cycle,metro,bus（默认全部）")
    p.add_argument("--limit", type=int, default=10, help="每类最多列出几项")
    p.add_argument("--json", action="store_true")


def _print_json(body) -> None:
    print(json.dumps(body, ensure_ascii=False, indent=1))


def _training_line(t: dict) -> str:
    money = "补贴性" if t["subsidised"] else ("免费" if t["fee"] == 0 else (f"{t['fee']:g}元" if t["fee"] else "费用未注明"))
    seats = f"，余{t['seats_left']}个名额" if t["seats_left"] is not None else ""
    return (f"[{t['id']}] {t['title']} — {t['provider']}｜证书：{t['certificate'] or '无'}｜{t['schedule']}｜{money}"
            f"｜{t['state']}{seats}")


def _event_line(e: dict) -> str:
    where = "线上" if e["online"] else (e["address"] or e["street_name"] or "地点见详情")
    return f"[{e['id']}] {e['when']} {e['event_kind_name']}：{e['title']}｜{where}｜{e['state']}"


def _travel(item: dict) -> str:
    commute = item.get("commute") if "commute" in item else item
    return commute["travel"] if commute else "线上参加"


def run_nearby(args: argparse.Namespace, service) -> int:
    from matcher.activities.nearby import KINDS, nearby

    body = nearby(service, lat=args.lat, lon=args.lon, street=args.street, address=args.address, kinds=args.kinds,
                  radius_km=args.radius, modes=args.modes, limit=args.limit)
    if args.json:
        _print_json(body)
        return 0
    origin = body["origin"]
    print(f"出发点：{origin['note']}（{origin['lat']:.5f}, {origin['lon']:.5f}）；半径 {body['radius_km']:g} 公里")
    lines = {
        "jobs": [f"[{p['posting_id']}] {p['title']} — {p['employer'] or '单位未填'}｜{p['travel']}" for p in body["postings"] or []],
        "stations": [f"[{s['station_id']}] {s['name']}｜{s['travel']}" for s in body["stations"] or []],
        "trainings": [f"{_training_line(t)}\n   {_travel(t)}" for t in body["trainings"] or []],
        "events": [f"{_event_line(e)}\n   {_travel(e)}" for e in body["events"] or []],
    }
    for kind in body["kinds"]:
        print(f"{KINDS[kind]}（{len(lines[kind])}）：" + ("" if lines[kind] else "附近没有"))
        for line in lines[kind]:
            print(f"  {line}")
    return 0


def run(args: argparse.Namespace, service) -> int:
    if args.command == "nearby":
        return run_nearby(args, service)
    from matcher.activities import events, fair, recommend, registrations, subsidy, trainings
    from matcher.activities.importers import import_activities
    from matcher.activities.nearby import nearby_activities
    from matcher.counsellor.access import LOCAL_ADMIN
    from matcher.counsellor.desk import CounsellorDesk

    kind, action = args.command, args.action
    if action == "import":
        result = import_activities(service, kind, Path(args.file), station_id=args.station, allow_partial=args.allow_partial)
        for error in result.errors:
            print(f"第{error['row']}行 “{error['column']}”：{error['reason']}", file=sys.stderr)
        if result.unknown_columns:
            print(f"未识别的列（未导入）：{'、'.join(result.unknown_columns)}", file=sys.stderr)
        if result.errors and not args.allow_partial:
            print(f"共 {len(result.errors)} 处错误，未导入任何数据。修正后重新导入，或加 --allow-partial 只导入正确的行。",
                  file=sys.stderr)
            return 1
        print(f"已导入 {result.imported} 行（共 {result.total_rows} 行，跳过 {result.skipped} 行）")
        return 0
    if action == "list":
        stations = [args.station] if args.station else None
        rows = (trainings.list_trainings(service, station_ids=stations, include_closed=args.all) if kind == "trainings"
                else events.list_events(service, station_ids=stations, include_past=args.all))
        if args.json:
            _print_json(rows)
        for row in [] if args.json else rows:
            print(_training_line(row) if kind == "trainings" else _event_line(row))
        return 0
    if action == "nearby":
        body = nearby_activities(service, lat=args.lat, lon=args.lon, street=args.street, address=args.address,
                                 radius_km=args.radius)
        rows = body[kind]
        if args.json:
            _print_json({"origin": body["origin"], kind: rows})
            return 0
        print(f"出发点：{body['origin']['note']}；半径 {body['radius_km']:g} 公里")
        for row in rows:
            line = _training_line(row) if kind == "trainings" else _event_line(row)
            print(line + (f"\n   {row['commute']['travel']}" if row["commute"] else ""))
        return 0
    desk = CounsellorDesk(service)
    if action == "register":
        body = registrations.register(service, LOCAL_ADMIN, kind.removesuffix("s"), args.id, args.seeker, desk=desk)
        print(f"已报名：{body['activity_title']}（报名编号 {body['id']}；服务台账第 {body['ledger_seq']} 条，{body['service']['service']}）")
        return 0
    if action == "cancel":
        body = registrations.cancel(service, LOCAL_ADMIN, args.registration)
        print(f"已取消报名 {body['id']}：{body['activity_title']}，名额已释放")
        return 0
    if action == "recommend":
        body = recommend.recommend_trainings(service, LOCAL_ADMIN, args.seeker)
        if args.json:
            _print_json(body)
            return 0
        for rec in body["recommendations"]:
            print(rec["message"])
            for why in rec["why"]:
                print(f"   · {why}")
        for item in body["no_training_nearby"]:
            print(f"{item['note']}（涉及 {item['postings']} 个岗位）")
        if not body["recommendations"] and not body["no_training_nearby"]:
            print("没有因缺少证书而错过的岗位，暂无培训推荐。")
        print(body["note"])
        return 0
    if action == "subsidy":
        body = subsidy.check(service, LOCAL_ADMIN, args.seeker, args.training, age=args.age)
        print(f"{body['verdict_name']}（规则版本 {body['rules_version']}{'，示例规则' if body['illustrative'] else ''}）")
        for label, items in (("符合", body["reasons_met"]), ("不符合", body["reasons_failed"]), ("需核实", body["to_check"])):
            for item in items:
                print(f"   {label}：{item}")
        print(body["note"])
        return 0
    if action == "shortlist":
        desk.start()
        body = fair.fair_shortlist(service, desk, LOCAL_ADMIN, args.id, station_id=args.station, k=args.k)
        if args.json:
            _print_json(body)
            return 0
        print(f"{body['title']}（{body['state']}）：{body['postings']} 个参会岗位")
        for c in body["candidates"]:
            print(f"{c['rank']}. [{c['seeker_id']}] {c['name'] or ''} {c['phone_masked'] or ''}  排序分 {c['best_rank_score']:.3f}"
                  f"{'  已邀请' if c['invited'] else ''}\n   {c['why']}")
        return 0
    if action == "invite":
        body = fair.invite(service, desk, LOCAL_ADMIN, args.id, args.seeker)
        print(body["message"])
        for item in body["failed"]:
            print(f"   求职者 {item['seeker_id']}：{item['reason']}", file=sys.stderr)
        return 0 if not body["failed"] else 1
    if action == "escort":
        print(fair.record_escort(service, desk, LOCAL_ADMIN, args.id, args.seeker)["message"])
        return 0
    raise AssertionError(action)
