"""Hand-built sessions with known answers, so the report is tested without the pipeline.

- ``timed_dyad``: two parties with timestamps, one priority question answered positionally,
  one package offer met with a single-issue counter, an agreement, two formal actions.
- ``mediated``: two parties and a mediator, no timestamps, drifting into an impasse.
- ``hostile``: a session whose ids, speaker names and texts hold HTML and script.
"""

from __future__ import annotations

import pytest

from analyzer.results import SessionAnalysis, StageSegmentation, TurnMove, Unit, UnitMove
from analyzer.transcript import Action, Transcript, Turn, speakers_in_order

ACTIONS = {"Submit-Deal": "submit", "Accept-Deal": "accept", "Reject-Deal": "reject",
           "Walk-Away": "walk_away"}


def make_session(session_id: str, rows: list[tuple], stages: list[str], outcome: str,
                 outcome_turn: int | None = None, roles: dict | None = None,
                 model: dict | None = None) -> SessionAnalysis:
    """rows: (speaker, text, start, end, move, orientation, confidence[, offer])."""
    turns, moves, units, unit_moves = [], [], [], []
    for i, row in enumerate(rows):
        speaker, text, start, end, move, orientation, confidence = row[:7]
        offer = row[7] if len(row) > 7 else None
        action = Action(ACTIONS[text], text) if text in ACTIONS else None
        turns.append(Turn(i, speaker, text, start, end, source_line=i + 1, action=action))
        moves.append(TurnMove(i, move, orientation, confidence, labels=(move,),
                              probabilities={orientation: confidence},
                              reasons=(f"cue:{move}",), offer=offer))
        units.append(Unit(i, 0, 0, len(text), text))
        unit_moves.append(UnitMove(i, 0, move, orientation, confidence))
    transcript = Transcript(session_id, f"{session_id}.txt", "text",
                            speakers_in_order(turns, roles), tuple(turns))
    return SessionAnalysis(transcript, tuple(units), tuple(unit_moves), tuple(moves),
                           StageSegmentation(tuple(stages), outcome=outcome,
                                             outcome_turn=outcome_turn),
                           model=model or {"name": "test-model", "version": "0",
                                           "scores": {"macro_f1": 0.71}})


@pytest.fixture
def session_factory():
    """``make_session`` for tests that build their own small session."""
    return make_session


INT, DIS, NEU = "integrative", "distributive", "neutral"


@pytest.fixture
def timed_dyad() -> SessionAnalysis:
    rows = [
        ("Alex", "Hi there! How are you doing today?", 0.0, 4.0, "small-talk", INT, 0.9),
        ("Blair", "Great, thanks! Excited for the camping trip.", 4.0, 8.0, "small-talk", INT, 0.8),
        ("Alex", "What matters most to you on this trip?", 8.0, 14.0, "elicit-pref", INT, 0.95),
        ("Blair", "I need all the water, my kids drink a lot.", 14.0, 20.0, "self-need", DIS, 0.9),
        ("Alex", "I understand. Water is less important to me than firewood.", 20.0, 26.0,
         "no-need", INT, 0.7),
        ("Blair", "I really need the firewood too, it gets cold.", 26.0, 33.0, "self-need", DIS,
         0.85),
        ("Alex", "How about I take 2 firewood and 1 food, and you take 3 water and 2 food?",
         33.0, 41.0, "package_offer", INT, 0.88, "package_offer"),
        ("Blair", "I want all 3 firewood.", 41.0, 45.0, "single_issue_offer", DIS, 0.8,
         "single_issue_offer"),
        ("Alex", "Let's work together so we both get what we need.", 45.0, 50.0,
         "promote-coordination", INT, 0.75),
        ("Blair", "Fine, you can have 2 firewood if I get all the water.", 50.0, 55.0,
         "tradeoff_offer", INT, 0.6, "tradeoff_offer"),
        ("Alex", "Deal, that works for me.", 55.0, 58.0, "accept", NEU, 0.9),
        ("Blair", "Submit-Deal", None, None, "non-strategic", NEU, 1.0),
        ("Alex", "Accept-Deal", None, None, "accept", NEU, 1.0),
    ]
    stages = ["opening"] * 2 + ["exploring"] * 4 + ["bargaining"] * 4 + ["closing"] * 3
    return make_session("dyad-1", rows, stages, "agreement", 12)


@pytest.fixture
def mediated() -> SessionAnalysis:
    rows = [
        ("Mediator", "Welcome, thank you both for coming today.", None, None, "small-talk", INT,
         0.9),
        ("Ana", "Thanks, glad to be here.", None, None, "small-talk", INT, 0.8),
        ("Ben", "Hello everyone.", None, None, "small-talk", INT, 0.8),
        ("Mediator", "What matters most to each of you in this contract?", None, None,
         "elicit-pref", INT, 0.9),
        ("Ana", "The delivery schedule matters most to us.", None, None, "no-need", INT, 0.7),
        ("Ben", "We need the full price, no discount at all.", None, None, "self-need", DIS, 0.8),
        ("Ana", "We will not pay the full price.", None, None, "vouch-fair", DIS, 0.7),
        ("Mediator", "Could you each say what you could give up?", None, None, "elicit-pref",
         INT, 0.8),
        ("Ben", "We insist on the full price for every unit.", None, None, "self-need", DIS, 0.9),
        ("Ana", "Then we walk away from this contract.", None, None, "walk_away", DIS, 0.8),
        ("Ben", "The price stays where it is.", None, None, "self-need", DIS, 0.6),
        ("Mediator", "Let us take a short break and come back.", None, None, "non-strategic",
         NEU, 0.9),
    ]
    stages = ["opening"] * 3 + ["exploring"] * 4 + ["bargaining"] * 4 + ["closing"]
    return make_session("mediation-1", rows, stages, "impasse", 11)


SCRIPT = "<script>document.title='pwned'</script>"
IMG = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture
def hostile() -> SessionAnalysis:
    rows = [
        ("Eve & <b>Co</b>", f"Hello {SCRIPT} & welcome", 0.0, 3.0, "small-talk", INT, 0.9),
        (f"Mal{IMG}", f"What do you need most? {IMG} </table></style>", 3.0, 6.0,
         "elicit-pref", INT, 0.9),
        ("Eve & <b>Co</b>", "I need 3 water & all the <i>firewood</i> \"now\"", 6.0, 9.0,
         "self-need", DIS, 0.9),
        (f"Mal{IMG}", "Ok <a href='javascript:alert(1)'>click</a> deal", 9.0, 12.0, "accept", NEU,
         0.9),
    ]
    return make_session(f"s<1>&{SCRIPT}", rows, ["opening", "exploring", "bargaining",
                                                 "closing"], "agreement", 3,
                        model={"name": f"m{SCRIPT}"})


SPOKEN_EXAMPLE = "supplier_contract.txt"  # timed, spoken-style transcript
MEDIATION_EXAMPLE = "riverside_mediation.txt"  # three parties and a mediator


def _run_analyze(examples_dir, name: str, out, formats: str) -> None:
    """``analyzer analyze`` through the real CLI, with the shipped model (which must load)."""
    from typer.testing import CliRunner

    from analyzer.cli import app

    path = examples_dir / name
    assert path.exists(), f"{path} is missing from the repository"
    result = CliRunner().invoke(app, ["analyze", str(path), "--format", formats,
                                      "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def spoken_reports(examples_dir, tmp_path_factory):
    """The reports of the spoken-style example, written once by the real pipeline."""
    out = tmp_path_factory.mktemp("spoken")
    _run_analyze(examples_dir, SPOKEN_EXAMPLE, out, "md,json,html")
    return out


@pytest.fixture(scope="session")
def mediation_reports(examples_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("mediation")
    _run_analyze(examples_dir, MEDIATION_EXAMPLE, out, "json,md")
    return out
