"""Loading models safely and analysing whole sessions with them."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from analyzer.errors import ModelError
from analyzer.moves import load_model
from analyzer.moves.model import MODEL_FILE, default_model_dir
from analyzer.nlp import make_nlp, split_units
from analyzer.results import ORIENTATIONS
from analyzer.transcript import Action, Transcript, Turn, speakers_in_order


def _session() -> Transcript:
    turns = (
        Turn(0, "A", "Hello! How are you? Excited for the camping trip?"),
        Turn(1, "B", "Hi! Yes! I really need extra water because my kids drink a lot."),
        Turn(2, "A", "What matters most to you? I don't need much firewood."),
        Turn(3, "B", "If you give me 3 water, I'll give you 2 food and all the firewood."),
        Turn(4, "A", "Sounds good to me!"),
        Turn(5, "B", "Submit-Deal", action=Action("submit", "Submit-Deal", {
            "speaker_gets": {"Water": 3, "Food": 1, "Firewood": 0},
            "other_gets": {"Water": 0, "Food": 2, "Firewood": 3}})),
        Turn(6, "A", "Accept-Deal", action=Action("accept", "Accept-Deal")),
    )
    return Transcript("demo", "test", "test", speakers_in_order(turns), turns)


def test_shipped_model_loads_fast_and_says_what_it_is():
    model = load_model()
    info = model.info
    assert info["name"] and info["version"]
    assert len(info["hash"]) == 64
    assert "self-need" in info["labels"]
    assert info["orientation_map"]["self-need"] == "distributive"
    assert model.path == default_model_dir()


def test_predict_session_one_move_per_turn_actions_included():
    model, nlp = load_model(), make_nlp()
    t = _session()
    units = split_units(nlp, t)
    unit_moves, moves = model.predict_session(t, units)
    assert [m.turn for m in moves] == list(range(len(t.turns)))
    assert len(unit_moves) == len(units)
    for m in moves:
        assert m.orientation in ORIENTATIONS
        assert 0.0 <= m.confidence <= 1.0
        assert m.labels
    assert moves[1].orientation == "distributive"  # own and children's needs
    assert "self-need" in moves[1].labels or "other-need" in moves[1].labels
    assert moves[3].offer == "tradeoff_offer"
    assert moves[4].offer == "accept"
    assert moves[5].move == "tradeoff_offer" and moves[5].orientation == "neutral"
    assert moves[6].move == "accept"
    # reasons are human readable features or cues, quoting the words for cues
    assert any(r.startswith(("cue:", "word:", "char:")) for r in moves[1].reasons)
    assert any('"' in r for r in moves[1].reasons)


def test_missing_or_foreign_model_folders_give_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="not a model folder"):
        load_model(tmp_path / "empty")


def test_refuses_types_outside_the_allow_list(tmp_path):
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path / "m"
    shutil.copytree(default_model_dir(), folder)
    sio.dump(LogisticRegression(), folder / MODEL_FILE)
    meta = json.loads((folder / "meta.json").read_text())
    meta["model_file"].pop("sha256")
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="allow-list"):
        load_model(folder)


def test_tampered_file_and_wrong_versions_are_refused(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(default_model_dir(), folder)
    with open(folder / MODEL_FILE, "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelError, match="hash"):
        load_model(folder)
    shutil.copy(default_model_dir() / MODEL_FILE, folder / MODEL_FILE)
    meta = json.loads((folder / "meta.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=re.escape("scikit-learn 0.24.2")) as info:
        load_model(folder)
    assert "retrain" in info.value.hint


def test_long_turn_units_are_labelled_and_rolled_up_by_the_mixed_turn_rule():
    import numpy as np

    from analyzer.moves.model import roll_up

    long_turn = ("Thanks for coming today, it is lovely to meet you and I hope the trip went "
                 "well. What matters most to you in this deal, water or firewood? "
                 "We really need all of the water because my kids get sick without it. "
                 "If you give me the water, you can have all of the firewood and the food!")
    turns = (Turn(0, "A", "Hi there!"), Turn(1, "B", long_turn))
    t = Transcript("long", "test", "test", speakers_in_order(turns), turns)
    model, nlp = load_model(), make_nlp()
    units = split_units(nlp, t)
    unit_moves, moves = model.predict_session(t, units)
    mine = [m for m in unit_moves if m.turn == 1]
    assert len(mine) == 4
    assert moves[1].orientation == "distributive"  # the need claim makes the turn distributive
    assert any(m.orientation == "integrative" for m in mine)
    assert moves[1].offer == "tradeoff_offer"
    d = ORIENTATIONS.index("distributive")
    Q = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
    q = roll_up(Q)
    assert np.isclose(q.sum(), 1.0) and np.isclose(q[d], 1 - 0.8 * 0.4)
