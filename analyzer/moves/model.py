"""A trained move model on disk and in use: save, load (safely) and analyse a session.

A model folder holds ``model.skops`` (the fitted ``MoveClassifier``, in skops format: loading
only rebuilds allow-listed types, it never unpickles arbitrary code), ``meta.json`` (labels,
orientation map, versions, training-data hash and size, CV scores) and a model card
``README.md``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..results import ORIENTATIONS, TurnMove, Unit, UnitMove
from ..transcript import Transcript
from .classifier import MoveClassifier
from .offers import action_move, detect_offer
from .taxonomy import orientation_of_move

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
#: The shipped default model (a folder under ``models/``; installed as ``analyzer._models``).
DEFAULT_MODEL = "casino-moves-1"

#: Types a model file may contain besides plain containers; anything else is refused.
_TRUSTED_PREFIXES = ("analyzer.moves.classifier.", "analyzer.moves.features.")
_TRUSTED_EXACT = {"builtins.dict", "builtins.list", "builtins.tuple", "builtins.str",
                  "builtins.int", "builtins.float", "builtins.bool", "builtins.NoneType",
                  "numpy.ndarray", "numpy.float32", "numpy.float64", "numpy.int64",
                  "numpy.int32", "numpy.int8", "numpy.str_", "numpy.bool_", "numpy.dtype"}


def default_model_dir() -> Path:
    """The shipped model: inside the installed package, or ``models/`` of a source checkout."""
    here = Path(__file__).resolve().parent.parent
    for base in (here / "_models", here.parent / "models"):
        candidate = base / DEFAULT_MODEL
        if (candidate / MODEL_FILE).exists():
            return candidate
    raise ModelError(f"the shipped model {DEFAULT_MODEL!r} is missing from this installation",
                     hint="reinstall the analyzer (pip install .) or pass --model MODEL_DIR "
                          "(make one with `analyzer train`)")


def content_sha256(est: MoveClassifier) -> str:
    """Hash of what the model learned (vocabularies, coefficients, settings), independent of
    how the file was packed: the same data and seed give the same value (tested)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: repr(v) for k, v in est.get_params().items()},
                             sort_keys=True).encode())
    parts = [est.featurizer_.word_.terms, est.featurizer_.word_.idf]
    if est.featurizer_.char_ is not None:
        parts += [est.featurizer_.char_.terms, est.featurizer_.char_.idf]
    for name in sorted(vars(est)):
        if name.endswith("_") and isinstance(getattr(est, name), np.ndarray):
            parts.append(getattr(est, name))
    for part in parts:
        if part.dtype.kind in "OU":  # labels, terms: their text, not object pointers
            digest.update("\x1f".join(map(str, part.tolist())).encode())
        else:
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _versions() -> dict[str, str]:
    import sklearn
    import spacy

    from .. import __version__

    return {"analyzer": __version__, "scikit-learn": sklearn.__version__,
            "spacy": spacy.__version__, "numpy": np.__version__}


def _major_minor(v: str) -> tuple[int, int]:
    parts = (v.split(".") + ["0", "0"])[:2]
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except ValueError:
        return (0, 0)


def check_versions(meta: dict, path: Path) -> list[str]:
    """Errors for incompatible library versions; notes for minor differences."""
    made = meta.get("versions", {})
    now = _versions()
    notes = []
    for lib in ("scikit-learn", "spacy"):
        if lib not in made:
            continue
        a, b = _major_minor(made[lib]), _major_minor(now[lib])
        if a[0] != b[0]:
            raise ModelError(f"{path}: made with {lib} {made[lib]}, but {lib} {now[lib]} is "
                             "installed (different major version)",
                             hint=f"install {lib}=={made[lib]} or retrain with `analyzer train`")
        if a != b:
            notes.append(f"made with {lib} {made[lib]}, running {now[lib]}")
    return notes


class MoveModel:
    """A loaded model: ``predict_session`` labels every unit and turn of a transcript."""

    def __init__(self, estimator: MoveClassifier, meta: dict[str, Any], path: Path | None = None,
                 sha256: str | None = None, notes: list[str] | None = None) -> None:
        self.estimator = estimator
        self.meta = meta
        self.path = path
        self.info = {
            "name": meta.get("name", "custom"), "version": meta.get("version", "0"),
            "hash": sha256, "labels": list(map(str, estimator.classes_)),
            "orientation_map": dict(estimator.orientation_map_),
            "path": str(path) if path else None, "notes": list(notes or []),
        }

    # ------------------------------------------------------------------ persistence
    def save(self, folder: str | Path, card: str | None = None) -> Path:
        import skops.io as sio

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / MODEL_FILE
        tmp = folder / (MODEL_FILE + ".tmp")
        tmp.write_bytes(_stable_zip(sio.dumps(self.estimator)))
        tmp.replace(target)
        meta = dict(self.meta)
        meta["versions"] = _versions()
        meta["labels"] = list(map(str, self.estimator.classes_))
        meta["orientation_map"] = dict(self.estimator.orientation_map_)
        meta["multilabel"] = bool(self.estimator.multilabel_)
        meta["model_file"] = {"name": MODEL_FILE, "sha256": file_sha256(target),
                              "bytes": target.stat().st_size,
                              "content_sha256": content_sha256(self.estimator)}
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
        if card is not None:
            (folder / "README.md").write_text(card, encoding="utf-8")
        self.meta = meta
        self.info["hash"] = meta["model_file"]["sha256"]
        self.path = folder
        return folder

    # ------------------------------------------------------------------ prediction
    def predict_session(self, transcript: Transcript, units: list[Unit], nlp=None
                        ) -> tuple[list[UnitMove], list[TurnMove]]:
        """Labels for every unit and one ``TurnMove`` per turn, in order, actions included."""
        from .features import turn_frame

        est = self.estimator
        spoken_units = [u for u in units if not transcript.turns[u.turn].is_action]
        by_turn: dict[int, list[int]] = {}
        frame = turn_frame([transcript], units={transcript.session_id: units})
        rows = np.flatnonzero(~frame["is_action"].to_numpy()) if len(frame) else np.array([])
        P_lab = P_or = None
        docs = []
        M = None
        if len(rows):
            sub = frame.iloc[rows].reset_index(drop=True)
            M = est.features(sub)
            docs = sub["text"].tolist()
            P_lab, P_or = est.scores(M)
        for r, u in enumerate(spoken_units):
            by_turn.setdefault(u.turn, []).append(r)

        unit_moves: list[UnitMove] = []
        turn_moves: list[TurnMove] = []
        {(u.turn, u.index): r for r, u in enumerate(spoken_units)}
        for turn in transcript.turns:
            if turn.is_action:
                move, orientation, offer = action_move(turn.action)
                for u in units:
                    if u.turn == turn.index:
                        unit_moves.append(UnitMove(turn.index, u.index, move, orientation, 1.0))
                turn_moves.append(TurnMove(turn.index, move, orientation, 1.0, (move,),
                                           {o: float(o == orientation) for o in ORIENTATIONS},
                                           (f"action:{turn.action.name}",), offer))
                continue
            rs = by_turn.get(turn.index, [])
            for r in rs:
                u = spoken_units[r]
                labels = est.labels_from_proba(P_lab[r:r + 1])[0]
                o = int(P_or[r].argmax())
                unit_moves.append(UnitMove(turn.index, u.index, str(labels[0]),
                                           ORIENTATIONS[o], float(P_or[r, o])))
            turn_moves.append(self._turn_move(turn.index, rs, P_lab, P_or, M, docs))
        return unit_moves, turn_moves

    def _turn_move(self, index, rs, P_lab, P_or, M, docs) -> TurnMove:
        est = self.estimator
        if not rs:
            return TurnMove(index, "non-strategic", "neutral", 1.0, (), {}, (), None)
        q = roll_up(P_or[rs])
        o = int(q.argmax())
        p = P_lab[rs].max(axis=0)
        labels = est.labels_from_proba(p[None, :])[0]
        offers = [detect_offer(docs[r]) for r in rs]
        offer = next((k for k in _OFFER_PRIORITY if k in offers), None)
        move = str(labels[0])
        if offer and set(labels) <= {"non-strategic"}:
            move = offer
        best = max(rs, key=lambda r: P_or[r, o])
        reasons = explain(est, M, best, o, docs[best])
        return TurnMove(index, move, ORIENTATIONS[o], float(q[o]), tuple(map(str, labels)),
                        {ORIENTATIONS[k]: round(float(q[k]), 4) for k in range(len(q))},
                        tuple(reasons), offer)

    def orientation_of(self, move: str) -> str:
        return orientation_of_move(move, self.estimator.orientation_map_)


_OFFER_PRIORITY = ("tradeoff_offer", "package_offer", "single_issue_offer", "concession",
                   "reject", "accept")


def roll_up(Q: np.ndarray) -> np.ndarray:
    """A turn's orientation probabilities from its units' (the mixed-turn rule): the turn is
    distributive if any unit is, P = 1 - prod(1 - p_unit); the rest of the mass is shared
    between integrative and neutral as in the units' mean."""
    if len(Q) == 1:
        return Q[0]
    d = ORIENTATIONS.index("distributive")
    p_dist = 1.0 - float(np.prod(1.0 - Q[:, d]))
    rest = Q.mean(axis=0)
    rest[d] = 0.0
    rest = rest / rest.sum() * (1.0 - p_dist) if rest.sum() > 0 else rest
    rest[d] = p_dist
    return rest


#: features too vague to be a reason a coach can use (they still count in the model)
_SILENT = {"ctx:log_words", "ctx:prev_log_words", "ctx:position"}
_CONTEXT_TEXT = {
    "ctx:position": "position in the session", "ctx:first_turn": "first turn",
    "ctx:early": "early in the session", "ctx:late": "late in the session",
    "ctx:prev_question": "previous turn was a question",
    "ctx:prev_action": "previous turn was a formal action",
    "ctx:prev_same_speaker": "same speaker as the previous turn",
    "ctx:no_prev": "nothing before this turn", "ctx:log_words": "length of the turn",
    "ctx:prev_log_words": "length of the previous turn",
}


def explain(est: MoveClassifier, M, row: int, k: int, text: str, top: int = 4) -> list[str]:
    """The few features that pushed row ``row`` towards orientation ``k`` the most, human
    readable: ``cue:self_need "I need"``, ``word:"need"``, ``prev_word:"what"``."""
    from ..nlp.cues import text_quotes

    x = M[row]
    W = est.explain_weights()[:, k]  # what favours k over the other orientations
    contrib = x.data * W[x.indices]
    order = np.argsort(-contrib)
    names = est.feature_names()
    quotes = text_quotes(text)
    out: list[str] = []
    for j in order:
        if contrib[j] <= 0 or len(out) >= top:
            break
        name = str(names[x.indices[j]])
        if name in _SILENT:
            continue
        kind, _, value = name.partition(":")
        if kind == "cue":
            q = quotes.get(value, [])
            out.append(f'cue:{value} "{q[0]}"' if q else f"cue:{value}")
        elif kind == "ctx":
            out.append(f"context:{_CONTEXT_TEXT.get(name, value)}")
        elif kind == "stack":
            part, _, label = value.partition(":")
            where = {"text": "this turn", "prev": "previous turn",
                     "next": "reply"}.get(part, part)
            out.append(f"{where} reads as {label}")
        elif kind in ("word", "char") or kind.endswith(("_word", "_cue")):
            out.append(f'{kind}:"{value}"')
        else:
            out.append(name)
    return out


def _stable_zip(data: bytes) -> bytes:
    """The skops archive rewritten with fixed timestamps and member order (the archive
    then only varies by the object ids skops records; ``content_sha256`` is the stable
    identity of a trained model)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def file_types(path: Path) -> set[str]:
    """Every type a skops file would build, read from its schema without building anything."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def _check_trusted(path: Path) -> list[str]:
    """Refuse a file holding any type outside our allow-list (skops's own default list is
    wider: it trusts every scikit-learn estimator, which we do not need)."""
    try:
        types = file_types(path)
    except Exception as exc:  # a damaged or foreign file
        raise ModelError(f"{path}: not a readable skops model file ({exc})",
                         hint="retrain with `analyzer train` or reinstall the analyzer") from exc
    bad = [t for t in types if not (t.startswith(_TRUSTED_PREFIXES) or t in _TRUSTED_EXACT)]
    if bad:
        raise ModelError(f"{path}: refusing to load types outside the allow-list: "
                         f"{', '.join(sorted(bad)[:5])}",
                         hint="only load model folders made by `analyzer train`")
    return sorted(types)


def load_model(model_dir: str | Path | None = None) -> MoveModel:
    """Load a model folder (default: the shipped model), refusing untrusted content."""
    import skops.io as sio

    folder = Path(model_dir) if model_dir is not None else default_model_dir()
    model_path, meta_path = folder / MODEL_FILE, folder / META_FILE
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist",
                         hint="pass a folder made by `analyzer train`, or leave --model out")
    if not model_path.exists() or not meta_path.exists():
        raise ModelError(f"{folder} is not a model folder (needs {MODEL_FILE} and {META_FILE})",
                         hint="make one with `analyzer train DATA --out DIR`")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{meta_path}: not valid JSON ({exc})") from exc
    notes = check_versions(meta, folder)
    sha = file_sha256(model_path)
    expected = (meta.get("model_file") or {}).get("sha256")
    if expected and expected != sha:
        raise ModelError(f"{model_path}: file hash does not match meta.json",
                         hint="the model file was changed or damaged; retrain or reinstall")
    trusted = _check_trusted(model_path)
    try:
        est = sio.load(model_path, trusted=list(trusted))
    except Exception as exc:
        made = meta.get("versions", {})
        raise ModelError(f"{model_path}: cannot load ({type(exc).__name__}: {exc}); made with "
                         f"scikit-learn {made.get('scikit-learn')}, spaCy {made.get('spacy')}",
                         hint="install those versions or retrain with `analyzer train`") from exc
    if not isinstance(est, MoveClassifier):
        raise ModelError(f"{model_path}: holds a {type(est).__name__}, not a MoveClassifier")
    return MoveModel(est, meta, folder, sha, notes)
