"""Backup and restore of one installation: the database, the district secret and the ledger key.

A backup directory holds:

* `jobcircle.db` — a consistent copy made with SQLite's online backup API while the service runs
  (or `jobcircle.pgdump`, `pg_dump --format=custom`, for PostgreSQL);
* `secret.key` — the district secret (keyed hashes of ID numbers, ledger pseudonyms);
* `ledger_ed25519.pem` — the key that signs the ledger's checkpoints;
* `ledger-checkpoints.json` — the public key and every checkpoint, for checking the record elsewhere;
* `erased-seekers.jsonl` — the erasure register (record numbers and dates only), when there is one;
* `manifest.json` — format, time, database kind, ledger size and a SHA-256 of every file.

Vector indexes are not backed up: they are a cache of the database and are rebuilt on start.
The backup holds personal data and two secrets: files are owner-only (0600, directory 0700).

`restore` checks every checksum before touching anything, moves whatever the data directory held
into `<data_dir>/before-restore-<time>/` (nothing is deleted), puts the backup in place and
erases again every seeker the erasure register names (the data directory's and the backup's copy),
so a backup taken before an erasure never brings the person back (PIPL art. 47), and verifies the
ledger and the service records against it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from matcher.counsellor import erasure
from matcher.errors import InvalidInput

FORMAT = "jobcircle-backup/1"
SQLITE_FILE = "jobcircle.db"
PG_FILE = "jobcircle.pgdump"
SECRET_FILE = "secret.key"
KEY_FILE = "ledger_ed25519.pem"
CHECKPOINTS_FILE = "ledger-checkpoints.json"
MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _private_copy(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(target, 0o600)


def _kind(url: str) -> str:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise InvalidInput(f"不支持备份该数据库：{make_url(url).drivername}", field="database_url")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("内存数据库无法备份或恢复", field="database_url")
    return Path(database)


def _pg_url(url: str) -> str:
    """A libpq URL (pg_dump does not understand SQLAlchemy's `+psycopg`)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise InvalidInput(f"找不到 {command[0]}：请安装与服务器同版本的 PostgreSQL 客户端工具", field="database_url") from exc
    if done.returncode != 0:
        raise InvalidInput(f"{command[0]} 失败：{done.stderr.strip()[:500]}", field="database_url")


def _ledger_state(settings):
    """(ledger size, checkpoints JSON) of the installation, without loading the model."""
    from data import db
    from matcher.counsellor.records import open_ledger

    engine = db.make_engine(settings.database_url)
    try:
        db.migrate(engine)
        ledger = open_ledger(db.session_factory(engine), settings.data_dir)
        return len(ledger.entries()), ledger.export_checkpoints()
    finally:
        engine.dispose()


def backup(settings, target: Path) -> dict:
    """Write a backup of the running installation into the empty (or new) directory `target`."""
    target = Path(target).expanduser().resolve()
    if target.exists() and any(target.iterdir()):
        raise InvalidInput(f"备份目录 {target} 不是空目录：请换一个新目录，以免覆盖旧备份", field="dir")
    data_dir = settings.data_dir
    kind = _kind(settings.database_url)
    if kind == "sqlite" and not _sqlite_path(settings.database_url).exists():
        raise InvalidInput(f"数据库 {_sqlite_path(settings.database_url)} 不存在，没有可备份的内容", field="database_url")
    size, checkpoints = _ledger_state(settings)  # also refuses when the ledger key is missing
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target, 0o700)
    if kind == "sqlite":
        copy = target / SQLITE_FILE
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        source = sqlite3.connect(_sqlite_path(settings.database_url), timeout=30)
        dest = sqlite3.connect(copy)
        try:
            source.backup(dest)  # online backup API: a consistent snapshot while writers continue
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            if dest.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise InvalidInput("备份副本完整性检查未通过，请重试", field="dir")
        finally:
            dest.close()
            source.close()
        database_file = SQLITE_FILE
    else:
        fd = os.open(target / PG_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target / PG_FILE}", _pg_url(settings.database_url)])
        database_file = PG_FILE
    files = [database_file]
    for name in (SECRET_FILE, KEY_FILE, erasure.REGISTER):
        if (data_dir / name).exists():
            _private_copy(data_dir / name, target / name)
            files.append(name)
    fd = os.open(target / CHECKPOINTS_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(checkpoints)
    files.append(CHECKPOINTS_FILE)
    manifest = {
        "format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(), "database": kind,
        "ledger_entries": size, "files": {name: _sha256(target / name) for name in files},
    }
    fd = os.open(target / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
    return {"dir": str(target), **manifest}


def _read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not path.exists():
        raise InvalidInput(f"{source} 不是 jobcircle 备份目录（缺少 {MANIFEST}）", field="dir")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise InvalidInput(f"无法识别的备份格式：{manifest.get('format')}", field="dir")
    for name, digest in manifest["files"].items():
        if not (source / name).exists():
            raise InvalidInput(f"备份缺少文件 {name}，未做任何恢复", field="dir")
        if _sha256(source / name) != digest:
            raise InvalidInput(f"备份文件 {name} 的校验和不符（文件损坏或被改动），未做任何恢复", field="dir")
    return manifest


def restore(settings, source: Path) -> dict:
    """Put the backup in `source` in place of this installation's database and keys; returns the
    verification of the restored ledger. The service must be stopped while restoring."""
    source = Path(source).expanduser().resolve()
    manifest = _read_manifest(source)
    kind = _kind(settings.database_url)
    if manifest["database"] != kind:
        raise InvalidInput(f"备份来自 {manifest['database']} 数据库，当前配置的是 {kind}", field="database_url")
    if KEY_FILE not in manifest["files"] and manifest.get("ledger_entries"):
        raise InvalidInput("备份中没有台账签名密钥，无法校验台账", field="dir")
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    aside = data_dir / f"before-restore-{stamp}"
    moved = []
    targets = [data_dir / name for name in (SECRET_FILE, KEY_FILE, "index", "seeker_index")]
    if kind == "sqlite":
        db_path = _sqlite_path(settings.database_url)
        targets += [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]
    for path in targets:
        if path.exists():
            aside.mkdir(mode=0o700, exist_ok=True)
            shutil.move(str(path), aside / path.name)
            moved.append(path.name)
    for name in (SECRET_FILE, KEY_FILE):
        if name in manifest["files"]:
            _private_copy(source / name, data_dir / name)
    if kind == "sqlite":
        db_path.parent.mkdir(parents=True, exist_ok=True)
        partial = db_path.with_name(f".{db_path.name}.restoring")
        _private_copy(source / SQLITE_FILE, partial)
        os.replace(partial, db_path)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_pg_url(settings.database_url)}", str(source / PG_FILE)])
    reerased = _apply_erasures(settings, source)
    report = verify_installation(settings)
    report["reerased"] = reerased
    report["moved_aside"] = str(aside) if moved else None
    report["backup_created_at"] = manifest["created_at"]
    return report


def _apply_erasures(settings, source: Path) -> int:
    """Erase again whoever the registers name; the data directory's register becomes their union."""
    from matcher.store import Database

    register = settings.data_dir / erasure.REGISTER
    own = erasure.erased_ids(register)
    carried = erasure.erased_ids(source / erasure.REGISTER)
    if carried - own:
        erasure.register_erasures(settings.data_dir, sorted(carried - own), "carried-by-backup")
    if not own | carried:
        return 0
    database = Database(settings.database_url).open()
    try:
        return erasure.erase_again(database, own | carried)
    finally:
        database.close()


def verify_installation(settings) -> dict:
    """The ledger and the visible service records of an installation, checked (see `records.verify_all`)."""
    from data import db
    from matcher.counsellor.records import load_secret, open_ledger, verify_all

    engine = db.make_engine(settings.database_url)
    try:
        db.migrate(engine)
        sessions = db.session_factory(engine)
        ledger = open_ledger(sessions, settings.data_dir)
        return verify_all(sessions, ledger, load_secret(settings.secret_path, sessions))
    finally:
        engine.dispose()
