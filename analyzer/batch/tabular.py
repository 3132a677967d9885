"""Rows -> Arrow tables that always convert, and one schema that fits every chunk.

A batch builds its tables chunk by chunk, so no single chunk knows the final column types: a
column may be all empty in one chunk (``start`` of untimed sessions) and numeric in another,
or a metadata column may hold numbers in one corpus and words in another. Rather than let
the first chunk decide (and the next one fail), every chunk is converted on its own and the
final schema is the *union* of the chunks' schemas, resolved by fixed rules that do not
depend on the order chunks arrive in. That is what makes the tables of an interrupted and
resumed run, or of a Dask run, equal to those of a plain one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from operator import itemgetter

import pyarrow as pa


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def column_array(values: Sequence) -> pa.Array:
    """An Arrow array for one column; values of mixed kinds become text instead of failing,
    and a float NaN (a transcript's metadata) is missing: written as ``nan`` into the CSV,
    it made R read the whole column as text (researcher QA, 28 Nov 2026)."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        return pa.array([_as_text(v) for v in values], type=pa.string())
    if pa.types.is_nested(array.type) or pa.types.is_binary(array.type):
        return pa.array([_as_text(v) for v in values], type=pa.string())
    return array


def rows_to_table(rows: list[dict], columns: Sequence[str], extra: bool = False) -> pa.Table:
    """A table of ``rows`` with ``columns`` first (missing ones empty); with ``extra``, the
    other keys found in the rows follow in sorted order (metadata columns of sessions)."""
    names = list(columns)
    if extra:
        seen = set(names)
        names += sorted(set().union(*rows) - seen)
    arrays = [column_array(_column(rows, name)) for name in names]
    return pa.Table.from_arrays(arrays, names=names)


def _column(rows: list[dict], name: str) -> list:
    """The values of ``name`` over ``rows`` (None where a row lacks the key).

    Why: ``map(itemgetter(name), rows)`` runs at C speed, about a third of a ``row.get``
    list comprehension per cell; a column some rows lack (sessions' metadata) takes the
    slow way."""
    try:
        return list(map(itemgetter(name), rows))
    except KeyError:
        return [row.get(name) for row in rows]


#: The types of the documented columns of the five tables (a name means the same in each),
#: the starting point of ``unify_schemas``: a column empty in every chunk of a run (``start``
#: of untimed sessions, ``closing_start`` when no session closes, every column of an empty
#: ``failures``) was of Arrow type ``null``, so the same table of two runs had two schemas
#: and ``pa.concat_tables`` over them failed (researcher QA, 28 Nov 2026).
_STR, _INT, _FLOAT, _BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()
DECLARED_TYPES: dict[str, pa.DataType] = {
    **dict.fromkeys(("session_id", "speaker", "role", "text", "action", "action_terms",
                     "stage", "move", "orientation", "labels", "offer", "gold", "source",
                     "format", "parties", "third_parties", "outcome", "outcome_basis",
                     "orientation_by_party", "model", "model_version", "model_hash", "file",
                     "error", "hint"), _STR),
    **dict.fromkeys(("turn", "unit", "source_line", "words", "start_char", "end_char",
                     "first_turn", "last_turn", "turns", "speakers", "outcome_turn", "line",
                     "opening_start", "exploring_start", "bargaining_start",
                     "closing_start"), _INT),
    **dict.fromkeys(("start", "end", "confidence", "talk_share", "integrative_share",
                     "distributive_share", "neutral_share", "duration", "english_share"),
                    _FLOAT),
    "is_action": _BOOL, "not_english": _BOOL,
}


def _merge_types(a: pa.DataType, b: pa.DataType) -> pa.DataType:
    if a == b:
        return a
    if pa.types.is_null(a):
        return b
    if pa.types.is_null(b):
        return a
    numeric = (pa.types.is_integer, pa.types.is_floating)
    if any(f(a) for f in numeric) and any(f(b) for f in numeric):
        if pa.types.is_integer(a) and pa.types.is_integer(b):
            return pa.int64()
        return pa.float64()
    return pa.string()


def unify_schemas(schemas: Iterable[pa.Schema], columns: Sequence[str],
                  extra: bool = False) -> pa.Schema:
    """One schema for all chunks: ``columns`` first, then (with ``extra``) every other column
    any chunk has, sorted; each column's type merged over the chunks (empty -> the type seen,
    int + float -> float, anything else that differs -> text), starting from
    ``DECLARED_TYPES`` for the documented columns. Order-independent."""
    types: dict[str, pa.DataType] = {name: DECLARED_TYPES.get(name, pa.null())
                                     for name in columns}
    # each distinct schema once (merging one twice changes nothing; a batch's few hundred
    # parts have a handful of schemas, and the sessions table ~90 fields each)
    for schema in dict.fromkeys(schemas):
        for field in schema:
            if field.name not in types and not extra:
                continue
            types[field.name] = _merge_types(types.get(field.name, pa.null()), field.type)
    names = list(columns) + sorted(n for n in types if n not in set(columns))
    return pa.schema([pa.field(n, types[n]) for n in names])


def conform(table: pa.Table, schema: pa.Schema,
            fields: Sequence[tuple[str, pa.DataType]] | None = None) -> pa.Table:
    """``table`` with exactly ``schema``'s columns, in its order and types.

    ``fields``: ``schema``'s (name, type) pairs, when the caller conforms many tables to one
    schema (``assemble.write_table``: a wide ``sessions`` table's ~90 columns were read
    off the schema again for every part). A column the table lacks is all null; the
    missing columns of one type share one array of nulls (the same values)."""
    if table.schema.equals(schema):
        return table
    if fields is None:
        fields = list(zip(schema.names, schema.types, strict=True))
    have = dict(zip(table.column_names, table.columns, strict=True))
    nulls: dict[pa.DataType, pa.Array] = {}
    arrays = []
    for name, type_ in fields:
        column = have.get(name)
        if column is None:
            column = nulls.get(type_)
            if column is None:
                column = nulls[type_] = pa.nulls(table.num_rows, type=type_)
        elif column.type != type_:
            if pa.types.is_string(type_) and not pa.types.is_string(column.type):
                column = pa.array([_as_text(v) for v in column.to_pylist()], type=pa.string())
            else:
                column = column.cast(type_)
        arrays.append(column)
    return pa.Table.from_arrays(arrays, schema=schema)
