"""Alembic environment: runs against the engine rostersync hands it (store.session.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from rostersync.store.tables import Base

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations with `rostersync db upgrade`")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
