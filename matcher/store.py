"""The database as the product sees it: one engine, one session factory, migrations, change numbers.

Built once by the service (or a test) and passed to whoever needs storage, so nothing reaches into
another object's private session helper.
"""
from __future__ import annotations

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from data import db
from data.schema import Counter
from matcher.errors import NotReady


class Database:
    """`Database(url).open()` migrates the schema; `session()` then hands out ORM sessions."""

    def __init__(self, url: str):
        self.url = url
        self.engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    def open(self) -> "Database":
        if self.engine is None:
            self.engine = db.make_engine(self.url)
            db.migrate(self.engine)
            self._sessions = db.session_factory(self.engine)
        return self

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    @property
    def is_open(self) -> bool:
        return self._sessions is not None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name if self.engine is not None else ""

    def session(self) -> Session:
        """A new session; use as `with db.session() as s, s.begin(): ...` for a write."""
        if self._sessions is None:
            raise NotReady("服务尚未启动")
        return self._sessions()

    @staticmethod
    def take_seq(session: Session, name: str, n: int) -> int:
        """Reserve `n` consecutive change numbers in the caller's transaction; returns the first.

        One atomic `UPDATE ... SET value = value + n` (never read-then-write: SQLite's driver reads
        outside the transaction, so two writers would read the same value). The update takes the
        counter's row lock (PostgreSQL) or the database's write lock (SQLite) and holds it until the
        caller commits, so numbers are unique, gap-free and committed in order: a reader that sees
        number N committed may trust that every number below N is committed too.
        """
        table = Counter.__table__
        bump = update(table).where(table.c.name == name).values(value=table.c.value + n)
        if session.execute(bump).rowcount == 0:
            # First use of this counter: create it unless another writer just did, then bump it.
            dialect = session.get_bind().dialect.name
            module = postgresql if dialect == "postgresql" else sqlite
            session.execute(module.insert(table).values(name=name, value=0).on_conflict_do_nothing())
            session.execute(bump)
        value = session.execute(select(table.c.value).where(table.c.name == name)).scalar_one()
        return value - n + 1
