"""Storage for the tamper-evident service record (see `matcher.counsellor.ledger` for the hashing scheme).

Rows hold only pseudonyms, codes and integer ids. `time` is kept as the exact UTC ISO string that
was hashed (a DateTime column could be re-formatted by the database and break the hash). There are
no foreign keys: the record must outlive and stay independent of the rows it refers to.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data.schema import Base


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    # Assigned by the appender (1, 2, 3, ...), never by the database: the primary key is what stops
    # two concurrent appends from both becoming entry n.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    station_id: Mapped[int] = mapped_column(Integer)
    service_code: Mapped[str] = mapped_column(String(32))
    posting_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))
    leaf_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))


class LedgerCheckpoint(Base):
    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    root_hash: Mapped[str] = mapped_column(String(64))
    time: Mapped[str] = mapped_column(String(32))
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(32))
