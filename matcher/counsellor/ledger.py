"""Tamper-evident record of the services counsellors give and the outcomes that follow.

Tamper-evident, not a blockchain: one district keeps the record; anyone holding the exported
checkpoints and the public key can tell whether it was changed afterwards.

Scheme (hash chain with RFC 6962 leaf hashing, chosen over a Merkle tree because the record is
small enough to verify in full, and a chain needs no proof machinery):

* ``leaf_hash  = SHA-256(0x00 || canonical JSON of the entry)``, the canonical JSON being the
  entry's eight fields (seq, time, subject, actor, station_id, service_code, posting_id, outcome)
  with sorted keys, no spaces, ASCII only. ``seq`` is inside the hash, so reordering is detected.
* ``chain_hash = SHA-256(0x01 || previous chain_hash || leaf_hash)``, starting from 32 zero bytes,
  so entry *n* commits to every entry before it. The root of a record of size *n* is the chain
  hash of entry *n* (32 zero bytes for an empty record).
* A checkpoint is the statement ``{size, root_hash, time, key_id}`` signed with Ed25519. Checkpoints
  are made every ``checkpoint_every`` entries (by default every entry, in the append's own
  transaction, so no entry is ever outside a signed checkpoint) and on demand, stored, and exportable as JSON to keep
  elsewhere. Editing, reordering, inserting or deleting entries breaks a link or a leaf hash; a
  consistent rewrite of the whole record, or cutting off its tail, is caught by the last checkpoint.
  What was appended after the last checkpoint kept elsewhere can be rewritten undetectably by
  whoever controls the database; checkpoint often.

Entries carry only pseudonyms (HMAC-SHA256 under a district secret), codes and integer ids; every
field is validated so that no name, phone number or free text can enter the record.

Concurrency: the next ``seq`` and the previous chain hash are read and the new row written in one
transaction. On SQLite that transaction starts with ``BEGIN IMMEDIATE`` (writers queue on the
database lock); on PostgreSQL it takes a transaction-level advisory lock
(``pg_advisory_xact_lock``). ``seq`` is the primary key, so even without the lock two appends can
never both become entry *n*: the loser's insert fails and it retries from the new head.
"""
from __future__ import annotations

import hashlib
import json
import os
import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from data.ledger_tables import LedgerCheckpoint, LedgerEntry
from matcher.counsellor.ledger_format import (  # noqa: F401 - re-exported: the ledger's public names
    Checkpoint,
    Entry,
    GENESIS,
    LedgerError,
    OUTCOME_CODES,
    SERVICE_CODES,
    VerifyResult,
    _PG_LOCK_KEY,
    _is_int,
    _utc_iso,
    _validate,
    chain_hash,
    leaf_hash,
    pseudonym,
    pseudonym_for_key,
    statement_bytes,
)


__all__ = [
    "GENESIS",
    "OUTCOME_CODES",
    "SERVICE_CODES",
    "Checkpoint",
    "CheckpointSigner",
    "Entry",
    "Ledger",
    "LedgerError",
    "VerifyResult",
    "chain_hash",
    "leaf_hash",
    "load_checkpoints",
    "load_public_key",
    "pseudonym",
    "pseudonym_for_key",
    "verify",
]

# ---------------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------------

def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(pem: str | bytes | Ed25519PublicKey) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM text (as exported by `CheckpointSigner.public_key_pem`)."""
    if isinstance(pem, Ed25519PublicKey):
        return pem
    key = serialization.load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerError("公钥必须是 Ed25519 公钥")
    return key


class CheckpointSigner:
    """Holds the Ed25519 key that signs checkpoints."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = private_key.public_key()
        self.key_id = key_id_of(self.public_key)

    @classmethod
    def generate(cls) -> "CheckpointSigner":
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: str | os.PathLike[str]) -> "CheckpointSigner":
        """Load the key file, or create it (mode 0600) on first use.

        Creation writes a temporary file and hard-links it into place, so two processes starting
        at once end up sharing one complete key rather than one overwriting the other's.
        """
        path = Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{_time.monotonic_ns()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
                    fh.flush()
                    os.fsync(fh.fileno())
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass  # another process won the race; use its key
            finally:
                tmp.unlink(missing_ok=True)
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise LedgerError(f"签名密钥文件 {path} 的权限过宽（{oct(path.stat().st_mode & 0o777)}），请改为 600 后重试")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise LedgerError(f"{path} 不是 Ed25519 私钥")
        return cls(key)

    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def sign_checkpoint(self, size: int, root_hash: str, time: str) -> Checkpoint:
        signature = self._key.sign(statement_bytes(size, root_hash, time, self.key_id)).hex()
        return Checkpoint(size=size, root_hash=root_hash, time=time, signature=signature, key_id=self.key_id)


# ---------------------------------------------------------------------------------------------------
# Verification (pure)
# ---------------------------------------------------------------------------------------------------

def verify(
    entries: Iterable[Any], checkpoints: Iterable[Any], public_key: str | bytes | Ed25519PublicKey
) -> VerifyResult:
    """Check a record (entries in seq order) against signed checkpoints (in the order they were made).

    Each entry must reproduce its leaf hash and link to the one before; seq must run 1, 2, 3, ...
    A checkpoint is used only if its signature verifies under `public_key` and its size is not
    smaller than an earlier accepted one; then the record's root at that size must equal the
    checkpoint's root, and the record may not be shorter than it. Problems are in Chinese.
    """
    key = load_public_key(public_key)
    items = [Entry.of(e) for e in entries]
    problems: list[str] = []
    bad: list[int] = []

    def flag(seq: int | None, message: str) -> None:
        problems.append(message)
        if seq is not None:
            bad.append(seq)

    roots = [GENESIS]  # roots[k] = chain recomputed from the contents of entries 1..k
    stored_prev = GENESIS
    for position, e in enumerate(items, start=1):
        if e.seq != position:
            if _is_int(e.seq) and e.seq > position:
                missing = f"{position}" if e.seq == position + 1 else f"{position}–{e.seq - 1}"
                flag(position, f"第 {missing} 条记录缺失（记录被删除，或后面的记录被改了序号）")
            else:
                flag(position, f"第 {position} 个位置上的记录序号是 {e.seq}，序号重复或顺序被打乱")
        fields = asdict(e)
        try:
            _validate(fields)
            leaf = leaf_hash(fields)
        except (LedgerError, KeyError, TypeError) as exc:
            flag(position, f"第 {position} 条记录含有不允许的内容：{exc}")
            leaf = hashlib.sha256(b"\x00invalid").hexdigest()
        if leaf != e.leaf_hash:
            flag(position, f"第 {position} 条记录的内容与它的哈希不符（记录被改动）")
        elif chain_hash(stored_prev, e.leaf_hash) != e.chain_hash:
            flag(position, f"第 {position} 条记录与前一条记录的链哈希接不上（有记录被插入、删除、调换或重写）")
        roots.append(chain_hash(roots[-1], leaf))
        stored_prev = e.chain_hash

    size = len(items)
    entry_bad = list(bad)
    accepted_size = -1
    accepted_upto = 0  # largest size confirmed by an accepted, matching checkpoint
    for number, raw in enumerate(checkpoints, start=1):
        try:
            cp = Checkpoint.of(raw)
            key.verify(bytes.fromhex(cp.signature), cp.statement())
        except (InvalidSignature, ValueError, TypeError, AttributeError, KeyError):
            flag(None, f"第 {number} 个检查点的签名无法用给定的公钥验证（签名错误或不是本区密钥签发），已拒绝该检查点")
            continue
        if cp.size < accepted_size:
            flag(None, f"第 {number} 个检查点记录的条数 {cp.size} 小于之前检查点的 {accepted_size}，记录只能增加，已拒绝该检查点")
            continue
        accepted_size = cp.size
        if cp.size > size:
            flag(size + 1, f"第 {number} 个检查点证明记录曾有 {cp.size} 条，现在只有 {size} 条：末尾的记录被删除")
        elif roots[cp.size] != cp.root_hash:
            located = [seq for seq in entry_bad if seq <= cp.size]
            flag(min(located) if located else accepted_upto + 1, f"前 {cp.size} 条记录与第 {number} 个检查点的根哈希不符（检查点之后记录被改写）")
        else:
            accepted_upto = max(accepted_upto, cp.size)
    return VerifyResult(ok=not problems, size=size, problems=problems, first_bad_seq=min(bad) if bad else None)


def load_checkpoints(data: str | bytes) -> list[Checkpoint]:
    """Checkpoints from the JSON written by `Ledger.export_checkpoints` (or a bare list of them)."""
    obj = json.loads(data)
    items = obj["checkpoints"] if isinstance(obj, dict) else obj
    return [Checkpoint.of(item) for item in items]


# ---------------------------------------------------------------------------------------------------
# The stored ledger
# ---------------------------------------------------------------------------------------------------

def _before_commit(entry: Entry) -> None:
    """Runs after an entry is hashed and written, just before its commit; tests raise here to simulate a crash."""


def _is_retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # another appender took this seq first
    message = str(exc).lower()
    return isinstance(exc, OperationalError) and ("locked" in message or "busy" in message or "deadlock" in message)


class Ledger:
    """Append-only service record over a SQL database (SQLite or PostgreSQL)."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        signer: CheckpointSigner,
        *,
        checkpoint_every: int = 1,
        clock: Callable[[], datetime] | None = None,
        max_attempts: int = 50,
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError("checkpoint_every must be >= 1")
        self.session_factory = session_factory
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.max_attempts = max_attempts

    # -- writing ------------------------------------------------------------------------------------

    @staticmethod
    def _lock(session: Session) -> None:
        """Serialise writers for the rest of this transaction (see the module docstring)."""
        connection = session.connection()
        dialect = connection.dialect.name
        if dialect == "sqlite":
            dbapi = connection.connection.dbapi_connection
            if not getattr(dbapi, "in_transaction", False):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})

    @staticmethod
    def _head(session: Session) -> tuple[int, str]:
        row = session.execute(
            select(LedgerEntry.seq, LedgerEntry.chain_hash).order_by(LedgerEntry.seq.desc()).limit(1)
        ).first()
        return (row[0], row[1]) if row else (0, GENESIS)

    def _with_retry(self, work: Callable[[Session], Any]) -> Any:
        for attempt in range(self.max_attempts):
            with self.session_factory() as session:
                try:
                    self._lock(session)
                    result = work(session)
                    session.commit()
                    return result
                except (IntegrityError, OperationalError) as exc:
                    session.rollback()
                    if not _is_retryable(exc) or attempt == self.max_attempts - 1:
                        raise
                except BaseException:
                    session.rollback()
                    raise
            _time.sleep(min(0.005 * (attempt + 1), 0.1))
        raise RuntimeError("unreachable")

    def append(
        self,
        subject: str,
        actor: str,
        station_id: int,
        service_code: str,
        posting_id: int | None = None,
        outcome: str | None = None,
        *,
        also: Callable[[Session, Entry], Any] | None = None,
    ) -> Entry:
        """Record one service (and optionally its outcome); returns the stored entry.

        `subject` and `actor` must be pseudonyms (`pseudonym(secret, "seeker", id)`,
        `pseudonym(secret, "counsellor", id)`); anything else raises LedgerError. `also(session, entry)`
        runs in the append's transaction, so a row written there commits together with the entry.
        """
        probe = {
            "seq": 1, "time": _utc_iso(self.clock()), "subject": subject, "actor": actor,
            "station_id": station_id, "service_code": service_code, "posting_id": posting_id, "outcome": outcome,
        }
        _validate(probe)  # fail before touching the database

        def work(session: Session) -> Entry:
            seq, previous = self._head(session)
            fields = {**probe, "seq": seq + 1, "time": _utc_iso(self.clock())}
            leaf = leaf_hash(fields)
            entry = Entry(**fields, leaf_hash=leaf, chain_hash=chain_hash(previous, leaf))
            session.add(LedgerEntry(**asdict(entry)))
            session.flush()
            if entry.seq % self.checkpoint_every == 0:
                # Same transaction, so the periodic checkpoint is of exactly this size.
                cp = self.signer.sign_checkpoint(entry.seq, entry.chain_hash, entry.time)
                session.add(LedgerCheckpoint(**asdict(cp)))
            if also is not None:
                also(session, entry)
            _before_commit(entry)
            return entry

        return self._with_retry(work)

    def checkpoint(self) -> Checkpoint:
        """Sign and store a checkpoint of the record as it is now."""

        def work(session: Session) -> Checkpoint:
            size, root = self._head(session)
            cp = self.signer.sign_checkpoint(size, root, _utc_iso(self.clock()))
            session.add(LedgerCheckpoint(**asdict(cp)))
            return cp

        return self._with_retry(work)

    # -- reading ------------------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        with self.session_factory() as session:
            rows = session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq)).all()
            return [Entry.of(r) for r in rows]

    def checkpoints(self) -> list[Checkpoint]:
        with self.session_factory() as session:
            rows = session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.id)).all()
            return [Checkpoint.of(r) for r in rows]

    def verify(
        self,
        checkpoints: Sequence[Checkpoint] | None = None,
        public_key: str | bytes | Ed25519PublicKey | None = None,
    ) -> VerifyResult:
        """Verify the stored record against the stored checkpoints, or against copies kept elsewhere."""
        # Checkpoints first: one read before the entries never covers more entries than are then read,
        # so an append racing with verification cannot look like a truncation.
        stored = self.checkpoints() if checkpoints is None else list(checkpoints)
        return verify(self.entries(), stored, self.signer.public_key if public_key is None else public_key)

    def public_key_pem(self) -> str:
        return self.signer.public_key_pem()

    def export_checkpoints(self) -> str:
        """JSON with the public key and every checkpoint, to be kept outside this database."""
        return json.dumps(
            {
                "scheme": "jobcircle-ledger/v1: leaf=SHA-256(0x00||canonical JSON), chain=SHA-256(0x01||prev||leaf)",
                "key_id": self.signer.key_id,
                "public_key_pem": self.public_key_pem(),
                "checkpoints": [cp.to_dict() for cp in self.checkpoints()],
            },
            ensure_ascii=False,
            indent=2,
        )
