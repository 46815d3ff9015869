"""`jobcircle places locate [FILE] [--json]`: where does each address land, and how precisely.

Reads one address per line (FILE or standard input; blank lines skipped) and prints one line per
address: with --json a JSON object (query, lat, lon, street_code, street, district, precision,
radius_km, matched, note), otherwise a tab-separated line a clerk can read. Offline, no model loaded.
Ends with a count per precision on standard error, so a clerk sees at once how many only reached a
district.
"""
from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("places", help="位置解析：locate 逐行读地址，输出坐标、街道与精度")
    p.add_argument("action", choices=["locate"])
    p.add_argument("file", nargs="?", help="地址文件（每行一个）；省略时从标准输入读")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")


def cmd_places(args, settings=None) -> int:
    from matcher.geo.places import import_report, locate

    if args.file:
        try:
            handle = open(args.file, encoding="utf-8-sig")
        except OSError as exc:
            print(f"错误：无法读取地址文件 {args.file}：{exc.strerror}", file=sys.stderr)
            return 2
    else:
        handle = sys.stdin
    records = []
    with handle:
        for line in handle:
            address = line.strip()
            if not address:
                continue
            record = locate(address)
            records.append(record)
            if args.json:
                print(json.dumps(record, ensure_ascii=False), flush=True)
            else:
                where = "、".join(x for x in (record["district"], record["street"]) if x) or "—"
                point = f"{record['lat']:.5f},{record['lon']:.5f}" if record["lat"] is not None else "—"
                radius = f"±{record['radius_km']}公里" if record["radius_km"] else ""
                print(f"{address}\t{where}\t{point}\t{record['note']}{radius}", flush=True)
    report = import_report(records, [r["query"] for r in records])
    counts = "，".join(f"{k} {v}" for k, v in report["by_precision"].items() if v)
    print(f"共 {report['total']} 条：{counts}；只精确到区 {len(report['district_only'])} 条，"
          f"未识别 {len(report['unresolved'])} 条", file=sys.stderr)
    return 0
