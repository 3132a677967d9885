"""A trained move model on disk and in use: save, load (safely) and analyse a session.

A model folder holds ``model.skops`` (the fitted ``MoveClassifier``, in skops format: loading
only rebuilds allow-listed types, it never unpickles arbitrary code), ``meta.json`` (labels,
orientation map, versions, training-data hash and size, CV scores), a model card
``README.md`` and, when the features use word vectors, their table ``word_vectors.npz``
(``analyzer.moves.vectors``; numpy arrays read with ``allow_pickle=False``, hash in
``meta.json``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ModelError
from ..nlp.cues import count_cues, find_cues, first_cue
from ..number_words import CARDINALS, alternation
from ..results import ORIENTATIONS, TurnMove, Unit, UnitMove
from ..transcript import Transcript
from .classifier import FittedClassifier
from .commitments import ULTIMATUM, find_commitment
from .offers import PUT_FORWARD, action_move, detect_offers, turn_acceptance, with_term_offers
from .priorities import LOW_PRIORITY, find_low_priority, may_hold_low_priority

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
#: The shipped default model (a folder under ``models/``; installed as ``analyzer._models``).
DEFAULT_MODEL = "casino-moves-7"

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


def content_sha256(est) -> str:
    """Hash of what the model learned (vocabularies, coefficients, settings), independent of
    how the file was packed: the same data and seed give the same value (tested)."""
    digest = hashlib.sha256()
    digest.update(json.dumps({k: repr(v) for k, v in est.get_params().items()},
                             sort_keys=True).encode())
    vectors = est.featurizer_.__dict__.get("vectors_sha256_")
    if vectors:  # the word-vector table the features read (its own file)
        digest.update(vectors.encode())
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


def _save_vectors(vectors, folder: Path) -> dict[str, Any]:
    """Copy the word-vector table into the model folder (unless it is already that file) and
    describe it for meta.json."""
    import shutil

    from .vectors import VECTORS_FILE

    target = folder / VECTORS_FILE
    source = vectors.source
    if source is None or not Path(source).exists():
        raise ModelError("the word-vector table's file is gone; cannot save the model",
                         hint="keep the table file until the model is saved")
    if not (target.exists() and target.resolve() == Path(source).resolve()):
        shutil.copyfile(source, target)
    sha = file_sha256(target)
    if sha != vectors.sha256:
        raise ModelError(f"{source}: changed since the model was fitted (sha256 differs)")
    return {"name": VECTORS_FILE, "sha256": sha, "bytes": target.stat().st_size,
            "words": len(vectors.words), "dims": vectors.dim}


def _attach_vectors(est, meta: dict, folder: Path) -> None:
    """Give a loaded model's featurizer its word-vector table (the folder's own file,
    checked against meta.json and against the hash the model was fitted with)."""
    from .vectors import VECTORS_FILE, WordVectors

    info = meta.get("word_vectors") or {}
    path = folder / info.get("name", VECTORS_FILE)
    if not path.exists():
        raise ModelError(f"{folder}: the model uses word vectors but {path.name} is missing",
                         hint="restore the model folder, or retrain")
    vectors = WordVectors.load(path)
    if info.get("sha256") and info["sha256"] != vectors.sha256:
        raise ModelError(f"{path}: file hash does not match meta.json",
                         hint="the table was changed or damaged; retrain or reinstall")
    est.featurizer_.attach_vectors(vectors)


def _versions() -> dict[str, str]:
    """Versions of the libraries a model depends on. scikit-learn's is read from its
    installed metadata: importing it only for ``__version__`` would cost the second that
    prediction avoids (``classifier.FittedClassifier``)."""
    from importlib.metadata import version

    import spacy

    from .. import __version__

    return {"analyzer": __version__, "scikit-learn": version("scikit-learn"),
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

    def __init__(self, estimator: FittedClassifier, meta: dict[str, Any], path: Path | None = None,
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
    def save(self, folder: str | Path, card: str | Callable[[dict], str] | None = None
             ) -> Path:
        """Write model.skops, meta.json and the word-vector table (and a model card).

        ``card``: the README.md text, or a function of the final meta.json that makes it.
        Why a function: a card quotes model.skops's sha256, which is known only once the
        file is written, and skops archives record object ids, so a second save writes other
        bytes; until 28 Nov 2026 ``analyzer train`` saved twice to get the hash and its card
        quoted the first file's, not the one on disk (training QA)."""
        import skops.io as sio

        if not hasattr(self.estimator, "get_params"):  # a prediction-only load
            raise ModelError("this model was loaded for prediction only and cannot be saved",
                             hint="load it with load_model(folder, estimator=True) to save it")
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
        meta.pop("word_vectors", None)
        if self.estimator.featurizer_.uses_vectors():
            meta["word_vectors"] = _save_vectors(self.estimator.featurizer_.vectors_, folder)
        (folder / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n",
                                        encoding="utf-8")
        if card is not None:
            text = card(meta) if callable(card) else card
            (folder / "README.md").write_text(text, encoding="utf-8")
        self.meta = meta
        self.info["hash"] = meta["model_file"]["sha256"]
        self.path = folder
        return folder

    # ------------------------------------------------------------------ prediction
    def predict_session(self, transcript: Transcript, units: list[Unit],
                        explain: bool = True) -> tuple[list[UnitMove], list[TurnMove]]:
        """Labels for every unit and one ``TurnMove`` per turn, in order, actions included."""
        return self.predict_sessions([(transcript, units)], explain=explain)[0]

    def predict_sessions(self, items: Sequence[tuple[Transcript, list[Unit]]],
                         explain: bool = True) -> list[tuple[list[UnitMove], list[TurnMove]]]:
        """``predict_session`` for many sessions at once, same results session by session.

        Why: the per-call costs (feature table, sparse matrices, model products, the
        explanation weights) are paid once for the whole batch instead of once per session.
        Every feature of a row depends only on that row's own context (its session's
        neighbouring turns), so batching changes no number.

        ``explain=False`` leaves out what only reports and ``analyzer analyze`` show: each
        ``TurnMove``'s ``reasons`` (the explanation) and its per-orientation
        ``probabilities`` stay empty. Every other field of every ``TurnMove`` and
        ``UnitMove`` is the same (tested); the batch tables and the stage segmenter read
        none of the two."""
        items = list(items)
        if not items:
            return []
        est = self.estimator
        sub = _spoken_columns(items)
        M = P_lab = P_or = None
        unit_labels: list[tuple[str, ...]] = []
        offers: list[str | None] = []
        text_of: list[int] = []  # each row's text, as an index into ``uniq``
        uniq: list[str] = []
        if sub is not None:
            parts = est.feature_parts(sub)
            M, uniq = parts.matrix, parts.texts
            P_lab, P_or = est.scores(M, parts.dense)
            unit_labels = est.labels_from_proba(P_lab)
            offers, text_of = _row_offers(parts)

        # each session's spoken units by turn (rows of the feature table), then the turn
        # labels of all turns in one call (a turn's scores: the max over its units)
        sessions: list[dict[int, list]] = []
        groups: list[list[int]] = []
        row = 0
        for transcript, units in items:
            turns = transcript.turns
            by_turn: dict[int, list] = {}  # turn -> its units, and the spoken ones' rows
            for u in units:
                got = by_turn.get(u.turn)
                if got is None:
                    got = by_turn[u.turn] = [[], []]
                got[0].append(u)
                if turns[u.turn].action is None:  # a spoken turn
                    got[1].append(row)
                    row += 1
            sessions.append(by_turn)
            groups += [g[1] for turn in turns if turn.action is None
                       and (g := by_turn.get(turn.index)) is not None and g[1]]
        turn_labels = iter(())
        if groups:
            index = np.fromiter(itertools.chain.from_iterable(groups), dtype=np.int64)
            starts = np.cumsum([0] + [len(rs) for rs in groups[:-1]])
            turn_labels = iter(est.labels_from_proba(
                np.maximum.reduceat(P_lab[index], starts, axis=0)))

        # each unit's move, best orientation and its probability as Python values, once
        or_rows: list[list[float]] = []
        unit_move: list[str] = []
        if P_or is not None:
            or_rows = P_or.tolist()
            best_o = P_or.argmax(axis=1)
            unit_best = best_o.tolist()
            unit_orientation = _ORIENTATION_NAMES[best_o].tolist()
            unit_conf = P_or[np.arange(len(P_or)), best_o].tolist()
            unit_move = [str(labels[0]) for labels in unit_labels]
        exact_python = P_or is not None and P_or.dtype == np.float64 and \
            P_or.shape[1] == 3  # see _roll_up_rows
        out: list[tuple[list[UnitMove], list[TurnMove]]] = []
        pending: list[tuple] = []  # (list, slot, row, k, TurnMove fields, offer)
        for (transcript, _), by_turn in zip(items, sessions, strict=True):
            unit_moves: list[UnitMove] = []
            turn_moves: list[TurnMove] = []
            for turn in transcript.turns:
                index = turn.index
                got = by_turn.get(index)
                if turn.action is not None:
                    move, orientation, offer = action_move(turn.action)
                    for u in got[0] if got is not None else ():
                        unit_moves.append(UnitMove(index, u.index, move, orientation, 1.0))
                    turn_moves.append(TurnMove(
                        index, move, orientation, 1.0, (move,),
                        {o: float(o == orientation) for o in ORIENTATIONS} if explain
                        else {},
                        (f"action:{turn.action.name}",) if explain else (), offer))
                    continue
                rs = got[1] if got is not None else ()
                for u, r in zip(got[0], rs, strict=True) if rs else ():
                    unit_moves.append(UnitMove(index, u.index, unit_move[r],
                                               unit_orientation[r], unit_conf[r]))
                if not rs:
                    turn_moves.append(TurnMove(index, "non-strategic", "neutral", 1.0, (),
                                               {}, (), None))
                    continue
                if len(rs) == 1:  # roll_up of one unit is that unit's row
                    best = rs[0]
                    o, confidence = unit_best[best], unit_conf[best]
                    q = or_rows[best] if explain else None
                else:
                    q = _roll_up_rows([or_rows[r] for r in rs]) if exact_python else \
                        roll_up(P_or[rs]).tolist()
                    o = max(range(len(q)), key=q.__getitem__)  # the first best, as argmax
                    confidence = q[o]
                    best = max(rs, key=lambda r, o=o: or_rows[r][o]) if explain else -1
                labels = next(turn_labels)
                if len(rs) == 1:  # the priority of one offer: itself, if it is one
                    offer = offers[best] if offers[best] in _OFFER_PRIORITY else None
                else:
                    turn_offers = [offers[r] for r in rs]
                    offer = next((k for k in _OFFER_PRIORITY if k in turn_offers), None)
                    # a package or trade may span the units ("Here's an idea: we build
                    # a hundred and thirty homes ... In exchange, the allotments move")
                    offer = with_term_offers(turn.text, offer)
                move = str(labels[0])
                if offer and set(labels) <= {"non-strategic"}:
                    move = offer
                if not explain:
                    turn_moves.append(TurnMove(index, move, ORIENTATIONS[o], confidence,
                                               tuple(map(str, labels)), {}, (), offer))
                    continue
                head = (index, move, ORIENTATIONS[o], confidence, tuple(map(str, labels)))
                # built once its reasons are known (all turns' at once, below)
                pending.append((turn_moves, len(turn_moves), best, o, head + (
                    {ORIENTATIONS[k]: round(q[k], 4) for k in range(len(q))},), offer,
                    (best != rs[0], best != rs[-1])))
                turn_moves.append(None)
            out.append((unit_moves, turn_moves))
        if pending:
            rows = np.fromiter((p[2] for p in pending), dtype=np.int64, count=len(pending))
            ks = np.fromiter((p[3] for p in pending), dtype=np.int64, count=len(pending))
            texts = {r: uniq[text_of[r]] for r in rows.tolist()}
            all_reasons = explain_rows(est, M, rows, ks, texts)
            for (moves, slot, _, _, head, offer, inside), reasons in zip(
                    pending, all_reasons, strict=True):
                if inside[0] or inside[1]:
                    reasons = _within_turn(reasons, *inside)
                moves[slot] = TurnMove(*head, tuple(reasons), offer)
        low_priorities = _casino_scheme(est)
        for item, moves in zip(items, out, strict=True):
            _settle_acceptances(*item, moves[1])
            if low_priorities:
                _mark_low_priorities(*item, *moves, explain)
            _mark_commitments(*item, *moves, explain)
        return out


_FRAME_COLUMNS = ("session_id", "turn", "unit", "speaker", "text", "prev_text", "next_text",
                  "prev2_text", "prev_same_speaker", "position", "prev_is_action", "is_action",
                  "gold")


def _spoken_rows(items):
    """The feature table of the spoken units of all sessions: the rows of
    ``features.turn_frame`` (the table the model was trained on; equality is tested), built
    column-wise (a table from row dicts cost more per session than the model itself)."""
    cols = _spoken_columns(items, full=True)
    import pandas as pd

    return pd.DataFrame(cols, columns=list(_FRAME_COLUMNS)) if cols is not None else None


def _spoken_columns(items, full: bool = False) -> dict[str, list] | None:
    """The columns of ``_spoken_rows`` as plain lists (None without spoken units): what
    ``predict_sessions`` gives the featurizer (it reads lists as it reads a table's columns;
    the same matrix, tested). ``full=False`` leaves out the columns no feature reads
    (session_id, unit, speaker, is_action, gold). Action rows serve as context of their
    neighbours, then are dropped."""
    text: list[str] = []
    prev_col: list[str] = []
    next_col: list[str] = []
    prev2_col: list[str] = []
    same_col: list[bool] = []
    position: list[float] = []
    turn_col: list[int] = []
    prev_action_col: list[bool] = []
    extra: tuple[list, ...] = ([], [], [], [], [])  # session_id, unit, speaker, is_action, gold
    sid_col, unit_col, speaker_col, action_col, gold_col = extra
    for transcript, units in items:
        turns = transcript.turns
        scale = max(len(turns) - 1, 1)
        texts = [u.text for u in units]
        last = len(texts) - 1
        prev_text, prev_speaker, prev_action = "", None, False
        for i, u in enumerate(units):
            turn = turns[u.turn]
            speaker = turn.speaker
            is_action = turn.is_action
            if not is_action:
                text.append(texts[i])
                prev_col.append(prev_text)
                next_col.append(texts[i + 1] if i < last else "")
                prev2_col.append(texts[i - 2] if i >= 2 else "")
                same_col.append(prev_speaker == speaker)
                position.append(turn.index / scale)
                turn_col.append(turn.index)
                prev_action_col.append(prev_action)
                if full:
                    sid_col.append(transcript.session_id)
                    unit_col.append(u.index)
                    speaker_col.append(speaker)
                    action_col.append(False)
                    gold_col.append(tuple(turn.gold))
            prev_text, prev_speaker, prev_action = texts[i], speaker, is_action
    if not text:
        return None
    cols = {"text": text, "prev_text": prev_col, "next_text": next_col, "prev2_text": prev2_col,
            "prev_same_speaker": same_col, "position": position, "turn": turn_col,
            "prev_is_action": prev_action_col}
    if full:
        cols.update(session_id=sid_col, unit=unit_col, speaker=speaker_col,
                    is_action=action_col, gold=gold_col)
    return cols


def _settle_acceptances(transcript: Transcript, units: list[Unit],
                        turn_moves: list[TurnMove]) -> None:
    """Acceptances read with their whole turn and the offer before it (``offers.
    turn_acceptance``), in place: an "Okay." the speaker asks on from is no acceptance, a
    turn that ends on "I can live with that." after the other side's offer is one, and
    nothing is accepted or rejected before the other side has put any terms forward ("Yes,
    hi Elena.", "No problem. Did you have a good holiday?"). The move shown follows the
    offer kind where the model found no strategy, as in the roll-up."""
    pending = None  # the speaker of the last offer on the table
    proposers: set[str] = set()  # who has put terms forward (an offer, a number) so far
    texts: dict[int, list[str]] | None = None
    for j, tm in enumerate(turn_moves):
        turn = transcript.turns[tm.turn]
        if turn.action is not None:
            if turn.action.kind == "submit":
                pending = turn.speaker
                proposers.add(turn.speaker)
            continue
        offer = tm.offer
        open_offer = pending is not None and pending != turn.speaker
        new = offer
        if offer in ("accept", "reject") and not (proposers - {turn.speaker}):
            new = None
        elif offer == "accept" or (open_offer and (offer is None or offer in PUT_FORWARD)):
            if texts is None:
                texts = {}
                for u in units:
                    texts.setdefault(u.turn, []).append(u.text)
            new = turn_acceptance(offer, texts.get(tm.turn, [turn.text]), open_offer)
        if new != offer:
            plain = set(tm.labels) <= {"non-strategic"}
            move = (new or "non-strategic") if plain else tm.move
            turn_moves[j] = tm = dataclasses.replace(tm, offer=new, move=move)
        if tm.offer in PUT_FORWARD:
            pending = turn.speaker
            proposers.add(turn.speaker)
        elif tm.offer == "accept":
            pending = None
        elif turn.speaker not in proposers and _AMOUNT.search(turn.text):
            proposers.add(turn.speaker)  # terms the offer rules do not read ("The asking
            # price is four hundred and forty-five.")


#: a number in words or digits: terms put forward, for ``_settle_acceptances``
_AMOUNT = re.compile(r"\d|\b" + alternation((*CARDINALS, "half", "all", "percent")) + r"\b",
                     re.IGNORECASE)


def _mark_commitments(transcript: Transcript, units: list[Unit], unit_moves: list[UnitMove],
                      turn_moves: list[TurnMove], explain: bool) -> None:
    """Threats, ultimatums and firm commitments (``commitments.py``) made distributive, in
    place: the turn and the unit that says it, at confidence 1.0, ``ultimatum`` as the move
    where the model found no strategy; labels untouched (see the module's docstring)."""
    found = {}
    for turn in transcript.turns:
        if turn.action is None:
            phrase = find_commitment(turn.text)
            if phrase is not None:
                found[turn.index] = phrase
    if not found:
        return
    text_of = {(u.turn, u.index): u.text for u in units if u.turn in found}
    for j, um in enumerate(unit_moves):
        if um.turn in found and find_commitment(text_of.get((um.turn, um.index), "")):
            unit_moves[j] = UnitMove(um.turn, um.index,
                                     ULTIMATUM if um.move == "non-strategic" else um.move,
                                     "distributive", 1.0)
    for j, tm in enumerate(turn_moves):
        phrase = found.get(tm.turn)
        if phrase is None:
            continue
        turn_moves[j] = dataclasses.replace(
            # "non-strategic" as the move (labels non-strategic and self-need) is no name for
            # a final offer either (sales QA, 28 Nov 2026)
            tm, move=ULTIMATUM if tm.move == "non-strategic" or
            set(tm.labels) <= {"non-strategic"} else tm.move,
            orientation="distributive", confidence=1.0,
            probabilities={o: float(o == "distributive") for o in ORIENTATIONS}
            if tm.probabilities else tm.probabilities,
            reasons=(f'rule:ultimatum "{phrase}"', *tm.reasons) if explain else tm.reasons)


def _casino_scheme(est) -> bool:
    """Whether the model's labels are CaSiNo's (``no-need`` integrative): the low-priority
    rule gives that label, which a user's own scheme does not have."""
    mapping = getattr(est, "orientation_map_", None) or {}
    return mapping.get(LOW_PRIORITY) == "integrative" and \
        LOW_PRIORITY in {str(c) for c in getattr(est, "classes_", ())}


def _mark_low_priorities(transcript: Transcript, units: list[Unit],
                         unit_moves: list[UnitMove], turn_moves: list[TurnMove],
                         explain: bool) -> None:
    """Units that say an issue matters little to the speaker (``priorities.py``) made
    ``no-need``, integrative, in place, at confidence 1.0; their turn too when no other unit
    of it is distributive. Labels untouched (see the module's docstring)."""
    marked: dict[int, str] = {}
    for turn in transcript.turns:
        if turn.action is None and may_hold_low_priority(turn.text):
            marked[turn.index] = ""
    if not marked:
        return
    text_of = {(u.turn, u.index): u.text for u in units if u.turn in marked}
    claims: dict[int, bool] = {}
    for j, um in enumerate(unit_moves):
        if um.turn not in marked:
            continue
        phrase = find_low_priority(text_of.get((um.turn, um.index), ""))
        if phrase is not None:
            marked[um.turn] = marked[um.turn] or phrase
            unit_moves[j] = UnitMove(um.turn, um.index, LOW_PRIORITY, "integrative", 1.0)
        elif um.orientation == "distributive":
            claims[um.turn] = True
    for j, tm in enumerate(turn_moves):
        phrase = marked.get(tm.turn)
        if not phrase or claims.get(tm.turn):
            continue
        turn_moves[j] = dataclasses.replace(
            tm, move=LOW_PRIORITY, orientation="integrative", confidence=1.0,
            probabilities={o: float(o == "integrative") for o in ORIENTATIONS}
            if tm.probabilities else tm.probabilities,
            reasons=(f'rule:low-priority "{phrase}"', *tm.reasons) if explain else tm.reasons)


_ORIENTATION_NAMES = np.array(ORIENTATIONS, dtype=object)
_OFFER_PRIORITY = ("tradeoff_offer", "package_offer", "single_issue_offer", "concession",
                   "reject", "accept")


def _row_offers(parts) -> tuple[list[str | None], list[int]]:
    """(offer kind of each row's text, each row's text as an index of ``parts.texts``): the
    offer rules run once per distinct text, on the cue counts the features computed (a
    featurizer without cues: counted here)."""
    text_of = parts.idx["text"]
    own = np.unique(text_of)
    texts = [parts.texts[i] for i in own.tolist()]
    counts = parts.cue_counts[own] if parts.cue_counts is not None else count_cues(texts)
    kinds = np.empty(len(parts.texts), dtype=object)
    kinds[own] = detect_offers(texts, counts)
    return kinds[text_of].tolist(), text_of.tolist()


def _roll_up_rows(rows: list[list[float]]) -> list[float]:
    """``roll_up`` of float64 rows (integrative, distributive, neutral) given as Python
    floats, bit for bit the same numbers (tested): numpy's product, mean over rows and
    three-element sum run in the same order as these loops, on the same doubles. The numpy
    calls per turn cost more than the arithmetic."""
    p = 1.0
    for r in rows:
        p *= 1.0 - r[1]
    p_dist = 1.0 - p
    s0, s2 = rows[0][0], rows[0][2]
    for r in rows[1:]:
        s0 += r[0]
        s2 += r[2]
    n = len(rows)
    m0, m2 = s0 / n, s2 / n
    total = m0 + m2  # the mean's sum with its distributive entry set to 0
    if total > 0:
        rest = 1.0 - p_dist
        return [m0 / total * rest, p_dist, m2 / total * rest]
    return [m0, p_dist, m2]


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


#: Context reasons as worded for a unit inside a turn: its neighbours are the same
#: speaker's sentences, not other turns (the features read the neighbouring unit).
_AFTER_A_UNIT = {"context:same speaker as the previous turn": "context:continues the turn",
                 "context:previous turn was a question": "context:follows a question in the turn",
                 "context:nothing before this turn": "context:nothing before this sentence"}


def _within_turn(reasons: list[str], after: bool, before: bool) -> list[str]:
    """Reasons of a turn whose deciding unit is not its first (``after``) or not its last
    (``before``): "previous turn" and "reply" then meant the unit's neighbours in the same
    turn, and are worded so."""
    out = []
    for reason in reasons:
        if after:
            reason = _AFTER_A_UNIT.get(reason, reason)
            if reason.startswith("previous turn reads as"):
                reason = "previous sentence reads as" + reason[len("previous turn reads as"):]
        if before and reason.startswith("reply reads as"):
            reason = "next sentence reads as" + reason[len("reply reads as"):]
        out.append(reason)
    return out


def explain(est: FittedClassifier, M, row: int, k: int, text: str, top: int = 4) -> list[str]:
    """The few features that pushed row ``row`` towards orientation ``k`` the most, human
    readable: ``cue:self_need "I need"``, ``word:"need"``, ``prev_word:"what"``."""
    return explain_rows(est, M, np.array([row]), np.array([k]), {row: text},
                        {row: find_cues(text)}, top)[0]


def explain_rows(est: FittedClassifier, M, rows: np.ndarray, ks: np.ndarray, texts, cues=None,
                 top: int = 4) -> list[list[str]]:
    """``explain`` for many (row, orientation) pairs: the contributions of all of them come
    from one gather over the sparse rows (the numbers ``explain`` ranked one row at a time);
    ``texts[row]`` and ``cues[row]`` (its ``find_cues`` matches) give the quoted words.
    Without ``cues``, each quoted cue's rule alone is matched on its text (``first_cue``).

    A row's reasons are its features with the largest positive contributions, silent ones
    skipped, in the order of ``np.argsort(-contrib)`` of the row; the walk reads at most
    ``top`` + the number of silent features of that order, so only those are taken out of
    numpy, and each feature's wording is looked up (``_reason_texts``), not rebuilt."""
    from ..nlp.cues import quotes_of

    X = M[rows]
    if not sp.isspmatrix_csr(X):
        X = sp.csr_matrix(X)
    W = est.explain_weights()  # per orientation, what favours it over the others
    lengths = np.diff(X.indptr)
    contrib_all = X.data * W[X.indices, np.repeat(ks, lengths)]
    reason_of = _reason_texts(est)
    reads = top + len(_SILENT)  # enough for ``top`` reasons
    indptr = X.indptr.tolist()
    minus = -contrib_all
    # each row's first ``reads`` entries in argsort order, as positions in contrib_all
    orders = [np.argsort(minus[a:b])[:reads]
              for a, b in zip(indptr[:-1], indptr[1:], strict=True)]
    sizes = [len(o) for o in orders]
    at = np.concatenate(orders) + np.repeat(X.indptr[:-1], sizes) if orders else \
        np.zeros(0, dtype=np.int64)
    values, columns = contrib_all[at].tolist(), X.indices[at].tolist()
    ends = np.cumsum(sizes).tolist()
    out: list[list[str]] = []
    quoting: list[tuple[list[str], int, int, str]] = []  # (reasons, slot, row, cue)
    for i, row in enumerate(rows.tolist()):
        found: list[str] = []
        walk = zip(values[ends[i] - sizes[i]:ends[i]], columns[ends[i] - sizes[i]:ends[i]],
                   strict=True)
        if sizes[i] == reads:  # the rest of the order, read only if these run out
            walk = itertools.chain(walk, _rest_of_walk(contrib_all, minus, X.indices,
                                                       indptr[i], indptr[i + 1], reads))
        for value, col in walk:
            if value <= 0 or len(found) >= top:
                break
            reason = reason_of[col]
            if reason is None:  # a silent feature
                continue
            if reason.__class__ is tuple:  # a cue: its quote is filled in below
                quoting.append((found, len(found), row, reason[0]))
            found.append(reason)
        out.append(found)
    if quoting and cues is None:  # each quoted cue's first match, that rule alone
        for found, slot, row, value in quoting:
            text = texts[row]
            span = first_cue(text, value)
            found[slot] = f'cue:{value} "{text[span[0]:span[1]].strip()}"' if span \
                else f"cue:{value}"
    elif quoting:
        quotes: dict[int, dict[str, list[str]]] = {}
        for found, slot, row, value in quoting:
            got = quotes.get(row)
            if got is None:
                got = quotes[row] = quotes_of(texts[row], cues[row])
            q = got.get(value, [])
            found[slot] = f'cue:{value} "{q[0]}"' if q else f"cue:{value}"
    return out


def _rest_of_walk(contrib, minus, indices, a: int, b: int, skip: int):
    """(value, column) of a row's entries after its first ``skip`` in argsort order (a
    generator: nothing is computed unless the walk gets there)."""
    order = np.argsort(minus[a:b])[skip:] + a
    yield from zip(contrib[order].tolist(), indices[order].tolist(), strict=True)


_REASONS: dict[int, tuple[np.ndarray, list]] = {}


def _reason_texts(est: FittedClassifier) -> list:
    """Each feature column's reason as ``explain`` words it: None for a silent feature, a
    one-element tuple (the cue) for a cue, whose quote depends on the text, else the text.
    Built once per feature-name array (names change only with a refit)."""
    names = est.feature_names()
    cached = _REASONS.get(id(est))
    if cached is not None and cached[0] is names:
        return cached[1]
    texts: list = []
    for name in map(str, names.tolist()):
        kind, _, value = name.partition(":")
        if name in _SILENT:
            texts.append(None)
        elif kind == "cue":
            texts.append((value,))
        elif kind == "ctx":
            texts.append(f"context:{_CONTEXT_TEXT.get(name, value)}")
        elif kind == "stack":
            part, _, label = value.partition(":")
            where = {"text": "this turn", "prev": "previous turn",
                     "next": "reply"}.get(part, part)
            texts.append(f"{where} reads as {label}")
        elif kind in ("word", "char") or kind.endswith(("_word", "_cue")):
            texts.append(f'{kind}:"{value}"')
        else:
            texts.append(name)
    _REASONS.clear()  # one model in use at a time, as a rule; never grows
    _REASONS[id(est)] = (names, texts)
    return texts


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


def _prediction_classes() -> dict[str, type]:
    """The classes ``load_model`` builds a model file's estimators as, by the names the
    file gives them."""
    from .features import FittedFeaturizer

    return {"analyzer.moves.classifier.MoveClassifier": FittedClassifier,
            "analyzer.moves.features.TurnFeaturizer": FittedFeaturizer}


def load_model(model_dir: str | Path | None = None, estimator: bool = False) -> MoveModel:
    """Load a model folder (default: the shipped model), refusing untrusted content.

    The file is read by ``skops_reader`` (our own reader of the skops format: it needs no
    ``import skops``, which costs ~1 s because skops imports all of scikit-learn). If the
    file holds a node type that reader does not know, it falls back to ``skops.io.load``
    with the same allow-list, so models with other content still load, only slower.

    The model is built from the prediction-only classes (``FittedClassifier``,
    ``FittedFeaturizer``: same state, same predictions, no scikit-learn import); with
    ``estimator=True`` as the scikit-learn estimators it was saved from (``get_params``,
    ``clone``, ``save`` need those)."""
    from . import skops_reader

    folder = Path(model_dir) if model_dir is not None else default_model_dir()
    model_path, meta_path = folder / MODEL_FILE, folder / META_FILE
    if folder.is_file():  # "does not exist" sent users looking for a typo (training QA)
        inside = folder.name in (MODEL_FILE, META_FILE)
        raise ModelError(f"{folder} is a file, not a model folder",
                         hint=f"pass the folder that holds it: --model {folder.parent}" if inside
                         else "pass the folder `analyzer train --out` wrote (model.skops, "
                              "meta.json); to score your coded data, name it as DATA")
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
        try:
            est = skops_reader.load(model_path, trusted,
                                    None if estimator else _prediction_classes())
        except skops_reader.UnsupportedFile:
            import skops.io as sio

            est = sio.load(model_path, trusted=list(trusted))
    except ModelError as exc:
        raise ModelError(f"{model_path}: {exc.message}", hint=exc.hint) from exc
    except Exception as exc:
        made = meta.get("versions", {})
        raise ModelError(f"{model_path}: cannot load ({type(exc).__name__}: {exc}); made with "
                         f"scikit-learn {made.get('scikit-learn')}, spaCy {made.get('spacy')}",
                         hint="install those versions or retrain with `analyzer train`") from exc
    if not isinstance(est, FittedClassifier):
        raise ModelError(f"{model_path}: holds a {type(est).__name__}, not a MoveClassifier")
    if est.featurizer_.uses_vectors():
        _attach_vectors(est, meta, folder)
    return MoveModel(est, meta, folder, sha, notes)
