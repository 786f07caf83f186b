"""Key rotation: re-encrypt every ciphertext under the newest key version, a batch at a time.

Each batch is its own short transaction, so the service keeps running while it happens;
values written meanwhile under an older version are caught by running rotate again, and
`version_counts` shows when no ciphertext needs an old version any more (then it can go).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from sqlalchemy import Table, select, update

from rostersync.store import Store
from rostersync.store.crypto import Keyring
from rostersync.store.tables import ENCRYPTED_COLUMNS, STAGED_CIPHERTEXTS, Base

_BATCH = 500


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _ciphertext_tables() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """Each table holding ciphertexts, the table they are sealed for, and their columns."""
    for name, columns in ENCRYPTED_COLUMNS.items():
        yield name, name, columns
    for name, live in STAGED_CIPHERTEXTS.items():
        yield name, live, ENCRYPTED_COLUMNS[live]


def version_counts(store: Store) -> dict[str, dict[int, int]]:
    """Per `table.column`, how many ciphertexts each key version holds."""
    counts: dict[str, dict[int, int]] = {}
    with store.engine.connect() as connection:
        for name, _sealed_for, columns in _ciphertext_tables():
            table = _table(name)
            for column in columns:
                values = connection.execute(select(table.c[column])).scalars()
                tally = Counter(store.keyring.key_version_of(v) for v in values if v is not None)
                counts[f"{name}.{column}"] = dict(sorted(tally.items()))
    return counts


def _rotate_table(store: Store, name: str, sealed_for: str, columns: tuple[str, ...]) -> int:
    keyring: Keyring = store.keyring
    table = _table(name)
    (key,) = table.primary_key.columns
    done = 0
    last = None
    while True:
        with store.engine.begin() as connection:
            query = select(key, *(table.c[c] for c in columns)).order_by(key).limit(_BATCH)
            if last is not None:
                query = query.where(key > last)
            rows = connection.execute(query).all()
            for row in rows:
                values: dict[str, str | None] = {}
                for column, token in zip(columns, row[1:], strict=True):
                    if token is None or keyring.key_version_of(token) == keyring.current_version:
                        continue
                    context = f"{sealed_for}.{column}"
                    plain = keyring.decrypt(token, context=context)
                    values[column] = keyring.encrypt(plain, context=context)
                    if sealed_for == "people" and column == "work_email":
                        values["work_email_index"] = keyring.blind_index(plain)
                if values:
                    connection.execute(update(table).where(key == row[0]).values(**values))
                    done += 1
        if len(rows) < _BATCH:
            return done
        last = rows[-1][0]


def reencrypt_all(store: Store) -> dict[str, int]:
    """Rows re-encrypted per table; blind indexes are recomputed with the new index key."""
    return {
        name: _rotate_table(store, name, sealed_for, columns)
        for name, sealed_for, columns in _ciphertext_tables()
    }
