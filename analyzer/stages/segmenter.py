"""Stages of a session by left-to-right HMM decoding over per-turn evidence.

Why an HMM: the guideline's stages run in order and may be skipped, and where one starts
depends on the whole session (closing starts at the acceptance that *sticks*). A left-to-right
hidden Markov model encodes exactly that:

- states: ``opening < exploring < bargaining < closing``; from a stage you stay or move to
  any later one (skips allowed), never back; the first turn may be in any stage (the first
  non-skipped stage starts at turn 0);
- emissions: a multinomial logistic regression gives P(stage | evidence of the turn); divided
  by the stage's prior it is a scaled likelihood (the hybrid HMM trick of speech recognition);
- transitions and start probabilities: counted on the gold sessions (add-one smoothing over the
  allowed moves).

More scores are added to the same chain potentials (weights in ``params.mix``): a
maximum-entropy Markov model (P(next stage | previous stage, evidence)), boundary scores
(``boundary.py``: which turn starts each stage, ranked within the session) and the context
MEMM (``context.py``: a small network over the evidence of the turn and its neighbours).

Forward-backward gives each turn's stage probabilities (``StageSegmentation.probabilities``;
scaled sums on plain floats, ``mbr.Chain``, shared with the MBR decoder; log space only when
those underflow);
the labels are the path with the fewest expected Pk window errors (``mbr.py``, set in
``params.decoding``), or the Viterbi path for parameter files without that setting.
Parameters are a few hundred numbers kept as JSON (``params.json``), never pickled;
``python -m analyzer.stages.fit`` refits them on the gold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError
from ..results import STAGES, StageSegmentation
from ..transcript import Transcript
from . import boundary, context, mbr
from .adjourned import apply_gate
from .evidence import FEATURES, Evidence, session_evidence
from .text import TextModel

PARAMS_PATH = Path(__file__).with_name("params.json")
N = len(STAGES)
#: log probability of a forward move the MEMM never saw in the gold (about 1 in 100,000)
UNSEEN_LOG_PROB = -12.0
_ALLOWED = np.triu(np.ones((N, N), dtype=bool))  # stay or move forward only
_FORBIDDEN = ~_ALLOWED
_CLOSE = STAGES.index("closing")
_ACCEPT, _WALK_AWAY, _CLOSING_ALLOWED = (FEATURES.index(f) for f in
                                         ("act_accept", "act_walk_away", "closing_allowed"))
_CLOSING_FLAGS = [_ACCEPT, _WALK_AWAY, _CLOSING_ALLOWED]
#: A talk that ends on a plain acceptance of the offer before it: where it settled is closing
#: (below). Columns: strong acceptance, accepts the previous offer (and nothing reopens it),
#: the acceptance asked about, a deferral.
_STRONG = FEATURES.index("accept_strong")
_STICKS = FEATURES.index("accepts_previous_offer_sticks")
_NOT_LAST_ACCEPT = [FEATURES.index(f) for f in ("accept_q", "accept_strong_q", "defer")]


def talk_end(transcript: Transcript) -> int | None:
    """The index of the parties' last turn when third parties speak after it (the chair's
    "Minutes to follow."), else None (the talk ends at the last turn).

    Why: the rule for a talk that ends on its acceptance (``closing_flags``) looks at how
    the parties' talk ends; a mediator's or chair's wrap-up after the deal is not more
    talk between the sides and must not hide that it ended on an acceptance."""
    turns = transcript.turns
    third = set(transcript.third_parties)
    if not third or not turns or turns[-1].speaker not in third:
        return None
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].speaker not in third:
            return i
    return None


def _settled_at(strong: list[bool], sticks: list[bool], first: int, end: int) -> int | None:
    """Where a talk that ends on its acceptance settled: walking back from its last turn
    (``end``) over strong, unasked acceptances ("Ten and a half in May, agreed." /
    "Agreed."), the earliest that accepts the offer just before it and sticks; None when
    the talk does not end on one. ``strong``/``sticks``: per row of the stacked evidence,
    the session's rows from ``first``."""
    found = None
    i = end
    while i >= first and strong[i]:
        if sticks[i]:
            found = i
        i -= 1
    return found


def closing_flags(matrix: np.ndarray, sizes: Sequence[int] | None = None,
                  ends: Sequence[int | None] | None = None) -> np.ndarray:
    """(turns, 3) booleans: the turn must be in closing (an Accept-Deal), it must be in
    closing (a Walk-Away), closing may open at it (an acceptance or impasse cue).

    The first column also holds the turn where a talk that ends on its acceptance settled:
    the parties' last turn (``ends``, None for the last row; ``talk_end``) and the strong,
    unasked acceptances just before it are walked back to the earliest that accepts the
    offer just made ("Deal, thanks Ben."; "Ten and a half in May, agreed." / "Agreed."):
    by the guideline closing starts at the acceptance that sticks, and the talk ending
    there cannot reopen it. Why a rule: the gold has no session ending at its acceptance
    (recordings go on to thanks and goodbyes), so the fitted scores put such a turn in
    closing with a probability of about 0.1-0.3 and left the deal unfinished.

    ``sizes``: the matrix is several sessions' rows stacked, that many each (default: one
    session), with ``ends`` their parties' last turns."""
    flags = matrix[:, _CLOSING_FLAGS] > 0
    strong = ((matrix[:, _STRONG] > 0) & ~(matrix[:, _NOT_LAST_ACCEPT] > 0).any(axis=1))
    if not strong.any():
        return flags
    strong_l, sticks_l = strong.tolist(), (matrix[:, _STICKS] > 0).tolist()
    first = 0
    for k, size in enumerate([matrix.shape[0]] if sizes is None else sizes):
        own = None if ends is None else ends[k]
        last = first + size - 1 if own is None else first + own
        if size and strong_l[last]:
            settled = _settled_at(strong_l, sticks_l, first, last)
            if settled is not None:
                flags[settled, 0] = True
        first += size
    return flags


def closing_constraints(init: np.ndarray, steps: np.ndarray, flags: np.ndarray,
                        sizes: Sequence[int], first_steps: Sequence[int]) -> None:
    """Apply the guideline's closing rule to potentials, in place: closing opens only where
    the evidence allows it (an acceptance or a walk-away), and an Accept-Deal or a Walk-Away
    is always in closing (the formal ends).

    ``init``: one row of first-turn scores per session; ``steps[first_steps[b] + t - 1]``:
    the scores of the move into turn ``t >= 1`` of session ``b``; ``flags``:
    ``closing_flags`` of all the sessions' turns, stacked; ``sizes``: each session's turns.

    Why one function: ``Segmenter.potentials`` (one session, steps packed) and
    ``many.stacked_potentials`` (a batch, one step slot per turn) must forbid exactly the
    same moves, or a batch would decode differently from its sessions one by one. The three
    flags are read in one go and only the steps concerned are indexed, if any."""
    close = _CLOSE
    shut, final = [], []  # steps into closing forbidden / out of it forced
    rows = iter(flags.tolist())
    for b, (size, first_step) in enumerate(zip(sizes, first_steps, strict=True)):
        if not size:
            continue
        accept, walk_away, allowed = next(rows)
        ends = accept or walk_away
        if not (allowed or ends):
            init[b, close] = -np.inf
        if ends:
            init[b, :close] = -np.inf
        for step in range(first_step, first_step + size - 1):
            accept, walk_away, allowed = next(rows)
            ends = accept or walk_away
            if not (allowed or ends):
                shut.append(step)
            if ends:
                final.append(step)
    if shut:
        steps[shut, :close, close] = -np.inf
    if final:
        steps[final, :, :close] = -np.inf


def _log(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(x)


def _times(weight: float, a: np.ndarray) -> np.ndarray:
    """``weight * a``, without the product when the weight is 1 (``1.0 * x`` is ``x``
    exactly, inf and NaN included): the shipped mix weighs the HMM and MEMM scores 1."""
    return a if weight == 1.0 else weight * a


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    # (array methods rather than the np.max / np.sum / np.squeeze wrappers: the same
    # reductions without the wrappers' per-call cost, which at four stages is most of it)
    m = a.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):  # a row of -inf (a forbidden move) stays -inf
        out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    return out.squeeze(axis=axis)


@dataclass
class _MemmLayout:
    """All MEMM models with two or more classes, weights stacked by rows (one per class):
    ``starts`` is each model's first row, ``group`` each row's model; ``first_*`` the rows
    of the start model and their stages, ``step_*`` the others' (from, to) pairs; ``base``
    the scores that do not depend on the evidence (row 0 the first turn, row 1 + a a move
    from stage a: -inf backwards, ``UNSEEN_LOG_PROB`` unseen, 0 for a lone class)."""

    weights: np.ndarray
    bias: np.ndarray
    starts: np.ndarray
    group: np.ndarray
    base: np.ndarray
    first_cols: np.ndarray
    first_to: np.ndarray
    step_cols: np.ndarray
    step_from: np.ndarray
    step_to: np.ndarray


@dataclass
class StageParams:
    """Everything the decoder needs: emission coefficients, priors, start and transitions."""

    features: list[str]
    coef: np.ndarray  # (stages, features)
    intercept: np.ndarray  # (stages,)
    priors: np.ndarray  # (stages,) P(stage) over gold turns, for scaled likelihoods
    start: np.ndarray  # (stages,)
    transitions: np.ndarray  # (stages, stages), upper triangular rows summing to 1
    meta: dict[str, Any] = field(default_factory=dict)
    #: input-dependent transitions (a maximum-entropy Markov model): for each previous state
    #: ("start" before turn 0, then each stage but closing) a logistic regression giving
    #: P(next stage | previous stage, evidence of the turn) over the allowed next stages
    memm: dict[str, dict[str, Any]] | None = None
    #: weights of the two scores in decoding: HMM (emission + transition) and MEMM
    mix: dict[str, float] = field(default_factory=lambda: {"hmm": 1.0, "memm": 0.0})
    #: globally trained scores (averaged structured perceptron): per stage, weights for
    #: being in the stage ("emit") and for the stage starting at this turn ("enter"), plus
    #: a stage-to-stage bias ("trans")
    crf: dict[str, Any] | None = None
    #: boundary scores (``boundary.py``): per stage after opening, conditional-logit weights
    #: over the candidate rows of a session (which turn starts the stage, or none)
    boundary: np.ndarray | None = None
    #: how the labels are read off the chain (``mbr.py``): ``{"method": "mbr-pk",
    #: "temperature": T, "path_weight": w}`` for the path with the fewest expected Pk window
    #: errors; None (older files) for the Viterbi path
    decoding: dict[str, Any] | None = None
    #: the learned text signal (``text.py``) that fills the ``text_*`` evidence columns;
    #: None (older files): those columns stay 0
    text: TextModel | None = None
    #: the session-level check for meetings put off (``adjourned.py``); None: no check
    gate: dict[str, Any] | None = None
    #: the context MEMM (``context.py``): a small network giving P(stage | previous stage,
    #: evidence of the turn and its neighbours); None (older files): not used
    context: dict[str, Any] | None = None

    def to_json(self) -> dict:
        return {
            "format": "analyzer-stage-hmm/1", "stages": list(STAGES),
            "features": self.features,
            "coef": np.round(self.coef, 6).tolist(),
            "intercept": np.round(self.intercept, 6).tolist(),
            "priors": np.round(self.priors, 6).tolist(),
            "start": np.round(self.start, 6).tolist(),
            "transitions": np.round(self.transitions, 6).tolist(),
            "memm": {prev: {"classes": list(m["classes"]),
                            "coef": np.round(np.asarray(m["coef"]), 6).tolist(),
                            "intercept": np.round(np.asarray(m["intercept"]), 6).tolist()}
                     for prev, m in (self.memm or {}).items()} or None,
            "mix": self.mix,
            "crf": {k: np.round(np.asarray(v), 6).tolist() for k, v in self.crf.items()}
            if self.crf else None,
            "boundary": np.round(self.boundary, 6).tolist()
            if self.boundary is not None else None,
            "decoding": self.decoding,
            "gate": self.gate,
            "context": context.to_json(self.context) if self.context else None,
            "text": self.text.to_json() if self.text is not None else None,
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict, source: str = "stage parameters") -> StageParams:
        try:
            if list(data["stages"]) != list(STAGES):
                raise ValueError(f"stages {data['stages']} are not {list(STAGES)}")
            params = cls(features=list(data["features"]),
                         coef=np.asarray(data["coef"], dtype=float),
                         intercept=np.asarray(data["intercept"], dtype=float),
                         priors=np.asarray(data["priors"], dtype=float),
                         start=np.asarray(data["start"], dtype=float),
                         transitions=np.asarray(data["transitions"], dtype=float),
                         meta=dict(data.get("meta", {})),
                         memm={prev: {"classes": [str(c) for c in m["classes"]],
                                      "coef": np.asarray(m["coef"], dtype=float),
                                      "intercept": np.asarray(m["intercept"], dtype=float)}
                               for prev, m in (data.get("memm") or {}).items()} or None,
                         mix={k: float(v) for k, v in
                              (data.get("mix") or {"hmm": 1.0, "memm": 0.0}).items()},
                         crf={k: np.asarray(v, dtype=float)
                              for k, v in (data.get("crf") or {}).items()} or None,
                         boundary=np.asarray(data["boundary"], dtype=float)
                         if data.get("boundary") is not None else None,
                         decoding=dict(data["decoding"]) if data.get("decoding") else None,
                         text=TextModel.from_json(data["text"]) if data.get("text") else None,
                         gate=dict(data["gate"]) if data.get("gate") else None,
                         context=context.from_json(data["context"])
                         if data.get("context") else None)
            if params.decoding and params.decoding.get("method") not in ("viterbi", "mbr-pk"):
                raise ValueError(f"unknown decoding method {params.decoding.get('method')!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{source}: not a stage parameter file ({exc})",
                             hint="refit with `python -m analyzer.stages.fit`") from exc
        if params.coef.shape != (N, len(params.features)):
            raise ModelError(f"{source}: coefficients do not match the feature list",
                             hint="refit with `python -m analyzer.stages.fit`")
        return params

    def save(self, path: Path) -> None:
        """Indented JSON, except the long arrays of the context network and the text model
        (weights, vocabulary, idf): one line each, so the file stays readable and its diffs
        small."""
        data = self.to_json()
        compact = {key: part for key in ("context", "text") if (part := data.pop(key, None))}
        body = json.dumps(data, indent=1)
        for key, part in compact.items():
            inner = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}"
                               for k, v in part.items())
            body = body[:-2] + f',\n "{key}": {{\n' + inner + "\n }\n}"
        path.write_text(body + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> StageParams:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path}: cannot read stage parameters ({exc})",
                             hint="refit with `python -m analyzer.stages.fit`") from exc
        return cls.from_json(data, str(path))


class Segmenter:
    """Decodes stages from evidence with a left-to-right HMM (see the module docstring)."""

    def __init__(self, params: StageParams) -> None:
        self.params = params
        # map the stored feature order onto the current one; unknown stored features are an
        # error (a model from a newer version), features new since fitting get weight 0
        missing = [f for f in params.features if f not in FEATURES]
        if missing:
            raise ModelError(f"stage parameters use unknown features: {', '.join(missing)}",
                             hint="refit with `python -m analyzer.stages.fit`")
        self._coef = np.zeros((N, len(FEATURES)))
        for k, name in enumerate(params.features):
            self._coef[:, FEATURES.index(name)] = params.coef[:, k]
        self._log_prior = _log(np.clip(params.priors, 1e-6, None))
        trans = np.where(_ALLOWED, params.transitions, 0.0)
        trans = trans / trans.sum(axis=1, keepdims=True)
        self._log_trans = _log(trans)
        self._log_start = _log(np.clip(params.start, 1e-9, None) / params.start.sum())
        self._boundary = None
        self._boundary_pair = None
        if params.boundary is not None:
            try:
                self._boundary = boundary.remap(params.boundary, params.features, FEATURES)
            except ValueError as exc:
                raise ModelError(f"stage parameters: {exc}",
                                 hint="refit with `python -m analyzer.stages.fit`") from exc
            self._boundary_pair = boundary.pair_weights(self._boundary, len(FEATURES))
        self._context = None
        if params.context is not None:
            try:
                self._context = context.Prepared(params.context, params.features, FEATURES)
            except (KeyError, ValueError) as exc:
                raise ModelError(f"stage parameters: {exc}",
                                 hint="refit with `python -m analyzer.stages.fit`") from exc
        self._text_cols = None
        if params.text is not None:
            unknown = [c for c in params.text.columns if c not in FEATURES]
            if unknown:
                raise ModelError(f"stage parameters: unknown text columns {unknown}",
                                 hint="refit with `python -m analyzer.stages.fit`")
            self._text_cols = [FEATURES.index(c) for c in params.text.columns]

    @property
    def info(self) -> dict:
        return dict(self.params.meta)

    def emissions(self, matrix: np.ndarray) -> np.ndarray:
        """Log scaled likelihoods log P(stage|x) - log P(stage), shape (turns, stages)."""
        scores = matrix @ self._coef.T + self.params.intercept
        log_post = scores - _logsumexp(scores, axis=1)[:, None]
        return log_post - self._log_prior

    def memm_potentials(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """log P(next stage | previous stage, x_t) for every turn and every previous stage:
        (init (N,), steps (n-1, N, N)), ``init`` from the "start" model.

        Backward moves are -inf (the potentials forbid them anyway); a forward move never
        seen in the gold (e.g. opening straight to closing) gets a small floor probability
        rather than none, so that formal actions forcing a stage always leave a path; a stage
        without a model (closing) stays. Computed with one product of the evidence with all
        the models' weights stacked and one grouped log-softmax, not a product and a
        log-softmax per model: at four stages numpy's per-call cost is most of the time
        (tests/stages/test_decode_golden.py keeps the per-model form as the reference)."""
        n = matrix.shape[0]
        lay = self._memm_layout()
        init = lay.base[0].copy()
        steps = np.empty((max(n - 1, 0), N, N))
        steps[:] = lay.base[1:]
        if not len(lay.starts):
            return init, steps
        z = matrix @ lay.weights.T + lay.bias  # (n, classes of all models)
        top = np.maximum.reduceat(z, lay.starts, axis=1)  # log-softmax per model, computed
        top = np.where(np.isfinite(top), top, 0.0)[:, lay.group]  # as _logsumexp does
        with np.errstate(divide="ignore"):
            total = np.log(np.add.reduceat(np.exp(z - top), lay.starts, axis=1))
        z = z - (total[:, lay.group] + top)
        init[lay.first_to] = z[0, lay.first_cols]
        steps[:, lay.step_from, lay.step_to] = z[1:, lay.step_cols]
        return init, steps

    def _memm_layout(self) -> _MemmLayout:
        """The MEMM models stacked for ``memm_potentials``, built once per ``params.memm``."""
        memm = self.params.memm or {}
        cache = self.__dict__.setdefault("_weights_cache", {})
        hit = cache.get("memm_layout")
        if hit is not None and hit[0] is memm:
            return hit[1]
        base = np.full((N + 1, N), -np.inf)
        coefs, biases, starts, group, targets = [], [], [], [], []
        for row, prev in enumerate(["start", *STAGES]):
            first = STAGES.index(prev) if prev in STAGES else 0
            base[row, first:] = UNSEEN_LOG_PROB
            model = memm.get(prev)
            if model is None:  # closing (or an unfitted state) stays
                base[row, first] = 0.0
                continue
            cols = [STAGES.index(c) for c in model["classes"]]
            if len(cols) == 1:
                base[row, cols[0]] = 0.0
                continue
            coef, intercept = self._memm_weights(prev, model)
            starts.append(len(group))
            group.extend([len(starts) - 1] * len(cols))
            targets.extend((row - 1, b) for b in cols)
            coefs.append(coef)
            biases.append(intercept)
        at_start = [k for k, (a, _) in enumerate(targets) if a < 0]
        later = [k for k, (a, _) in enumerate(targets) if a >= 0]
        lay = _MemmLayout(
            weights=np.vstack(coefs) if coefs else np.zeros((0, len(FEATURES))),
            bias=np.concatenate(biases) if biases else np.zeros(0),
            starts=np.array(starts, dtype=int), group=np.array(group, dtype=int), base=base,
            first_cols=np.array(at_start, dtype=int),
            first_to=np.array([targets[k][1] for k in at_start], dtype=int),
            step_cols=np.array(later, dtype=int),
            step_from=np.array([targets[k][0] for k in later], dtype=int),
            step_to=np.array([targets[k][1] for k in later], dtype=int))
        cache["memm_layout"] = (memm, lay)
        return lay

    def _memm_weights(self, prev: str, model: dict) -> tuple[np.ndarray, np.ndarray]:
        """The MEMM weights of ``prev`` in the current feature order, built once per model
        (rebuilding them for every session cost as much as the decoding)."""
        cache = self.__dict__.setdefault("_weights_cache", {})
        hit = cache.get(("memm", prev))
        if hit is None or hit[0] is not model:
            coef = np.zeros((len(model["classes"]), len(FEATURES)))
            for k, name in enumerate(self.params.features):
                coef[:, FEATURES.index(name)] = np.asarray(model["coef"])[:, k]
            hit = cache[("memm", prev)] = (model, coef, np.asarray(model["intercept"]))
        return hit[1], hit[2]

    def _crf_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The CRF weights in the current feature order, built once per ``params.crf``."""
        crf = self.params.crf or {}
        cache = self.__dict__.setdefault("_weights_cache", {})
        hit = cache.get("crf")
        if hit is None or hit[0] is not crf:
            hit = cache["crf"] = (crf, self._build_crf_weights(crf))
        return hit[1]

    def _build_crf_weights(self, crf: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        emit = np.zeros((N, len(FEATURES)))
        enter = np.zeros((N, len(FEATURES)))
        for k, name in enumerate(self.params.features):
            emit[:, FEATURES.index(name)] = np.asarray(crf["emit"])[:, k]
            enter[:, FEATURES.index(name)] = np.asarray(crf["enter"])[:, k]
        return emit, enter, np.asarray(crf["trans"])

    def crf_scores(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Perceptron scores: first turn's stage, and each step's (from, to) pair."""
        emit_w, enter_w, trans = self._crf_weights()
        return crf_scores(matrix, emit_w, enter_w, trans)

    def potentials(self, matrix: np.ndarray, end: int | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Log scores of the first turn's stage and of each step's (from, to) stage pair.

        HMM part: start + scaled emission, and transition + scaled emission. MEMM part:
        P(stage | start, x_0) and P(to | from, x_t). The two are mixed with ``params.mix``;
        moves backwards are -inf. ``end``: the parties' last turn (``talk_end``), when third
        parties speak after it.
        """
        n = matrix.shape[0]
        w_hmm, w_memm = self.params.mix.get("hmm", 1.0), self.params.mix.get("memm", 0.0)
        init = np.zeros(N)
        steps = np.zeros((max(n - 1, 0), N, N))
        steps[:, _FORBIDDEN] = -np.inf
        # the terms are added in place, always in this order
        if w_hmm:
            emit = self.emissions(matrix)
            init += _times(w_hmm, self._log_start + emit[0])
            steps += _times(w_hmm, self._log_trans[None, :, :] + emit[1:, None, :])
        w_crf = self.params.mix.get("crf", 0.0)
        if w_crf and self.params.crf:
            c_init, c_steps = self.crf_scores(matrix)
            init += w_crf * c_init
            steps += w_crf * c_steps
        if w_memm and self.params.memm:
            m_init, m_steps = self.memm_potentials(matrix)
            init += _times(w_memm, m_init)
            steps += _times(w_memm, m_steps)
        w_bound = self.params.mix.get("boundary", 0.0)
        if w_bound and self._boundary is not None and n:
            b_init, b_steps, b_final = boundary.chain_potentials(
                boundary.log_probs(matrix, self._boundary, self._boundary_pair), n)
            init += w_bound * b_init
            steps += w_bound * b_steps
            if n == 1:
                init += w_bound * b_final
            else:  # the final score depends on the last turn's stage only
                steps[-1] += w_bound * b_final[None, :]
        w_ctx = self.params.mix.get("context", 0.0)
        if w_ctx and self._context is not None and n:
            lp = self._context.log_probs(matrix)
            init += w_ctx * lp[0, 0]
            steps[:, :N - 1, :] += w_ctx * lp[1:, 1:, :]
        # init[None]: a view, so the rule writes into this session's first-turn scores
        closing_constraints(init[None], steps, closing_flags(matrix, ends=[end]), [n], [0])
        return init, steps

    def decode(self, matrix: np.ndarray, probabilities: bool = True, end: int | None = None
               ) -> tuple[list[int], np.ndarray | None]:
        """State indices and forward-backward posteriors for one session.

        The labels are the Viterbi path, or with ``params.decoding`` method ``mbr-pk`` the
        path with the fewest expected Pk window errors (``mbr.py``); the posteriors are the
        chain's own (temperature 1) either way. ``probabilities=False``: the labels only
        (posteriors None), and the untempered forward-backward pass runs only when the MBR
        decoder needs it (when the Viterbi path is not already its answer); the labels are
        the same (tested). ``end``: the parties' last turn (``talk_end``), when third parties
        speak after it."""
        if matrix.shape[0] == 0:
            return [], np.zeros((0, N)) if probabilities else None
        return self._decode_chain(*self.potentials(matrix, end), probabilities=probabilities)

    def decode_many(self, matrices: Sequence[np.ndarray], probabilities: bool = True,
                    ends: Sequence[int | None] | None = None
                    ) -> list[tuple[list[int], np.ndarray | None]]:
        """``[self.decode(m, probabilities, end) for m, end in zip(matrices, ends)]``, the
        same paths and posteriors: the chain potentials of all the sessions made at once
        (``many.potentials_many``, bit for bit those of ``potentials``), then each session's
        chain decoded as ``decode`` does."""
        from .many import potentials_many, stacked_potentials, viterbi_answers

        out: list[tuple[list[int], np.ndarray | None]] = [
            ([], np.zeros((0, N)) if probabilities else None)] * len(matrices)
        full = [k for k, m in enumerate(matrices) if m.shape[0]]
        kept = [matrices[k] for k in full]
        kept_ends = None if ends is None else [ends[k] for k in full]
        decoding = self.params.decoding or {}
        stacked = None if probabilities or decoding.get("method") != "mbr-pk" else \
            stacked_potentials(self, kept, kept_ends)
        if stacked is None:
            chains = potentials_many(self, kept, kept_ends)
            for k, (init, steps) in zip(full, chains, strict=True):
                out[k] = self._decode_chain(init, steps, probabilities=probabilities)
            return out
        # labels only, minimum-Bayes-risk: which sessions' answer is their Viterbi path is
        # found for all of them at once (``many.viterbi_answers``, the numbers ``mbr_path``
        # computes); the others go through ``mbr_path`` as in ``decode``
        init, steps, firsts, sizes = stacked
        chains = [(init[b], steps[first + 1:first + size])
                  for b, (first, size) in enumerate(zip(firsts.tolist(), sizes, strict=True))]
        paths = [viterbi(i, s) for i, s in chains]
        settings = self._mbr_settings()
        done = viterbi_answers(init, steps, firsts, sizes, paths, settings["temperature"])
        for k, (i, s), path, answered in zip(full, chains, paths, done, strict=True):
            out[k] = (path, None) if answered else (mbr.mbr_path(i, s, path, **settings), None)
        return out

    def _mbr_settings(self) -> dict[str, float]:
        """The minimum-Bayes-risk decoder's settings from ``params.decoding`` (with the
        defaults of files that leave one out), read in one place for ``decode`` and
        ``decode_many``."""
        decoding = self.params.decoding or {}
        return {"temperature": float(decoding.get("temperature", 6.0)),
                "path_weight": float(decoding.get("path_weight", 0.01)),
                "floor": float(decoding.get("floor", 1e-6))}

    def _decode_chain(self, init: np.ndarray, steps: np.ndarray, probabilities: bool
                      ) -> tuple[list[int], np.ndarray | None]:
        """``decode`` from the session's potentials."""
        path = viterbi(init, steps)
        # one scaled forward-backward pass serves the posteriors and the MBR decoder
        chain = mbr.Chain(init, steps) if probabilities else None
        decoding = self.params.decoding or {}
        if decoding.get("method") == "mbr-pk":
            path = mbr.mbr_path(init, steps, path, chain=chain, **self._mbr_settings())
        if chain is None:
            return path, None
        post = chain.posteriors() if chain.ok else log_posteriors(init, steps)
        return path, post

    def segment(self, transcript: Transcript, moves: Sequence[Any] | None = None,
                nlp=None, probabilities: bool = True,
                text: np.ndarray | None = None) -> StageSegmentation:
        """Stages, per-turn probabilities and outcome of one session.

        ``probabilities=False`` leaves ``StageSegmentation.probabilities`` empty (only
        reports and ``analyzer analyze``'s JSON show them; ``Analyzer(explain=False)``, what
        a batch without reports runs, asks for none): the same stages and outcome, for less
        work per session (no posteriors, often one forward-backward pass fewer). ``text``:
        the session's text columns, when the caller has them (``text_columns``)."""
        evidence = session_evidence(transcript, moves, nlp=nlp)
        return self.segment_evidence(transcript, evidence, probabilities=probabilities,
                                     nlp=nlp, text=text)

    def segment_many(self, transcripts: Sequence[Transcript],
                     moves: Sequence[Sequence[Any] | None], nlp=None,
                     probabilities: bool = True,
                     texts: Sequence[np.ndarray] | None = None) -> list[StageSegmentation]:
        """``segment`` of each session (with its ``moves`` and, if given, its ``texts``
        columns), the same results: the evidence session by session, the decoding of all of
        them together (``decode_many``)."""
        evidence = [session_evidence(t, m, nlp=nlp) for t, m in zip(transcripts, moves,
                                                                      strict=True)]
        matrices = [self.ready_to_decode(ev.matrix, t, nlp, None if texts is None else texts[k])
                    for k, (t, ev) in enumerate(zip(transcripts, evidence, strict=True))]
        return [self._segmentation(t, ev, path, post) for t, ev, (path, post) in zip(
            transcripts, evidence, self.decode_many(
                matrices, probabilities=probabilities, ends=[talk_end(t) for t in transcripts]),
            strict=True)]

    def text_columns(self, transcripts: Sequence[Transcript], nlp=None
                     ) -> list[np.ndarray] | None:
        """The text model's columns of many sessions at once (``TextModel.predict_many``,
        the numbers ``ready_to_decode`` fills in), or None when the parameters have none. Why:
        the analyser segments a batch of sessions, and the text model's per-session numpy
        calls cost more than its arithmetic; give each session its own to ``segment``."""
        if self._text_cols is None:
            return None
        return self.params.text.predict_many(transcripts, nlp)

    def ready_to_decode(self, matrix: np.ndarray, transcript: Transcript, nlp=None,
                        text: np.ndarray | None = None) -> np.ndarray:
        """``matrix`` ready to decode: the ``text_*`` columns filled by the text model (a
        copy; the matrix itself when the parameters have no text model and no check
        applies), then the check for meetings put off applied (``adjourned.apply_gate``:
        for a session without formal actions that it judges adjourned, closing may open
        only at a declared impasse). ``text``: the text columns already computed
        (``text_columns``)."""
        if self._text_cols is None or not len(matrix):
            return apply_gate(self.params.gate, matrix)
        out = matrix.copy()
        out[:, self._text_cols] = self.params.text.predict_transcript(transcript, nlp) \
            if text is None else text
        return apply_gate(self.params.gate, out)

    def segment_evidence(self, transcript: Transcript, evidence: Evidence,
                         probabilities: bool = True, nlp=None,
                         text: np.ndarray | None = None) -> StageSegmentation:
        """``segment`` from evidence already computed (``nlp``: the pipeline it was
        computed with, whose cached tokens the text model reads)."""
        path, post = self.decode(self.ready_to_decode(evidence.matrix, transcript, nlp, text),
                                 probabilities=probabilities, end=talk_end(transcript))
        return self._segmentation(transcript, evidence, path, post)

    @staticmethod
    def _segmentation(transcript: Transcript, evidence: Evidence, path: list[int],
                      post: np.ndarray | None) -> StageSegmentation:
        """The stages, probabilities (``post``, or None for none) and outcome of a decoded
        session."""
        stages = tuple(STAGES[k] for k in path)
        probs = () if post is None else \
            tuple([dict(zip(STAGES, row, strict=True)) for row in round4(post)])
        outcome, turn = detect_outcome(transcript, evidence, stages)
        return StageSegmentation(stages=stages, probabilities=probs,
                                 outcome=outcome, outcome_turn=turn)


def round4(probs: np.ndarray) -> list[list[float]]:
    """``[[round(p, 4) for p in row] for row in probs.tolist()]`` for values in [0, 1],
    without Python's ``round`` on every value (it goes through a decimal string).

    Python's ``round(p, 4)`` is the double nearest to the decimal ``r / 10**4``, ``r`` the
    integer nearest to the exact ``p * 10**4``; IEEE division ``r / 10000.0`` gives that same
    double. ``p * 10000.0`` is off the exact product by far less than 1e-6, so ``r`` is read
    off it unless its fraction lies within 1e-6 of one half; those values, and any outside
    [0, 1] (or -0.0, NaN), go through ``round`` itself (tests/stages/test_decode_golden.py
    compares the two on 240,000 values, halves included)."""
    y = probs * 10000.0
    whole = np.floor(y)
    frac = y - whole
    out = ((whole + (frac >= 0.5)) / 10000.0).tolist()
    odd = (np.abs(frac - 0.5) < 1e-6) | np.signbit(probs) | ~(probs <= 1.0)
    if odd.any():
        for i, j in zip(*np.nonzero(odd), strict=True):
            out[i][j] = round(float(probs[i, j]), 4)
    return out


def crf_scores(matrix: np.ndarray, emit_w: np.ndarray, enter_w: np.ndarray,
               trans: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scores of a linear chain: being in stage b at turn t (emit), stage b starting at t
    (enter, also for the first turn's stage) and moving a -> b (trans); -inf backwards."""
    emit = matrix @ emit_w.T  # (n, N)
    enter = matrix @ enter_w.T
    init = emit[0] + enter[0]
    n = matrix.shape[0]
    steps = np.broadcast_to(trans, (max(n - 1, 0), N, N)).copy()
    steps = steps + emit[1:, None, :]
    moving = ~np.eye(N, dtype=bool)
    steps = steps + np.where(moving[None, :, :], enter[1:, None, :], 0.0)
    steps[:, ~_ALLOWED] = -np.inf
    return init, steps


def log_posteriors(init: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Per-turn posteriors by forward-backward in log space.

    Slower than the scaled pass (``mbr.Chain``, a logsumexp per turn) but immune to
    underflow: the decoder falls back to it when a scaled sum comes out zero or non-finite
    (a session whose every path goes through a move ~1e-300 less likely than the best)."""
    n = steps.shape[0] + 1
    alpha = np.zeros((n, N))
    beta = np.zeros((n, N))
    alpha[0] = init
    for t in range(1, n):
        alpha[t] = _logsumexp(alpha[t - 1][:, None] + steps[t - 1], axis=0)
    for t in range(n - 2, -1, -1):
        beta[t] = _logsumexp(steps[t] + beta[t + 1][None, :], axis=1)
    post = alpha + beta
    return np.exp(post - _logsumexp(post, axis=1)[:, None])


def viterbi(init: np.ndarray, steps: np.ndarray) -> list[int]:
    """Best stage path of a chain with scores ``init`` (4,) and ``steps`` (n-1, 4, 4).

    On plain floats with the maximisations written out for the four stages: about a quarter
    of the time of four numpy calls per turn. Ties go to the lower stage, as ``np.argmax``
    breaks them (tests/stages/test_decode_golden.py compares it with the numpy form)."""
    d0, d1, d2, d3 = init.tolist()
    back = []
    # (the steps as one flat list, 16 values per step: ``tolist`` of nested lists costs twice)
    for x0, x1, x2, x3, y0, y1, y2, y3, z0, z1, z2, z3, u0, u1, u2, u3 in \
            zip(*[iter(steps.ravel().tolist())] * 16, strict=True):
        ptr, new = [], []
        for a, b, c, e in ((d0 + x0, d1 + y0, d2 + z0, d3 + u0),
                           (d0 + x1, d1 + y1, d2 + z1, d3 + u1),
                           (d0 + x2, d1 + y2, d2 + z2, d3 + u2),
                           (d0 + x3, d1 + y3, d2 + z3, d3 + u3)):
            k, m = 0, a  # argmax over the previous stage, first of equals
            if b > m:
                k, m = 1, b
            if c > m:
                k, m = 2, c
            if e > m:
                k, m = 3, e
            ptr.append(k)
            new.append(m)
        back.append(ptr)
        d0, d1, d2, d3 = new
    delta = [d0, d1, d2, d3]
    path = [delta.index(max(delta))]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    return path[::-1]


def detect_outcome(transcript: Transcript, evidence: Evidence,
                   stages: Sequence[str]) -> tuple[str, int | None]:
    """Agreement, impasse or unfinished, and the turn where it was reached.

    Formal actions decide when there are any: a Walk-Away is an impasse, an Accept-Deal an
    agreement (whichever came last). Without formal actions, the closing stage decides: it
    starts at the acceptance that stuck (agreement) or at a declared impasse.
    """
    if evidence.walk_away_turn is not None and (evidence.accept_turn is None or
                                                evidence.walk_away_turn > evidence.accept_turn):
        return "impasse", evidence.walk_away_turn
    if evidence.accept_turn is not None:
        return "agreement", evidence.accept_turn
    if any(t.is_action for t in transcript.turns) and "closing" not in stages:
        return "unfinished", None
    if "closing" in stages:
        start = list(stages).index("closing")
        impasse = evidence.column("impasse")
        accept = evidence.column("accept_sticks")
        if impasse[start] > 0 and accept[start] == 0:
            return "impasse", start
        declared = _impasse_declared_before(evidence, start)
        if declared is not None:
            return "impasse", declared
        if any(t.is_action and t.action.kind == "submit" for t in transcript.turns[start:]):
            return "unfinished", None  # a deal was put up formally but never accepted
        return "agreement", start
    return "unfinished", None


#: How many turns before the start of closing a declared impasse still decides the outcome.
IMPASSE_LOOKBACK = 3


def _impasse_declared_before(evidence: Evidence, start: int) -> int | None:
    """The turn that declared an impasse at or just before the start of closing, if the talk
    ended there.

    Why: in spoken talk one side often declares the impasse ("then I think we're too far
    apart") and the other answers "okay, that's a shame". The decoder may open closing at
    that "okay", or the declaration itself may open with "okay"; either way the acceptance
    cue would make the session an agreement. So an impasse declared at the start of closing
    or at most ``IMPASSE_LOOKBACK`` turns before it decides the outcome, unless the same
    turn puts the decision off ("let me take it to the board") or a proposal follows it
    anywhere in the session. Measured on the spoken gold's out-of-fold stages, fold seeds
    0-2: impasses found 31 -> 41 of 78, no agreement or unfinished session lost
    (docs/history/stages-log.md, "Spoken outcomes and first offers")."""
    impasse = evidence.column("impasse")
    proposal = evidence.column("proposal")
    defer = evidence.column("defer")
    for j in range(start, max(-1, start - 1 - IMPASSE_LOOKBACK), -1):
        if impasse[j] > 0 and defer[j] == 0:
            return j if not proposal[j + 1:].any() else None
    return None


def load_segmenter(path: str | Path | None = None) -> Segmenter:
    """The shipped segmenter (``params.json`` in this package), or one from ``path``."""
    return Segmenter(StageParams.load(Path(path) if path else PARAMS_PATH))
