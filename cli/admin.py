"""The administrator's commands that need no model: users and tokens, the service ledger, backup and restore,
and purging the records of seekers who withdrew consent (after the retention period)."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

from matcher.settings import Settings


def _database(settings: Settings):
    """A session factory over the migrated database, without loading the model (for users and ledger)."""
    from data import db

    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    return db.session_factory(engine)


def cmd_users(args, settings: Settings) -> int:
    from matcher.counsellor import access
    from matcher.errors import JobCircleError

    sessions = _database(settings)
    try:
        with sessions() as session, session.begin():
            if args.action == "add":
                user_id, token = access.add_user(session, name=args.name, role=args.role, station_ids=args.station or [],
                                                 district_wide=args.district_wide, seeker_id=args.seeker)
                print(f"已创建用户 {user_id}（{args.name}）。令牌只显示这一次，请妥善转交：", file=sys.stderr)
                print(token)
            elif args.action == "revoke":
                if args.token:
                    if not access.revoke_token(session, args.token):
                        print("未找到该令牌，或它已被吊销", file=sys.stderr)
                        return 1
                    print("令牌已吊销")
                else:
                    print(f"已吊销用户 {args.user} 的 {access.revoke_user(session, args.user)} 个令牌")
            else:
                for user in access.list_users(session):
                    scope = "全区" if user["district_wide"] else "、".join(map(str, user["station_ids"])) or "-"
                    seeker = user["seeker_id"] if user["seeker_id"] is not None else "-"
                    print(f"{user['id']}\t{user['name']}\t{user['role_name']}\t站点：{scope}\t求职者：{seeker}\t有效令牌：{user['live_tokens']}")
    except JobCircleError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    if args.action == "revoke":
        from api.tokens import bump_generation

        bump_generation(settings.data_dir)  # running workers drop their cached token checks now
    return 0


def cmd_ledger(args, settings: Settings) -> int:
    from matcher.counsellor.ledger import LedgerError, load_checkpoints
    from matcher.counsellor.records import load_secret, open_ledger, verify_all

    try:
        sessions = _database(settings)
        ledger = open_ledger(sessions, settings.data_dir)
        if args.action == "verify":
            checkpoints, key = None, None
            if args.checkpoints:
                text = Path(args.checkpoints).read_text(encoding="utf-8")
                checkpoints = load_checkpoints(text)
                key = json.loads(text).get("public_key_pem") if text.lstrip().startswith("{") else None
            report = verify_all(sessions, ledger, load_secret(settings.secret_path, sessions),
                                checkpoints=checkpoints, public_key=key)
            if report["ok"]:
                print(report["message"])
                return 0
            print(f"服务台账校验未通过（共 {report['size']} 条记录）：", file=sys.stderr)
            if report["first_bad_record"]:
                print(f"  第一处不符的服务记录：{report['first_bad_record']['message']}", file=sys.stderr)
            for problem in report["problems"]:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        if args.action == "checkpoint":
            cp = ledger.checkpoint()
            print(f"已签发检查点：{cp.size} 条记录，根哈希 {cp.root_hash}，密钥 {cp.key_id}")
            return 0
        if not args.file:
            print("请指定导出文件：jobcircle ledger export-checkpoints 文件名", file=sys.stderr)
            return 2
        Path(args.file).write_text(ledger.export_checkpoints(), encoding="utf-8")
        print(f"检查点与公钥已导出到 {args.file}，请另行保存（如交区级中心或打印存档）")
        return 0
    except (LedgerError, OSError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def cmd_backup(args, settings: Settings) -> int:
    from matcher.backup import backup
    from matcher.counsellor.ledger import LedgerError

    try:
        done = backup(settings, Path(args.dir))
    except (LedgerError, OSError, sqlite3.Error) as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 2
    print(f"已备份到 {done['dir']}：数据库（{done['database']}）、区级密钥、台账签名密钥与检查点，"
          f"台账 {done['ledger_entries']} 条。备份含个人信息与密钥，请加密保存、限制访问。")
    return 0


def cmd_restore(args, settings: Settings) -> int:
    from matcher.backup import restore
    from matcher.counsellor.ledger import LedgerError

    try:
        report = restore(settings, Path(args.dir))
    except (LedgerError, OSError, sqlite3.Error, json.JSONDecodeError) as exc:
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 2
    if report["moved_aside"]:
        print(f"原有数据已移到 {report['moved_aside']}（未删除）", file=sys.stderr)
    print(f"已从 {args.dir}（备份于 {report['backup_created_at']}）恢复。向量索引将在启动时重建。")
    if report.get("reerased"):
        print(f"按删除登记重新删除了 {report['reerased']} 名备份后已删除个人信息的求职者（备份中的旧记录不会恢复）。")
    if report["ok"]:
        print(report["message"])
        return 0
    print("恢复后的台账校验未通过：", file=sys.stderr)
    for problem in report["problems"]:
        print(f"  - {problem}", file=sys.stderr)
    return 1


def cmd_purge_withdrawn(args, settings: Settings) -> int:
    """Delete the personal data of seekers whose consent was withdrawn more than
    `withdrawn_retention_days` ago (PIPL art. 47); safe to run again (cron), it then finds nobody."""
    from matcher.counsellor.erasure import PURGE_LOG, purge_withdrawn
    from matcher.store import Database

    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    database = Database(settings.database_url).open()
    try:
        done = purge_withdrawn(database, settings)
    except (OSError, sqlite3.Error) as exc:
        print(f"删除失败：{exc}", file=sys.stderr)
        return 2
    finally:
        database.close()
    days = settings.withdrawn_retention_days
    if done["purged"]:
        print(f"已删除 {done['purged']} 名撤回同意满{days}天的求职者的个人信息；区级服务台账只保留假名记录。"
              f"记录见 {settings.data_dir / PURGE_LOG}")
    else:
        print(f"没有撤回同意满{days}天、需要删除的求职者记录。")
    return 0
