"""Developer tool: autogenerate the next Alembic migration from the ORM models.

Usage: python scripts/make_migration.py "what changed"
It upgrades a throwaway SQLite database to head, diffs it against the models and writes
data/migrations/versions/NNNN_<slug>.py; review the file before committing.
"""
import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import db  # noqa: E402
import data.all_tables  # noqa: E402,F401  (registers every table on Base.metadata)


def main() -> None:
    message = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/scratch.db")
        db.migrate(engine)
        cfg = db.alembic_config(engine)
        heads = ScriptDirectory.from_config(cfg).get_heads()
        number = len(list(ScriptDirectory.from_config(cfg).walk_revisions())) + 1
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.revision(
                cfg,
                message=message,
                autogenerate=True,
                rev_id=f"{number:04d}",
                head=heads[0] if heads else "base",
            )
    print("written; rename is not needed:", re.sub(r"\W+", "_", message))


if __name__ == "__main__":
    main()
