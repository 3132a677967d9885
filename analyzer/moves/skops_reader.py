"""Read a skops model file without importing skops.

Why: ``import skops.io`` imports all of scikit-learn (skops lists every estimator at import),
about 1 s in a fresh process, while our model file holds only our own classes and plain data.
This reader rebuilds that object tree from the file's ``schema.json`` and ``.npy`` members
exactly as skops 0.16 (protocol 2) does:

- ``ObjectNode``: ``cls.__new__(cls)``, then ``__setstate__(attrs)`` if the class has one,
  else ``__dict__.update(attrs)``;
- ``DictNode`` / ``ListNode`` / ``TupleNode`` / ``JsonNode`` / ``TypeNode`` as skops builds
  them (dict keys converted by their saved key types, named tuples called with their items);
- ``NdArrayNode``: ``.npy`` members with ``np.load(..., allow_pickle=False)``, object arrays
  rebuilt from their items;
- nodes saved with the same ``__id__`` are one node, built once: shared references stay shared.

Safety: the whole tree is checked before anything is imported or built. Every node's type
must be in the caller's allow-list (``JsonNode`` content is plain JSON and needs none), else
``ModelError``. A loader this reader does not know, an unknown array storage or another
protocol raises ``UnsupportedFile``: the caller (``load_model``) then falls back to
``skops.io.load`` with the same allow-list, so models with other content still load (slowly)
and skops's own checks still apply.
"""

from __future__ import annotations

import importlib
import io
import json
import zipfile
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

#: The skops protocol whose node semantics this reader copies (skops 0.10-0.16 write it).
PROTOCOL = 2
_LOADERS = {"ObjectNode", "DictNode", "ListNode", "TupleNode", "JsonNode", "TypeNode",
            "NdArrayNode"}
_UNBUILT = object()


class UnsupportedFile(Exception):
    """The file uses a part of the skops format this reader does not implement."""


class _Node:
    """One object of the file: its saved state and child nodes, built at most once."""

    __slots__ = ("state", "loader", "type_name", "children", "value")

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.loader = state["__loader__"]
        self.type_name = f"{state['__module__']}.{state['__class__']}"
        self.children: dict[str, Any] = {}
        self.value: Any = _UNBUILT


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, trusted: Collection[str],
                 classes: Mapping[str, type] | None = None) -> None:
        self.archive = archive
        self.trusted = set(trusted)
        self.classes = dict(classes or {})
        self.memo: dict[Any, _Node] = {}

    # ------------------------------------------------------------------ tree (no imports)
    def tree(self, state: Any) -> _Node:
        """The node of ``state``, in skops's order: an ``__id__`` seen before gives the
        node made for it the first time (``skops.io._audit.get_tree``)."""
        if not isinstance(state, dict) or "__loader__" not in state:
            raise ModelError(f"not a skops node: {str(state)[:80]!r}")
        saved_id = state.get("__id__")
        if saved_id in self.memo:
            return self.memo[saved_id]
        loader = state["__loader__"]
        if loader not in _LOADERS:
            raise UnsupportedFile(f"loader {loader!r} for {state.get('__module__')}."
                                  f"{state.get('__class__')}")
        node = _Node(state)
        if saved_id:  # skops memoizes only a truthy id, before reading the children
            self.memo[saved_id] = node
        if loader != "JsonNode" and node.type_name not in self.trusted:
            raise ModelError(f"refusing to load type {node.type_name} (not in the allow-list)",
                             hint="only load model folders made by `analyzer train`")
        if loader == "ObjectNode":
            content = state.get("content")
            node.children["attrs"] = None if content is None else self.tree(content)
        elif loader == "DictNode":
            node.children["key_types"] = self.tree(state["key_types"])
            node.children["content"] = {k: self.tree(v) for k, v in state["content"].items()}
        elif loader in ("ListNode", "TupleNode"):
            node.children["content"] = [self.tree(v) for v in state["content"]]
        elif loader == "NdArrayNode":
            kind = state.get("type")
            if kind == "numpy":
                node.children["file"] = state["file"]
            elif kind == "json":
                node.children["items"] = [self.tree(v) for v in state["content"]]
                node.children["shape"] = self.tree(state["shape"])
            else:
                raise UnsupportedFile(f"array storage {kind!r}")
        return node

    # ------------------------------------------------------------------ building
    def build(self, node: _Node) -> Any:
        if node.value is _UNBUILT:
            node.value = getattr(self, "_" + node.loader)(node)
        return node.value

    def _type(self, node: _Node) -> Any:
        substitute = self.classes.get(node.type_name)
        if substitute is not None:
            return substitute
        module, name = node.state["__module__"], node.state["__class__"]
        return getattr(importlib.import_module(module), name)

    def _ObjectNode(self, node: _Node) -> Any:
        cls = self._type(node)
        instance = cls.__new__(cls)
        attrs_node = node.children["attrs"]
        if attrs_node is None:
            return instance
        attrs = self.build(attrs_node)
        if attrs is not None:
            if hasattr(instance, "__setstate__"):
                instance.__setstate__(attrs)
            else:
                instance.__dict__.update(attrs)
        return instance

    def _DictNode(self, node: _Node) -> Any:
        content = self._type(node)()
        key_types = self.build(node.children["key_types"])
        pairs = zip(key_types, node.children["content"].items(), strict=False)  # as skops
        for k_type, (key, val) in pairs:
            content[k_type(key)] = self.build(val)
        return content

    def _ListNode(self, node: _Node) -> Any:
        return self._type(node)([self.build(v) for v in node.children["content"]])

    def _TupleNode(self, node: _Node) -> Any:
        cls = self._type(node)
        content = tuple(self.build(v) for v in node.children["content"])
        bases, fields = cls.__bases__, getattr(cls, "_fields", None)
        if (len(bases) == 1 and bases[0] is tuple and isinstance(fields, tuple)
                and all(isinstance(f, str) for f in fields)):
            return cls(*content)  # a named tuple
        return content

    def _JsonNode(self, node: _Node) -> Any:
        return json.loads(node.state["content"])

    def _TypeNode(self, node: _Node) -> Any:
        return self._type(node)

    def _NdArrayNode(self, node: _Node) -> Any:
        if "file" in node.children:
            data = io.BytesIO(self.archive.read(node.children["file"]))
            content = np.load(data, allow_pickle=False)
            if node.type_name != "numpy.ndarray":
                content = self._type(node)(content)  # a numpy scalar
            return content
        shape = self.build(node.children["shape"])
        items = [self.build(v) for v in node.children["items"]]
        if len(shape) == 1:
            out = np.ndarray(shape=len(items), dtype="O")
            for i, v in enumerate(items):
                out[i] = v
            return out
        return np.array(items, dtype="O")


def load(path: str | Path, trusted: Collection[str],
         classes: Mapping[str, type] | None = None) -> Any:
    """The object saved in the skops file at ``path``, built without skops.

    ``trusted``: full type names (``module.Class``) the file may contain. ``classes``: types
    to build instead of the named ones (same saved state: the model's prediction-only
    classes instead of its scikit-learn estimators, whose import costs a second); the
    allow-list is checked against the names in the file, as always. Raises
    ``ModelError`` for a type outside it or a damaged file, ``UnsupportedFile`` for content
    this reader does not implement (use ``skops.io.load`` then)."""
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
        protocol = schema.get("protocol")
        if isinstance(protocol, bool) or protocol != PROTOCOL:
            raise UnsupportedFile(f"skops protocol {protocol!r} (this reader knows {PROTOCOL})")
        reader = _Reader(archive, trusted, classes)
        root = reader.tree(schema)
        return reader.build(root)
