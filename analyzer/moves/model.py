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
_TRUSTED_PREFIXES = ("analyzer.moves.", "sklearn.feature_extraction.text.")
_TRUSTED_EXACT = {"numpy.float32", "numpy.float64", "numpy.int64", "numpy.int32",
                  "numpy.int8", "numpy.dtype", "builtins.dict", "builtins.list", "builtins.tuple",
                  "builtins.str", "builtins.int", "builtins.float", "builtins.bool",
                  "numpy.ndarray", "numpy.core.multiarray._reconstruct",
                  "scipy.sparse._csr.csr_matrix", "numpy.str_", "builtins.NoneType",
                  "numpy.dtypes.Float32DType", "numpy.dtypes.Float64DType",
                  "numpy.dtypes.Int64DType", "numpy.dtypes.ObjectDType"}


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
        sio.dump(self.estimator, tmp, compression=8)  # zipfile.ZIP_DEFLATED
        tmp.replace(target)
        meta = dict(self.meta)
        meta["versions"] = _versions()
        meta["labels"] = list(map(str, self.estimator.classes_))
        meta["orientation_map"] = dict(self.estimator.orientation_map_)
        meta["multilabel"] = bool(self.estimator.multilabel_)
        meta["model_file"] = {"name": MODEL_FILE, "sha256": file_sha256(target),
                              "bytes": target.stat().st_size}
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
    W = est.orientation_coef_[: x.shape[1], k] - est.orientation_coef_[: x.shape[1]].mean(axis=1)
    contrib = x.data * W[x.indices]
    order = np.argsort(-contrib)
    names = est.featurizer_.get_feature_names_out()
    quotes = text_quotes(text)
    out: list[str] = []
    for j in order:
        if contrib[j] <= 0 or len(out) >= top:
            break
        name = str(names[x.indices[j]])
        kind, _, value = name.partition(":")
        if kind == "cue":
            q = quotes.get(value, [])
            out.append(f'cue:{value} "{q[0]}"' if q else f"cue:{value}")
        elif kind == "ctx":
            out.append(f"context:{_CONTEXT_TEXT.get(name, value)}")
        elif kind in ("word", "char", "prev_word"):
            out.append(f'{kind}:"{value}"')
        else:
            out.append(name)
    return out


def _check_trusted(path: Path) -> None:
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a damaged or foreign file
        raise ModelError(f"{path}: not a readable skops model file ({exc})",
                         hint="retrain with `analyzer train` or reinstall the analyzer") from exc
    bad = [t for t in untrusted
           if not (t.startswith(_TRUSTED_PREFIXES) or t in _TRUSTED_EXACT)]
    if bad:
        raise ModelError(f"{path}: refusing to load types outside the allow-list: "
                         f"{', '.join(sorted(bad)[:5])}",
                         hint="only load model folders made by `analyzer train`")
    return untrusted


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
