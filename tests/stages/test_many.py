"""Segmenting a batch of sessions together gives, bit for bit, what one by one gives.

``many.potentials_many`` stacks the sessions' turns for the element-wise work of the chain
potentials; ``Segmenter.decode_many`` and ``segment_many`` build on it, and ``Analyzer``
uses them. Checked on CaSiNo valid and the examples (real evidence with the shipped
parameters), on one- and two-turn sessions, on empty ones, and with a mix that includes the
perceptron scores (which go one by one)."""

from __future__ import annotations

import numpy as np

from analyzer.io import read_transcripts
from analyzer.pipeline import Analyzer
from analyzer.results import STAGES
from analyzer.stages import mbr
from analyzer.stages.evidence import session_evidence
from analyzer.stages.many import potentials_many, stacked_potentials, viterbi_answers
from analyzer.stages.metrics import default_k
from analyzer.stages.segmenter import Segmenter, StageParams, viterbi
from analyzer.transcript import Speaker, Transcript, Turn


def same(a: tuple, b: tuple) -> bool:
    return all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def sessions(casino_dir, examples_dir) -> list[Transcript]:
    found = list(read_transcripts(casino_dir / "casino_valid.json"))
    for name in ("teams_lease.vtt", "riverside_mediation.txt", "procurement.csv"):
        found += list(read_transcripts(examples_dir / name))
    return found


def test_batched_potentials_and_stages_equal_the_per_session_ones(casino_dir, examples_dir):
    analyzer = Analyzer(explain=False)
    seg = analyzer.segmenter
    transcripts = sessions(casino_dir, examples_dir)
    analyses = list(analyzer.analyze_many(transcripts))
    moves = [a.moves for a in analyses]
    matrices = [seg.ready_to_decode(session_evidence(t, m, nlp=analyzer.nlp).matrix, t,
                                    analyzer.nlp)
                for t, m in zip(transcripts, moves, strict=True)]
    # whole sessions, and their first one and two turns (a single turn has no steps)
    for batch in (matrices, [m[:1] for m in matrices], [m[:2] for m in matrices]):
        for got, m in zip(potentials_many(seg, batch), batch, strict=True):
            assert same(got, seg.potentials(m))
    # decoding: empty sessions in between, with and without posteriors
    empty = np.zeros((0, matrices[0].shape[1]))
    batch = [empty, *matrices[:8], empty]
    for probabilities in (False, True):
        for (path, post), m in zip(seg.decode_many(batch, probabilities), batch, strict=True):
            want_path, want_post = seg.decode(m, probabilities)
            assert path == want_path
            assert (post is None and want_post is None) or np.array_equal(post, want_post)
    # the analyser's stages (segment_many) are segment's, outcome included
    for a, t, m in zip(analyses, transcripts, moves, strict=True):
        assert a.stages == seg.segment(t, m, nlp=analyzer.nlp, probabilities=False)
    assert seg.segment_many([], []) == []


def answered_by_viterbi(init, steps, path, temperature: float) -> bool:
    """``mbr.mbr_path``'s own test, one session: does it return the Viterbi path before its
    dynamic programme?"""
    n = steps.shape[0] + 1
    if n < 3:
        return True
    k = default_k([STAGES[s] for s in path])
    chain = mbr.Chain(init / temperature, steps / temperature)
    if not chain.ok:
        return True
    q = chain.same_segment_probs(k).tolist()
    return all((path[i] == path[i + k]) == (q[i] >= 0.5) for i in range(n - k))


def test_sessions_answered_by_their_viterbi_path_are_found_together(casino_dir, examples_dir):
    analyzer = Analyzer(explain=False)
    seg = analyzer.segmenter
    transcripts = sessions(casino_dir, examples_dir)
    moves = [a.moves for a in analyzer.analyze_many(transcripts)]
    matrices = [seg.ready_to_decode(session_evidence(t, m, nlp=analyzer.nlp).matrix, t,
                                    analyzer.nlp)
                for t, m in zip(transcripts, moves, strict=True)]
    matrices += [matrices[0][:1], matrices[1][:2], matrices[2][:3]]  # too short, or just not
    init, steps, firsts, sizes = stacked_potentials(seg, matrices)
    # a chain whose scaled sums fail: all the first turn's mass on opening, and no move out
    # of opening allowed at the first step
    init[0] = [0.0, -np.inf, -np.inf, -np.inf]
    steps[firsts[0] + 1, 0, :] = -np.inf
    chains = [(init[b], steps[f + 1:f + n])
              for b, (f, n) in enumerate(zip(firsts.tolist(), sizes, strict=True))]
    paths = [viterbi(i, s) for i, s in chains]
    kinds = set()
    for temperature in (6.0, 1.0):
        got = viterbi_answers(init, steps, firsts, sizes, paths, temperature)
        want = [answered_by_viterbi(i, s, p, temperature)
                for (i, s), p in zip(chains, paths, strict=True)]
        assert got == want
        kinds |= set(got)
    # both kinds are there (which sessions hedge depends on the fitted parameters: untempered,
    # the parameters fitted on out-of-fold move labels leave none in this set; at 6 several)
    assert kinds == {True, False}
    assert not mbr.Chain(init[0] / 6.0, chains[0][1] / 6.0).ok and got[0]


def test_a_mix_with_perceptron_scores_goes_session_by_session(casino_dir, examples_dir):
    seg = Analyzer(explain=False).segmenter
    data = seg.params.to_json()
    n_features = len(seg.params.features)
    rng = np.random.default_rng(0)
    crf = {"emit": rng.normal(size=(4, n_features)).tolist(),
           "enter": rng.normal(size=(4, n_features)).tolist(),
           "trans": rng.normal(size=(4, 4)).tolist()}
    with_crf = Segmenter(StageParams.from_json(
        dict(data, crf=crf, mix={**seg.params.mix, "crf": 0.5})))
    turns = tuple(Turn(i, "AB"[i % 2], text) for i, text in enumerate(
        ["Hi!", "I need water.", "Take 2 food and I get 3 water?", "Deal, thanks."]))
    t = Transcript("s", "test", "text", (Speaker("A"), Speaker("B")), turns)
    matrix = with_crf.ready_to_decode(session_evidence(t).matrix, t)
    for got, m in zip(potentials_many(with_crf, [matrix, matrix[:1]]), [matrix, matrix[:1]],
                      strict=True):
        assert same(got, with_crf.potentials(m))
