"""The `jobcircle` command line: thin `main()` over functions that take their dependencies."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from matcher.settings import Settings


def _service(settings: Settings, *, progress: bool = True):
    from matcher.service import JobCircle

    return JobCircle(settings, coder=_coder(settings), commute=_commute()).start(progress=progress)


def _coder(settings: Settings):
    """The occupation coder over the same encoder, when the module is present."""
    try:
        from matcher.occupations import OccupationCoder
    except ImportError:
        return None
    from models.encoder import load_encoder

    return _LazyCoder(lambda: OccupationCoder(load_encoder(settings.encoder)))


class _LazyCoder:
    def __init__(self, build):
        self._build, self._coder = build, None

    def fit(self):
        if self._coder is None:
            self._coder = self._build()
            self._coder.fit()
        return self

    fitted_ = False

    def code(self, titles, top_k=3):
        return self.fit()._coder.code(titles, top_k=top_k)


def _commute():
    try:
        from matcher.commute import MetroCommute
    except ImportError:
        return None
    return MetroCommute()


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
    return {"stations": len(station_ids), "postings": len(posting_ids), "seekers": len(seeker_ids)}


def cmd_demo(args, settings: Settings) -> int:
    service = _service(settings)
    if service.stats()["postings_open"] == 0:
        print("首次运行：正在生成虹口区示例数据（合成数据，非真实单位与人员）……", file=sys.stderr)
        counts = seed_demo(service)
        print(f"已载入：{counts['stations']} 个服务站点、{counts['postings']} 个岗位、{counts['seekers']} 名求职者", file=sys.stderr)
    return _serve(service, settings, args.host, args.port)


def _serve(service, settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from api.app import create_app

    app = create_app(settings, service=service)
    print(f"jobcircle 已启动：API 文档 http://{host}:{port}/docs  （数据目录 {settings.data_dir}）", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    return _serve(_service(settings), settings, args.host, args.port)


def cmd_import(args, settings: Settings) -> int:
    from matcher.errors import InvalidInput
    from matcher.ingest import import_file

    service = _service(settings)
    kind = {"postings": "posting", "seekers": "seeker"}[args.kind]
    try:
        result = import_file(service, kind, Path(args.file), allow_partial=args.allow_partial, progress=True)
    except InvalidInput as exc:
        print(f"导入失败：{exc.message}", file=sys.stderr)
        return 2
    finally:
        service.stop()
    for error in result.errors:
        print(f"第{error['row']}行 “{error['column']}”：{error['reason']}", file=sys.stderr)
    if result.unknown_columns:
        print(f"未识别的列（未导入）：{'、'.join(result.unknown_columns)}", file=sys.stderr)
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


def cmd_match(args, settings: Settings) -> int:
    from matcher.errors import JobCircleError

    service = _service(settings, progress=False)
    try:
        if args.seeker is not None:
            results = service.match_seeker(args.seeker, args.k)
        else:
            results = service.match_text(args.text, k=args.k, street=args.street)
    except JobCircleError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    if args.json:
        keys = ("posting_id", "title", "score", "breakdown", "explanation")
        print(json.dumps({"results": [{k: r[k] for k in keys} | r for r in results]}, ensure_ascii=False))
    else:
        for rank, r in enumerate(results, 1):
            print(f"{rank}. [{r['posting_id']}] {r['title']} — {r['employer']}  得分 {r['score']:.3f}")
            print(f"   {r['explanation']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobcircle", description="15分钟就业服务圈 岗位匹配服务")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, helptext in (("demo", "载入示例数据（首次）并启动服务"), ("serve", "启动服务")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
    p = sub.add_parser("import", help="从 CSV/XLSX 批量导入岗位或求职者")
    p.add_argument("kind", choices=["postings", "seekers"])
    p.add_argument("file")
    p.add_argument("--allow-partial", action="store_true", help="只导入通过校验的行")
    p = sub.add_parser("index", help="向量索引维护")
    p.add_argument("action", choices=["rebuild"])
    p = sub.add_parser("match", help="为求职者或一段简历文字匹配岗位")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--seeker", type=int)
    group.add_argument("--text")
    p.add_argument("--street", help="配合 --text：所在街道")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--json", action="store_true")
    return parser


COMMANDS = {"demo": cmd_demo, "serve": cmd_serve, "import": cmd_import, "index": cmd_index, "match": cmd_match}


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("JOBCIRCLE_LOG_LEVEL", "WARNING"))
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args, Settings())


if __name__ == "__main__":
    sys.exit(main())
