"""The `jobcircle` command line: thin `main()` over functions that take their dependencies."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from cli.admin import cmd_backup, cmd_ledger, cmd_purge_withdrawn, cmd_restore, cmd_users
from matcher.settings import Settings


def _service(settings: Settings, *, progress: bool = True):
    from matcher.service import JobCircle

    return JobCircle(settings).start(progress=progress)


def seed_demo(service, *, progress: bool = True) -> dict:
    """Load the synthetic Hongkou demo set into an empty database (idempotent by external ids)."""
    from data import demo
    from matcher.inputs import PostingInput, SeekerInput

    station_ids = service.add_stations(demo.stations())
    postings = [PostingInput.model_validate(row) for row in demo.postings()]
    seekers = [SeekerInput.model_validate(row | {"station_id": station_ids[1 + n % 8]}) for n, row in enumerate(demo.seekers())]
    posting_ids = service.upsert_postings(postings, progress=progress)
    seeker_ids = service.upsert_seekers(seekers, progress=progress)
    service.save_index()
    from matcher.activities.seed import seed_demo_activities  # trainings and events (issue 14)

    return {"stations": len(station_ids), "postings": len(posting_ids), "seekers": len(seeker_ids)} | seed_demo_activities(service)


DEMO_USERS = {"admin": "示例管理员", "counsellor": "示例就业援助员", "seeker": "示例求职者"}
DEMO_TOKEN_FILE = "demo-tokens.txt"


def ensure_demo_users(service, settings: Settings) -> dict[str, str]:
    """Create (once) a demo admin, a counsellor for the first demo seeker's station and that seeker's
    own account; returns role -> token and keeps them in `<data_dir>/demo-tokens.txt` (mode 0600).

    Tokens are stored hashed, so a later run reads them back from the file; if the file is gone,
    the demo users get fresh tokens.
    """
    from sqlalchemy import select

    from data.access_tables import User
    from data.schema import Seeker
    from matcher.counsellor.access import add_user, issue_token

    path = settings.data_dir / DEMO_TOKEN_FILE
    with service.db.session() as session, session.begin():
        users = {u.role: u for u in session.scalars(select(User).where(User.name.in_(DEMO_USERS.values())))
                 if DEMO_USERS.get(u.role) == u.name}
        if len(users) == len(DEMO_USERS) and path.exists():
            saved = dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").split() if "=" in line)
            tokens = {role: saved.get(f"{role.upper()}_TOKEN") for role in DEMO_USERS}
            if all(tokens.values()):
                return tokens
        first = session.scalar(select(Seeker).order_by(Seeker.id).limit(1))
        tokens = {}
        for role, name in DEMO_USERS.items():
            if role in users:
                tokens[role] = issue_token(session, users[role].id)
                continue
            options = {}
            if role == "counsellor":
                options["station_ids"] = [first.station_id] if first is not None and first.station_id else []
                options["district_wide"] = not options["station_ids"]
            if role == "seeker" and first is not None:
                options["seeker_id"] = first.id
            _user_id, tokens[role] = add_user(session, name=name, role=role, **options)
    lines = ["# jobcircle 示例令牌（仅供本机试用，勿用于正式环境）。在 shell 中执行 `. 本文件` 后可用 $TOKEN"]
    lines += [f"{role.upper()}_TOKEN={token}" for role, token in tokens.items()] + [f"TOKEN={tokens['admin']}"]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return tokens


def cmd_demo(args, settings: Settings) -> int:
    service = _service(settings)
    if service.stats()["postings_open"] == 0:
        print("首次运行：正在生成虹口区示例数据（合成数据，非真实单位与人员）……", file=sys.stderr)
        counts = seed_demo(service)
        print(f"已载入：{counts['stations']} 个服务站点、{counts['postings']} 个岗位、{counts['seekers']} 名求职者、"
              f"{counts.get('trainings', 0)} 个培训、{counts.get('events', 0)} 个活动", file=sys.stderr)
    tokens = ensure_demo_users(service, settings)
    names = {"admin": "管理员", "counsellor": "就业援助员", "seeker": "求职者"}
    print("示例账号令牌（在工作台登录页输入；或用于请求头 Authorization: Bearer <令牌>）：", file=sys.stderr)
    for role, token in tokens.items():
        print(f"  {names[role]}：{token}", file=sys.stderr)
    print(f"令牌已保存到 {settings.data_dir / DEMO_TOKEN_FILE}（仅本人可读）；执行 `. {settings.data_dir / DEMO_TOKEN_FILE}` 后可在 curl 中使用 $TOKEN",
          file=sys.stderr)
    return _serve(service, settings, args.host, args.port, _workers(args))


def _serve(service, settings: Settings, host: str, port: int, workers: int = 1) -> int:
    from cli.serve import serve

    return serve(service, settings, host, port, workers)


def cmd_serve(args, settings: Settings) -> int:
    workers = _workers(args, serve=True)
    # One process loads the service itself; N workers each load their own (cli/serve.py).
    return _serve(_service(settings) if workers <= 1 else None, settings, args.host, args.port, workers)


def _workers(args, *, serve: bool = False) -> int:
    """`--workers`, else one per core (at most 4) for `serve` and one for `demo`."""
    from cli.serve import default_workers

    workers = getattr(args, "workers", None)
    return workers if workers is not None else (default_workers() if serve else 1)


def cmd_import(args, settings: Settings) -> int:
    from matcher.errors import InvalidInput
    from matcher.ingest import import_file

    service = _service(settings)
    kind = {"postings": "posting", "seekers": "seeker"}[args.kind]
    try:
        from matcher.counsellor.access import LOCAL_ADMIN
        from matcher.jobs import import_checks

        check, options = import_checks(service, kind, LOCAL_ADMIN)  # the local operator: every station
        result = import_file(service, kind, Path(args.file), allow_partial=args.allow_partial, progress=True,
                             dry_run=args.dry_run, check=check, upsert_options=options)
    except InvalidInput as exc:
        print(f"导入失败：{exc.message}", file=sys.stderr)
        return 2
    finally:
        service.stop()
    for error in result.errors:
        print(f"第{error['row']}行 “{error['column']}”：{error['reason']}", file=sys.stderr)
    for column in result.columns:
        target = column["label"] if column.get("field") else f"未导入：{column['reason']}"
        print(f"列“{column['header']}” → {target}", file=sys.stderr)
    for dup in result.duplicates:
        first = f"第{dup['duplicate_of_row']}行" if "duplicate_of_row" in dup else f"岗位 {dup['duplicate_of']}"
        print(f"第{dup['row']}行与{first}重复（同一单位、岗位、地址，内容几乎相同）", file=sys.stderr)
    if result.dry_run:
        print(f"试运行：共 {result.total_rows} 行，{len(result.errors)} 处错误，未导入任何数据。")
        return 1 if result.errors else 0
    if result.errors and not args.allow_partial:
        print(f"共 {len(result.errors)} 处错误，未导入任何数据。修正后重新导入，或加 --allow-partial 只导入正确的行。", file=sys.stderr)
        return 1
    print(f"已导入 {result.imported} 行（共 {result.total_rows} 行，跳过 {result.skipped} 行）")
    return 0


def cmd_index(args, settings: Settings) -> int:
    service = _service(settings)
    count = service.rebuild_index(progress=True)
    print(f"索引已重建：{count} 个岗位，类型 {service.factory}")
    service.stop()
    return 0


def _match_remote(args, server: str) -> dict | None:
    """Ask a running jobcircle server (no model load here); None after printing a Chinese error."""
    import urllib.error
    import urllib.request

    base = server.rstrip("/")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    token = os.environ.get("JOBCIRCLE_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if args.seeker is not None:
        request = urllib.request.Request(f"{base}/seekers/{args.seeker}/matches?k={args.k}", headers=headers)
    else:
        body = {"resume_text": args.text, "k": args.k} | ({"street": args.street} if args.street else {})
        request = urllib.request.Request(f"{base}/match", data=json.dumps(body, ensure_ascii=False).encode(),
                                         headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.loads(response.read())
        if not isinstance(payload, dict) or "results" not in payload:
            raise ValueError("答复中没有 results")
        return payload
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail")
        except ValueError:
            detail = None
        message = detail if isinstance(detail, str) else (json.dumps(detail, ensure_ascii=False) if detail else exc.reason)
        print(f"错误：服务返回 {exc.code}：{message}", file=sys.stderr)
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        print(f"错误：无法从服务 {base} 取得匹配结果（{exc}）。请确认服务已启动，或去掉 --server"
              "（及环境变量 JOBCIRCLE_SERVER_URL）在本机直接计算。", file=sys.stderr)
    return None


def cmd_match(args, settings: Settings) -> int:
    server = args.server or os.environ.get("JOBCIRCLE_SERVER_URL")
    if server:
        response = _match_remote(args, server)
        if response is None:
            return 2
        return _print_matches(response, as_json=args.json)

    from matcher.errors import JobCircleError

    service = _service(settings, progress=False)
    try:
        if args.seeker is not None:
            response = service.match_seeker(args.seeker, args.k)
        else:
            response = service.match_text(args.text, k=args.k, street=args.street)
    except JobCircleError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    return _print_matches(response, as_json=args.json)


def _print_matches(response: dict, *, as_json: bool) -> int:
    results = response["results"]
    if as_json:
        print(json.dumps(response, ensure_ascii=False))
    else:
        if response.get("message"):
            print(response["message"])
        for r in response.get("weak_alternatives", []):
            print(f"（相关度较低）[{r['posting_id']}] {r['title']} — {r.get('employer') or '-'}")
        for rank, r in enumerate(results, 1):
            print(f"{rank}. [{r['posting_id']}] {r['title']} — {r.get('employer') or '-'}  得分 {r['score']:.3f}")
            print(f"   {r['explanation']}")
    return 0


def cmd_occupations(args, settings: Settings) -> int:
    from matcher.occupations.cache import LazyEncoder
    from matcher.occupations.coder import OccupationCoder, code_lines
    from models.registry import load_encoder

    # Fitted state and title embeddings come from .npz files under the data dir; the model itself is
    # loaded only if some title needs encoding and is not in the cache.
    encoder = LazyEncoder(settings.encoder, lambda: load_encoder(settings.encoder))
    coder = OccupationCoder(encoder).fit(cache_dir=settings.data_dir / "cache")
    lines = (line.rstrip("\n") for line in sys.stdin)
    for out in code_lines(lines, coder, top_k=args.top):
        if args.json:
            print(out, flush=True)
        else:
            item = json.loads(out)
            best = "；".join(f"{c['code']} {c['name']}（{c['score']:.2f}）" for c in item["candidates"][:3]) or "无法编码"
            head = "" if item["confident"] or not item["candidates"] else "可能是（置信度低）："
            print(f"{item['title']}\t{head}{best}", flush=True)
    return 0


def cmd_postings(args, settings: Settings) -> int:
    if args.action == "export":
        from matcher.ingest import export_postings
        from matcher.store import Database

        database = Database(settings.database_url).open()
        try:
            count = export_postings(database, args.out or sys.stdout, args.format)
        finally:
            database.close()
        print(f"已导出 {count} 个岗位", file=sys.stderr)
        return 0
    from matcher.text.compliance import check_lines

    bad = 0
    for out in check_lines(line.rstrip("\n") for line in sys.stdin):
        bad += not json.loads(out)["compliant"]
        print(out, flush=True)
    print(f"共检出 {bad} 条可能违反就业促进法的要求", file=sys.stderr)
    return 0


def cmd_evaluate(args, settings: Settings) -> int:
    from evaluation.harness import run_evaluate

    folder = run_evaluate(Path(args.out) if args.out else None, quick=args.quick)
    print(f"评估报告：{folder}")
    return 0


def cmd_bench(args, settings: Settings) -> int:
    from benchmarks.run import run_bench

    folder = run_bench(Path(args.out) if args.out else None, quick=args.quick)
    print(f"性能报告：{folder}")
    return 0


def cmd_places(args, settings: Settings) -> int:
    from cli.places import cmd_places as run

    return run(args, settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobcircle", description="15分钟就业服务圈 岗位匹配服务")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("demo", "载入示例数据（首次）并启动服务"), ("serve", "启动服务")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument("--workers", type=int, default=None,
                       help="工作进程数：共用一份内存映射的向量索引（serve 默认按 CPU 核数，最多 4；demo 默认 1）")
    p = sub.add_parser("import", help="从 CSV/XLSX 批量导入岗位或求职者")
    p.add_argument("kind", choices=["postings", "seekers"])
    p.add_argument("file")
    p.add_argument("--allow-partial", action="store_true", help="只导入通过校验的行")
    p.add_argument("--dry-run", action="store_true", help="只显示列对应关系、错误与重复行，不导入")
    p = sub.add_parser("index", help="向量索引维护")
    p.add_argument("action", choices=["rebuild"])
    p = sub.add_parser("match", help="为求职者或一段简历文字匹配岗位")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--seeker", type=int)
    group.add_argument("--text")
    p.add_argument("--street", help="配合 --text：所在街道")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.add_argument("--server", help="向已运行的服务查询（如 http://127.0.0.1:8000），不在本机加载模型；"
                                    "也可设环境变量 JOBCIRCLE_SERVER_URL，令牌取自 JOBCIRCLE_TOKEN")
    p = sub.add_parser("users", help="用户与令牌：add 创建（令牌只显示一次）、revoke 吊销、list 列出")
    users = p.add_subparsers(dest="action", required=True)
    q = users.add_parser("add", help="创建用户并发放令牌")
    q.add_argument("--name", required=True)
    q.add_argument("--role", required=True, choices=["seeker", "counsellor", "admin"])
    q.add_argument("--station", type=int, action="append", help="所属服务站点编号，可重复")
    q.add_argument("--district-wide", action="store_true", help="区级就业援助员：可查看全区")
    q.add_argument("--seeker", type=int, help="求职者账号对应的求职者编号")
    q = users.add_parser("revoke", help="吊销令牌")
    group = q.add_mutually_exclusive_group(required=True)
    group.add_argument("--token")
    group.add_argument("--user", type=int, help="吊销该用户的全部令牌")
    users.add_parser("list", help="列出用户（不显示令牌）")
    p = sub.add_parser("ledger", help="防篡改服务台账：verify 校验、checkpoint 签发检查点、export-checkpoints 导出检查点")
    p.add_argument("action", choices=["verify", "checkpoint", "export-checkpoints"])
    p.add_argument("file", nargs="?", help="export-checkpoints 的输出文件")
    p.add_argument("--checkpoints", help="verify 时改用另行保存的检查点文件（export-checkpoints 的输出）")
    p = sub.add_parser("backup", help="备份数据库、区级密钥与台账签名密钥到一个新目录（服务可在运行中）")
    p.add_argument("dir")
    p = sub.add_parser("restore", help="从备份目录恢复（先停止服务；原有数据移到数据目录下 before-restore-时间）")
    p.add_argument("dir")
    sub.add_parser("purge-withdrawn", help="删除撤回同意已满保留期限（JOBCIRCLE_WITHDRAWN_RETENTION_DAYS，默认180天）的求职者个人信息；可重复运行")
    p = sub.add_parser("occupations", help="职业编码：从标准输入逐行读岗位名称")
    p.add_argument("action", choices=["code"])
    p.add_argument("--top", type=int, default=5, help="每个名称返回的候选数")
    p.add_argument("--json", action="store_true", help="每行输出一个 JSON 对象")
    p = sub.add_parser("postings", help="岗位：check 合规检查（从标准输入逐行读任职要求，输出 JSON）；export 导出全部岗位")
    p.add_argument("action", choices=["check", "export"])
    p.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv", help="export 的文件格式")
    p.add_argument("--out", help="export 写入的文件（csv、jsonl 默认写到标准输出）")
    from cli.places import add_parser as add_places_parser
    add_places_parser(sub)
    for name, helptext in (("evaluate", "离线评估：匹配质量对比（基线、完整排序与消融）"),
                           ("bench", "性能基准：向量索引、编码、端到端延迟与吞吐")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--quick", action="store_true", help="小规模快速运行（CI 使用）")
        p.add_argument("--out", help="报告目录（默认 reports/<时间戳>）")
    from cli import activities as activities_cli  # trainings and events (issue 14)

    activities_cli.add_parsers(sub)
    return parser


def cmd_activities(args, settings: Settings) -> int:
    from cli import activities as activities_cli

    service = _service(settings, progress=False)
    try:
        return activities_cli.run(args, service)
    finally:
        service.stop()


COMMANDS = {"demo": cmd_demo, "serve": cmd_serve, "import": cmd_import, "index": cmd_index, "match": cmd_match,
            "users": cmd_users, "ledger": cmd_ledger, "occupations": cmd_occupations, "postings": cmd_postings,
            "evaluate": cmd_evaluate, "bench": cmd_bench, "backup": cmd_backup, "restore": cmd_restore,
            "places": cmd_places}
COMMANDS |= {"trainings": cmd_activities, "events": cmd_activities, "nearby": cmd_activities}
COMMANDS["purge-withdrawn"] = cmd_purge_withdrawn


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("JOBCIRCLE_LOG_LEVEL", "WARNING"))
    args = build_parser().parse_args(argv)
    from matcher.errors import JobCircleError
    from models.encoder import ModelMissingError

    try:
        return COMMANDS[args.command](args, Settings())
    except ModelMissingError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 3
    except JobCircleError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
