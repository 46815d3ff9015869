"""The database as the product sees it: one engine, one session factory, migrations, change numbers.

Built once by the service (or a test) and passed to whoever needs storage, so nothing reaches into
another object's private session helper.
"""
from __future__ import annotations

from sqlalchemy import Engine
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
        """Reserve `n` consecutive change numbers; returns the first. Serialised by the row lock."""
        counter = session.get(Counter, name, with_for_update=True)
        if counter is None:
            counter = Counter(name=name, value=0)
            session.add(counter)
            session.flush()
        first = counter.value + 1
        counter.value += n
        session.flush()
        return first
