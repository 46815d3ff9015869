"""One SELECT compiled once and run on the driver's own cursor: the hot path's single indexed read.

`JobCircle.match_seeker` reads one seeker row per request. Through an ORM session that read cost more
than the FAISS search; through a Core connection still about a third of it, most of it the Connection,
Result and Row machinery around one row (and more when the ranking has just pushed that code out of
the CPU caches). `PreparedRead` keeps what matters of that path: the statement SQLAlchemy compiled for
this engine's dialect, the pool (checkout, pre-ping, reset on return), and SQLAlchemy's own result
processors per column, chosen as SQLAlchemy chooses them from the driver's column types (JSON
decoded, SQLite's datetime text parsed, PostgreSQL's numerics), so a row holds the values
`connection.execute(statement).one_or_none()` would give, with the same attribute names.
"""
from __future__ import annotations

from collections import namedtuple

from sqlalchemy import Engine, Select
from sqlalchemy.exc import MultipleResultsFound


class PreparedRead:
    """`PreparedRead(engine, select).one_or_none(**params)`: a named tuple of the selected columns, or None.

    Every bound parameter is given by name, and passed to the driver as given (the statements it is
    used for bind integer ids, which no dialect converts)."""

    def __init__(self, engine: Engine, statement: Select):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        self.engine, self.sql = engine, str(compiled)
        self._names = tuple(compiled.positiontup or ()) if compiled.positional else None
        self._columns = list(statement.selected_columns)
        self._processors: dict[tuple, list] = {}  # by the driver's column type codes (as SQLAlchemy keys them)
        self._row = namedtuple("Row", [column.key for column in self._columns])

    def _processors_for(self, description) -> list:
        codes = tuple(item[1] for item in description)
        found = self._processors.get(codes)
        if found is None:
            dialect = self.engine.dialect
            found = self._processors[codes] = [column.type.dialect_impl(dialect).result_processor(dialect, code)
                                               for column, code in zip(self._columns, codes)]
        return found

    def one_or_none(self, **params):
        args = tuple(params[name] for name in self._names) if self._names is not None else params
        connection = self.engine.raw_connection()  # from the pool; returned (and reset) on close
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self.sql, args)
                rows = cursor.fetchmany(2)
                processors = self._processors_for(cursor.description)
            finally:
                cursor.close()
        finally:
            connection.close()
        if not rows:
            return None
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        return self._row._make([value if process is None else process(value)
                                for process, value in zip(processors, rows[0])])
