"""Report metrics on hand-built sessions with answers worked out by hand."""

from __future__ import annotations

import json

import pytest

from analyzer.report.arc import turning_points
from analyzer.report.facts import turn_facts
from analyzer.report.issues import focus, fold
from analyzer.report.session_report import build_report

INT, DIS, NEU = "integrative", "distributive", "neutral"


def _stage(report, name):
    return next(s for s in report["stages"] if s["stage"] == name)


def _row(rows, speaker):
    return next(r for r in rows if r["speaker"] == speaker)


def test_per_stage_party_counts_and_shares(timed_dyad):
    report = build_report(timed_dyad)
    assert [s["stage"] for s in report["stages"]] == ["opening", "exploring", "bargaining",
                                                      "closing"]
    exploring = _stage(report, "exploring")
    alex, blair = _row(exploring["parties"], "Alex"), _row(exploring["parties"], "Blair")
    # Alex: "What matters most to you on this trip?" (8) + "I understand. Water ..." (10)
    assert (alex["turns"], alex["words"]) == (2, 18)
    assert (blair["turns"], blair["words"]) == (2, 19)
    assert alex["talk_share"] == pytest.approx(18 / 37)
    # times: Alex 6 + 6 s, Blair 6 + 7 s
    assert alex["time_share"] == pytest.approx(12 / 25)
    assert alex["orientation_shares"]["integrative"] == 1.0
    assert blair["orientation_shares"]["distributive"] == 1.0
    assert blair["moves"] == {"self-need": 2}
    assert blair["move_orientations"] == {"self-need": "distributive"}
    assert alex["questions"] == 1
    # the telling distributive quote is Blair's most confident distributive turn
    assert [q["turn"] for q in blair["quotes"]["distributive"]] == [3, 5]
    closing = _stage(report, "closing")
    assert closing["turns"] == 3 and _row(closing["parties"], "Blair")["actions"] == 1


def test_conversation_metrics_by_stage(timed_dyad):
    report = build_report(timed_dyad)
    opening = _stage(report, "opening")["conversation"]
    assert opening["speaker_switches"] == 1 and opening["words"] == 14
    assert opening["interactivity_per_100_words"] == pytest.approx(100 / 14, abs=1e-3)
    assert opening["interactivity_per_minute"] == pytest.approx(60 / 8)
    whole = report["overview"]["conversation"]
    assert whole["speaker_switches"] == 10  # strictly alternating over 11 spoken turns
    alex = _row(report["overview"]["parties"], "Alex")
    # longest run is one turn; Alex's longest turn is the package offer (17 words, 8 s)
    assert alex["longest_monologue_words"] == 17 and alex["longest_monologue_turn"] == 6
    assert alex["longest_monologue_seconds"] == pytest.approx(8.0)


def test_reciprocity_counts(timed_dyad):
    rec = {r["party"]: r for r in build_report(timed_dyad)["reciprocity"]["parties"]}
    # Blair replied to 4 integrative turns of Alex's (the greeting is a pleasantry, neutral
    # here) and answered 1 of them in kind (the trade; "Great, thanks!" is no longer one)
    assert (rec["Blair"]["after_integrative"], rec["Blair"]["integrative_in_kind"]) == (4, 1)
    assert rec["Blair"]["integrative_rate"] == pytest.approx(0.25)
    assert rec["Blair"]["integrative_base_rate"] == pytest.approx(1 / 5)  # the trade of 5
    assert rec["Blair"]["after_distributive"] == 0 and rec["Blair"]["distributive_rate"] is None
    # Alex met Blair's 3 distributive turns with integrative ones, never in kind
    assert (rec["Alex"]["after_distributive"], rec["Alex"]["distributive_in_kind"]) == (3, 0)
    assert (rec["Alex"]["after_integrative"], rec["Alex"]["integrative_in_kind"]) == (1, 0)


def test_missed_opportunities(timed_dyad):
    found = build_report(timed_dyad)["missed_opportunities"]
    assert [(m["kind"], m["turn"], m["reply_turn"], m["by"]) for m in found] == [
        ("priority_question_positional", 2, 3, "Blair"),
        ("package_single_issue", 6, 7, "Blair"),
    ]
    assert "Olekalns" in found[0]["why"]


def test_issues_and_focus(timed_dyad):
    issues = build_report(timed_dyad)["issues"]
    assert [(i["issue"], i["mentions"]) for i in issues["issues"]] == [
        ("firewood", 5), ("water", 4), ("food", 2)]
    assert issues["focus"]["top_issue"] == "firewood"
    assert issues["focus"]["top_share"] == pytest.approx(5 / 11)
    assert issues["focus"]["verdict"] == "on a few main issues"
    assert fold("waters") == "water" and fold("wood") == "firewood" and fold("glass") == "glass"
    assert focus([{"issue": "price", "mentions": 9}, {"issue": "date", "mentions": 1}])[
        "verdict"] == "focused on price"
    scattered = focus([{"issue": f"t{i}", "mentions": 1} for i in range(6)])
    assert scattered["verdict"] == "spread over 6 issues" and scattered["entropy"] == 1.0


def test_a_fee_named_before_its_amount_is_an_issue(session_factory):
    """"My fee ... is four thousand two hundred": the amount comes after the money term,
    in the same sentence (QA: the fee of a logo negotiation was missing); a word followed
    by a number in the next sentence is not quantified by it."""
    def row(speaker, text):
        return (speaker, text, None, None, "non-strategic", "neutral", 0.8)

    rows = [row("M", "What matters most to you: the fee or the timeline?"),
            row("I", "My fee for the full identity is four thousand two hundred."),
            row("M", "The shop opens soon. Three weeks, maybe.")]
    issues = build_report(session_factory("fee", rows, ["bargaining"] * 3, "unfinished"))
    names = {i["issue"]: i["quantified"] for i in issues["issues"]["issues"]}
    assert names.get("fee") == 1
    assert "shop" not in names


def test_a_firms_name_is_no_issue_but_a_month_may_be(session_factory):
    """"Greenway" is written with a capital wherever it stands: a name, not an issue (QA);
    a month is capitalised too and stays a term of the deal."""
    def row(speaker, text):
        return (speaker, text, None, None, "non-strategic", "neutral", 0.8)

    rows = [row("T", "For Greenway, we need 130 homes and the road."),
            row("A", "Then Greenway pays for 2 flood works, and homes stay low."),
            row("T", "Greenway can build 120 homes if the works start in September."),
            row("A", "Fine, 2 flood works by September, and the homes stay low.")]
    from analyzer.report.issues import term_mentions

    analysis = session_factory("firm", rows, ["bargaining"] * 4, "unfinished")
    names = [i["issue"] for i in build_report(analysis)["issues"]["issues"]]
    assert "home" in names and "greenway" not in names
    terms = {term for _, term, _ in term_mentions(turn_facts(analysis))}
    assert "september" in terms and "greenway" not in terms


def test_mediator_is_reported_apart_and_excluded(mediated):
    report = build_report(mediated)
    for stage in report["stages"]:
        assert all(r["speaker"] != "Mediator" for r in stage["parties"])
        spoken_parties = [r for r in stage["parties"] if r["words"]]
        if spoken_parties:
            assert sum(r["talk_share"] for r in stage["parties"]) == pytest.approx(1.0)
    exploring = _stage(report, "exploring")
    assert [r["speaker"] for r in exploring["third_parties"]] == ["Mediator"]
    # Ana 14 words, Ben 9: the mediator's 10 words are not in the denominator
    assert _row(exploring["parties"], "Ana")["talk_share"] == pytest.approx(14 / 23)
    assert _row(exploring["third_parties"], "Mediator")["talk_share"] == pytest.approx(10 / 33)
    # the mediator's integrative questions are not a party's integrative moves
    combined = exploring["parties_combined"]["orientation_counts"]
    assert combined == {"integrative": 1, "distributive": 2, "neutral": 0}
    assert [r["speaker"] for r in report["overview"]["third_parties"]] == ["Mediator"]


def test_reciprocity_skips_the_mediator(mediated):
    """Pairs are consecutive parties' turns; a mediator's turn breaks the chain (Ben's
    "We insist..." answers the mediator's question, not Ana's "We will not pay")."""
    rec = build_report(mediated)["reciprocity"]
    assert rec["pairs"] == 5  # 1-2, 4-5, 5-6, 8-9, 9-10
    ben = next(r for r in rec["parties"] if r["party"] == "Ben")
    # Ana's "Thanks, glad to be here." and Ben's "Hello everyone." are pleasantries
    assert (ben["after_integrative"], ben["integrative_in_kind"]) == (1, 0)
    assert (ben["after_distributive"], ben["distributive_in_kind"]) == (1, 1)
    assert {r["party"] for r in rec["parties"]} == {"Ana", "Ben"}


def test_turning_points_stage_changes_and_no_shift_from_greetings(mediated):
    """The opening's greetings are not an integrative climate, so the claims that follow
    are no swing (until 0.4.0 they gave "turn 9: integrative -> distributive")."""
    points = turning_points(turn_facts(mediated))
    assert [(p["turn"], p["kind"], p["to"]) for p in points] == [
        (3, "stage", "exploring"), (7, "stage", "bargaining"), (11, "stage", "closing")]


def test_climate_shifts_both_ways_on_substantive_moves(session_factory):
    """Claims, then priorities shared and trades: a shift to integrative; the greeting and
    the goodbye count for neither side."""
    def row(speaker, move, orientation):
        return (speaker, f"{speaker} {move}", None, None, move, orientation, 0.8)

    rows = [row("A", "small-talk", "integrative"), row("B", "small-talk", "integrative")]
    rows += [row(s, "self-need", "distributive") for s in "ABAB"]
    rows += [row(s, "elicit-pref", "integrative") for s in "ABABAB"]
    rows += [row("A", "small-talk", "integrative")]
    stages = ["opening"] * 2 + ["bargaining"] * 10 + ["closing"]
    points = turning_points(turn_facts(session_factory("swing", rows, stages, "agreement", 12)))
    assert [(p["turn"], p["from"], p["to"]) for p in points if p["kind"] == "climate"] == [
        (9, "distributive", "integrative")]


def test_a_climate_shift_is_quoted_at_a_turn_of_the_new_climate(session_factory):
    """The window tips at turn 9, a neutral turn (an old claim left the window); the shift
    is quoted at turn 7, the latest integrative turn in it (coach QA, 28 Nov 2026: "Nothing's
    agreed. Thanks Dev." was quoted as a shift to integrative)."""
    def row(speaker, move, orientation):
        return (speaker, f"{speaker} {move}", None, None, move, orientation, 0.8)

    rows = [row("A", "small-talk", "integrative"), row("B", "small-talk", "integrative")]
    rows += [row(s, "self-need", "distributive") for s in "ABA"]
    rows += [row(s, "elicit-pref", "integrative") for s in "BAB"]
    rows += [row(s, "non-strategic", "neutral") for s in "AB"]
    stages = ["opening"] * 2 + ["bargaining"] * 8
    points = turning_points(turn_facts(session_factory("tip", rows, stages, "agreement", 9)))
    shifts = [p for p in points if p["kind"] == "climate"]
    assert [(p["turn"], p["from"], p["to"]) for p in shifts] == [
        (7, "distributive", "integrative")]
    assert shifts[0]["text"] == "B elicit-pref"


def test_start_only_times_give_estimated_time_shares(session_factory):
    make_session = session_factory
    rows = [("A", "one two three four five", 0.0, None, "small-talk", "integrative", 0.9),
            ("B", "six seven", 10.0, None, "small-talk", "integrative", 0.9),
            ("A", "eight nine ten eleven twelve", 14.0, None, "self-need", "distributive", 0.9)]
    report = build_report(make_session("starts", rows, ["opening"] * 3, "unfinished"))
    a, b = report["overview"]["parties"]
    # A: 7 s (its 5 words at half the usual rate plus 3 s: the rest of the 10 s before B is
    # a pause) + 5 words at 2.5 words/s = 9 s; B: until A's next turn, 4 s
    assert (a["seconds"], b["seconds"]) == (9.0, 4.0)
    assert a["time_share"] == pytest.approx(9 / 13)
    assert [t["end_estimated"] for t in report["turns"]] == [True, True, True]
    assert "times" in report["notes"]


def test_headlines_restate_the_sections(timed_dyad, mediated):
    dyad = build_report(timed_dyad)["headlines"]
    assert dyad[0].startswith("Agreement reached at turn 12; stages (turns): opening (2)")
    assert "Integrative moves answered in kind: Alex 0 of 1; Blair 1 of 4." in dyad
    assert "Issues most discussed: firewood, water, food; the talk is on a few main issues." \
        in dyad
    med = build_report(mediated)["headlines"]
    assert "Mediator spoke 40% of all words and is reported apart." in med
    assert "Climate shifts: none." in med
    assert "Talk share: Ana 50%, Ben 50%." in med


def test_move_types_carry_their_nominal_orientation(session_factory):
    rows = [("A", "So a longer commitment would be worth something to you?", None, None,
             "uv-part", "integrative", 0.6),
            ("B", "We need it all, really all of it.", None, None, "self-need", "distributive",
             0.9)]
    model = {"name": "m", "orientation_map": {"uv-part": "distributive"}}
    report = build_report(session_factory("nominal", rows, ["bargaining"] * 2, "unfinished",
                                          model=model))
    a = report["overview"]["parties"][0]
    assert a["orientation_shares"]["integrative"] == 1.0  # the turn's own orientation
    assert a["move_orientations"] == {"uv-part": "distributive"}  # the model's map
    b = report["overview"]["parties"][1]
    assert b["move_orientations"] == {"self-need": "distributive"}  # seen in the session


def test_missed_opportunity_names_the_unit_move_that_made_the_reply_distributive(
        session_factory):
    import dataclasses

    from analyzer.results import Unit, UnitMove

    rows = [("A", "What matters most to you?", None, None, "elicit-pref", "integrative", 0.9),
            ("B", "Nice question. I need all the water.", None, None, "small-talk",
             "distributive", 0.7)]
    analysis = session_factory("units", rows, ["exploring"] * 2, "unfinished")
    text = rows[1][1]
    units = (analysis.units[0], Unit(1, 0, 0, 14, text[:14]), Unit(1, 1, 15, len(text),
                                                                    text[15:]))
    unit_moves = (analysis.unit_moves[0], UnitMove(1, 0, "small-talk", "integrative", 0.8),
                  UnitMove(1, 1, "self-need", "distributive", 0.9))
    analysis = dataclasses.replace(analysis, units=units, unit_moves=unit_moves)
    [missed] = build_report(analysis)["missed_opportunities"]
    assert missed["reply_move"] == "self-need" and "(self-need)" in missed["why"]


@pytest.mark.parametrize("question, reply, reply_move, flagged", [
    ("What matters most to you in this partnership?",
     "Honestly, reach. Your app has two hundred thousand users. Our budget is small, though.",
     "self-need", False),  # a short answer naming the priority is priority information
    ("What matters most to you in this partnership?",
     "Nice question. We need all of the launch budget.", "self-need", True),
    ("Let's work together on this: a volume band that protects both of us?",
     "Hmm. Three years is a long time for us. What if the ready meals don't sell?",
     "self-need", False),  # a concern asked about the proposal engages with it
    ("Let's work together on this: a volume band that protects both of us?",
     "We need the full price on every unit.", "self-need", True),
])
def test_missed_opportunities_spare_named_priorities_and_engaging_questions(
        session_factory, question, reply, reply_move, flagged):
    """QA of a coach: both flags of the examples were false (a priority named in two words;
    a concern put as a question); the plain positional replies are still flagged."""
    first = "elicit-pref" if "matters" in question else "promote-coordination"
    rows = [("A", question, None, None, first, "integrative", 0.9),
            ("B", reply, None, None, reply_move, "distributive", 0.8)]
    report = build_report(session_factory("mo", rows, ["exploring"] * 2, "unfinished"))
    assert bool(report["missed_opportunities"]) is flagged


@pytest.mark.parametrize("reply,flagged", [
    ("Hmm. Three years is a long time for us. What if the ready meals don't sell?", False),
    ("We want to keep our plots where they are, full stop.", True),
    # a counter on a condition bargains over the package (coach QA, 28 Nov 2026)
    ("Forty-three... I mean, if the three years come with a price review every year, I "
     "could look at forty-four.", False),
    # a side adding its own give to the package (multi-party QA, 28 Nov 2026)
    ("And we'd contribute by cutting our travel budget by fifty thousand.", False),
])
def test_a_question_about_a_package_is_no_missed_opportunity(session_factory, reply, flagged):
    """A package met with a claim is flagged; met with a question about it, it is not: the
    question engages with the package (QA of a coach, the supplier example's turn 36)."""
    package = ("What if we look at it as a package? If you commit to three years at two "
               "million units a year, we can do forty-five cents.")
    rows = [("A", package, None, None, "promote-coordination", "integrative", 0.9,
             "package_offer"),
            ("B", reply, None, None, "self-need", "distributive", 0.8)]
    report = build_report(session_factory("pk", rows, ["bargaining"] * 2, "unfinished"))
    assert bool(report["missed_opportunities"]) is flagged


def test_package_offers_of_business_talk_reach_the_report(examples_dir):
    """The riverside mediation's first proposal (a long turn, so several units, none of
    them a whole trade) is a trade across issues, and the allotment holders' "full stop"
    after it is flagged: the example the coach QA found missing."""
    from analyzer.io import read_transcripts
    from analyzer.pipeline import Analyzer

    transcript = next(iter(read_transcripts(examples_dir / "riverside_mediation.txt")))
    analysis = Analyzer().analyze(transcript)
    assert analysis.moves[28].offer == "tradeoff_offer"
    missed = build_report(analysis)["missed_opportunities"]
    assert [(m["kind"], m["turn"], m["reply_turn"]) for m in missed] == \
        [("package_single_issue", 28, 29)]


def test_model_note_reads_scores_from_info_or_the_model_folder(tmp_path):
    from analyzer.report.wording import model_note

    assert "macro-F1 0.71" in model_note({"name": "m", "scores": {"macro_f1": 0.71}})
    (tmp_path / "meta.json").write_text('{"name": "m", "evaluation": {"cv": {"macro_f1": '
                                        '0.68, "kappa": 0.5}}, "params": {"alpha": 3}}')
    note = model_note({"name": "m", "path": str(tmp_path), "notes": ["trained with 1.9"]})
    assert "evaluation: macro-F1 0.68, Cohen's kappa 0.50." in note
    assert "alpha" not in note and "Model notes: trained with 1.9." in note
    assert "did not report" in model_note({"name": "m", "path": str(tmp_path / "none")})


def test_model_note_gives_the_scores_on_spoken_talk_apart(tmp_path):
    from analyzer.report.wording import model_note

    (tmp_path / "meta.json").write_text(json.dumps({
        "name": "m", "cv_scores": {"orientation": {"kappa": 0.69}},
        "spoken_scores": {"sessions": 14, "orientation": {"accuracy": 0.71, "kappa": 0.52},
                          "labels": {"macro_f1": 0.47}}}))
    note = model_note({"name": "m", "path": str(tmp_path)})
    assert "evaluation: orientation Cohen's kappa 0.69." in note
    assert ("On spoken business talk (14 sessions coded by the project): "
            "orientation accuracy 0.71, orientation Cohen's kappa 0.52, "
            "strategy labels macro-F1 0.47.") in note
    # and in plain words, for a coach (the chat figure has no accuracy here)
    assert note.endswith(" In plain words: about 7 in 10 turns of spoken business talk got "
                         "the orientation a human coder gave them.")
    both = model_note({"name": "m", "cv_scores": {"orientation": {"accuracy": 0.79}},
                       "spoken_scores": {"orientation": {"accuracy": 0.7}}})
    assert both.endswith("In plain words: about 8 in 10 turns of the chats it was tested on "
                         "got the orientation a human coder gave them; about 7 in 10 in "
                         "spoken business talk.")
    assert "spoken" not in model_note({"name": "m", "scores": {"macro_f1": 0.71}})


def test_model_note_names_the_shipped_model_scores_in_words():
    from analyzer.report.wording import score_name

    assert score_name("cv_scores.orientation.kappa") == "orientation Cohen's kappa"
    assert score_name("cv_scores.labels.macro_f1") == "strategy labels macro-F1"
    assert score_name("heldout.balanced_accuracy") == "heldout balanced accuracy"


def test_telling_quotes_prefer_substantive_moves(session_factory):
    from analyzer.report.by_stage import telling_quotes

    rows = [("A", "Lovely weather for camping today!", None, None, "small-talk", "integrative",
             0.99),
            ("A", "What matters most to you on this trip?", None, None, "elicit-pref",
             "integrative", 0.7),
            ("A", "Ok then.", None, None, "promote-coordination", "integrative", 1.0)]
    facts = turn_facts(session_factory("q", rows, ["exploring"] * 3, "unfinished"))
    assert [q["turn"] for q in telling_quotes(facts, "integrative", k=1)] == [1]
    assert [q["turn"] for q in telling_quotes(facts, "integrative", k=2)] == [0, 1]


def test_missed_opportunities_spare_replies_that_share_priorities_or_propose(session_factory):
    """A need-labelled answer that ranks issues is priority information (Olekalns et al.
    1996), a factual question is no priority question whatever the model calls it, a
    conditional reply to a proposal is a trade, and a turn with no distributive unit names no
    claim: none of them is a missed opportunity. The plain claim still is."""
    INT, DIS = "integrative", "distributive"
    rows = [
        ("A", "What matters most to you in the package?", None, None, "elicit-pref", INT, 0.9),
        ("B", "Salary first, we just bought a flat. The start date matters less, I'm flexible "
              "there.", None, None, "self-need", DIS, 0.85),
        ("A", "Are you looking at the blue house?", None, None, "elicit-pref", INT, 0.6),
        ("B", "We have two kids and a dog.", None, None, "other-need", DIS, 0.7),
        ("A", "Let's work together on a package that suits both of us.", None, None,
         "promote-coordination", INT, 0.8),
        ("B", "We would agree, if you pay for the flood works.", None, None, "vouch-fair", DIS,
         0.7),
        ("A", "What is most important for you?", None, None, "elicit-pref", INT, 0.9),
        ("B", "I need all the water.", None, None, "self-need", DIS, 0.9),
    ]
    analysis = session_factory("spared", rows, ["exploring"] * len(rows), "unfinished")
    found = build_report(analysis)["missed_opportunities"]
    assert [(m["kind"], m["turn"]) for m in found] == [("priority_question_positional", 6)]
    assert "model labels distributive (self-need)" in found[0]["why"]


def test_a_reply_distributive_only_as_a_whole_is_not_flagged(session_factory):
    import dataclasses

    from analyzer.results import Unit, UnitMove

    rows = [("A", "What matters most to you?", None, None, "elicit-pref", "integrative", 0.9),
            ("B", "Good question. Let me think.", None, None, "non-strategic",
             "distributive", 0.55)]
    analysis = session_factory("whole", rows, ["exploring"] * 2, "unfinished")
    text = rows[1][1]
    units = (analysis.units[0], Unit(1, 0, 0, 14, text[:14]),
             Unit(1, 1, 15, len(text), text[15:]))
    unit_moves = (analysis.unit_moves[0], UnitMove(1, 0, "non-strategic", "neutral", 0.6),
                  UnitMove(1, 1, "promote-coordination", "distributive", 0.5))
    analysis = dataclasses.replace(analysis, units=units, unit_moves=unit_moves)
    assert build_report(analysis)["missed_opportunities"] == []


def test_a_share_reads_the_same_everywhere_in_a_report():
    """Each share rounded alone, half up: a tie stays a tie and the same share never reads
    two ways (rounding a row to add up to 100 did both)."""
    from analyzer.report.wording import orientation_pcts, pct, pcts

    assert pcts([1 / 3] * 3) == ["33%"] * 3
    assert pcts([0.625, 0.125, 0.25]) == ["63%", "13%", "25%"]
    assert pct(5 / 7) == "71%" and pcts([None, 0.5]) == ["-", "50%"]
    assert orientation_pcts({"integrative": 0.375, "distributive": 0.375,
                             "neutral": 0.25}) == {"integrative": "38%",
                                                   "distributive": "38%", "neutral": "25%"}


def test_a_question_inside_a_one_unit_turn_is_counted(session_factory):
    rows = [("A", "Can you hear me okay? I'm on the train.", None, None, "small-talk",
             "integrative", 0.9),
            ("B", "Yes. Shall we start?!", None, None, "small-talk", "integrative", 0.9)]
    facts = turn_facts(session_factory("q", rows, ["opening"] * 2, "unfinished"))
    assert [f.questions for f in facts] == [1, 1]


def test_focus_needs_a_top_issue_ahead_and_says_when_the_list_is_capped():
    tie = focus([{"issue": "cake", "mentions": 3}, {"issue": "date", "mentions": 3}])
    assert tie["verdict"] == "on a few main issues"
    many = [{"issue": f"t{i}", "mentions": 1} for i in range(8)]
    assert focus(many, capped=True)["verdict"] == "spread over more than 8 issues"
    assert fold("aunts") == "aunt" and not __import__(
        "analyzer.report.issues", fromlist=["_is_term"])._is_term("aunt")


def test_acceptances_concessions_and_need_statements_are_no_missed_opportunities(
        session_factory):
    """CaSiNo-style replies QA found flagged: an acceptance, a concession, a need stated in
    answer to "what do you need?" and a "yes" to working together are not flagged; a need
    that claims amounts ("all three packages") and a flat no to a package still are."""
    INT, DIS = "integrative", "distributive"
    rows = [
        ("A", "How about I take 2 food and 1 water and you take 3 firewood?", None, None,
         "package_offer", INT, 0.8, "package_offer"),
        ("B", "That sounds fair to me!", None, None, "vouch-fair", DIS, 0.7),
        ("A", "Do you need extra firewood to keep warm?", None, None, "elicit-pref", INT, 0.8),
        ("B", "Yes I do need extra firewood and food because I have a large group.", None,
         None, "other-need", DIS, 0.8),
        ("A", "We could work out a good deal for both of us.", None, None,
         "promote-coordination", INT, 0.8),
        ("B", "Yeah should be easy. My son eats like 5000 calories a day.", None, None,
         "other-need", DIS, 0.7),
        ("A", "What do you need for the trip?", None, None, "elicit-pref", INT, 0.9),
        ("B", "Could I take all three packages of water?", None, None, "self-need", DIS, 0.8),
        ("A", "How about 1 water, 2 food and 2 firewood for me?", None, None, "package_offer",
         INT, 0.8, "package_offer"),
        ("B", "No, that is not fair for me.", None, None, "vouch-fair", DIS, 0.8),
        ("A", "I need 2 food and 1 water, and you take the rest.", None, None,
         "package_offer", INT, 0.8, "package_offer"),
        ("B", "I will give you the 2 packages of food.", None, None, "self-need", DIS, 0.6),
    ]
    analysis = session_factory("casino-like", rows, ["bargaining"] * len(rows), "unfinished")
    found = build_report(analysis)["missed_opportunities"]
    assert [(m["kind"], m["turn"]) for m in found] == [
        ("priority_question_positional", 6), ("package_single_issue", 8)]


def test_a_formal_action_shows_its_terms():
    from analyzer.report.wording import action_text

    turn = {"text": "Submit-Deal", "speaker": "Ana", "action_terms": {
        "speaker_gets": {"Food": 2, "Water": 3}, "other_gets": {"Food": 1, "Water": 0}}}
    assert action_text(turn) == ("Submit-Deal (Ana gets Food 2, Water 3; the other side gets "
                                 "Food 1, Water 0)")
    assert action_text({"text": "Walk-Away", "action_terms": {}}) == "Walk-Away"
    assert action_text({"text": "Offer", "action_terms": {"price": 40}}) == "Offer (price 40)"


def test_a_turn_the_model_is_unsure_of_is_no_telling_quote(session_factory):
    rows = [("A", "Hello there, lovely weather for it today.", None, None, "small-talk",
             "distributive", 0.39),
            ("B", "I need all of the water for my kids.", None, None, "self-need",
             "distributive", 0.9)]
    report = build_report(session_factory("unsure", rows, ["opening"] * 2, "unfinished"))
    quotes = {r["speaker"]: r["quotes"]["distributive"]
              for r in report["stages"][0]["parties"]}
    assert quotes["A"] == [] and [q["turn"] for q in quotes["B"]] == [1]


def test_a_submit_deal_puts_the_items_it_splits_on_the_table(session_factory):
    """An item named once in the talk and split by a Submit-Deal is an issue (two mentions,
    one with a quantity); one only the deal names is not (one mention)."""
    import dataclasses

    from analyzer.report.issues import issues_on_the_table

    rows = [("A", "I need the water.", None, None, "self-need", "distributive", 0.9),
            ("B", "Submit-Deal", None, None, "non-strategic", "neutral", 1.0)]
    facts = turn_facts(session_factory("deal", rows, ["bargaining"] * 2, "unfinished"))
    facts[1] = dataclasses.replace(facts[1], is_action=True,
                                   action_issues=("Firewood", "Water"))
    issues = {i["issue"]: (i["mentions"], i["quantified"])
              for i in issues_on_the_table(facts)["issues"]}
    assert issues == {"water": (2, 1)}


def test_a_counter_that_keeps_a_term_of_the_package_is_no_missed_opportunity(session_factory):
    """"One guard overnight, I could do thirty-three" keeps the package's other term and
    counters its price: bargaining over the package, not a single-issue answer. A counter
    on the price alone is still flagged, and so is one on CaSiNo's items alone (every offer
    there names them). A reply that says it is comfortable with the terms is no rebuff."""
    INT, DIS = "integrative", "distributive"

    def flagged(offer: str, reply: str, reply_move: str = "single_issue_offer",
                reply_offer: str | None = "single_issue_offer") -> bool:
        rows = [("A", offer, None, None, "non-strategic", INT, 0.7, "tradeoff_offer"),
                ("B", reply, None, None, reply_move, DIS, 0.8, reply_offer)]
        analysis = session_factory("p", rows, ["bargaining"] * 2, "unfinished")
        return bool(build_report(analysis)["missed_opportunities"])

    guard = "Could you do thirty-one if we drop the overnight to one guard?"
    assert not flagged(guard, "One guard overnight, I could do thirty-three. Not thirty-one.")
    assert flagged(guard, "I could do thirty-three. Not thirty-one.")
    assert flagged("How about I take 2 firewood and 1 food, and you take 3 water?",
                   "I want all 3 firewood.")
    assert not flagged("What if we do 114 a head, nut-free, staff through ten-thirty?",
                       "A hundred and fourteen I'm comfortable with, staff through ten-thirty.",
                       "self-need", None)


@pytest.mark.parametrize("word", ["ways", "fixed", "tonne", "tonnes", "kilo", "litres"])
def test_words_that_are_never_an_issue(word):
    """Coach QA, 28 Nov 2026: "fixed" was the top issue of a coffee contract ("fixed
    price"), "ways" ("both ways") and "tonne" were listed too; units of measure quantify an
    issue and are never one."""
    from analyzer.report.issues import _is_term

    assert not _is_term(fold(word))


def test_teammates_answering_each_other_are_no_replies():
    """Sides named by the source (a union/management role column) keep teammates' turns
    out of the reply pairs; without sides every change of party is a reply (multi-party QA,
    28 Nov 2026: 4 of 17 pairs of a committee were teammates)."""
    from analyzer.report.facts import TurnFact
    from analyzer.report.reciprocity import reply_pairs

    def fact(i, speaker, side):
        return TurnFact(i, speaker, "party", False, None, "x", 1, None, None, "bargaining",
                        "self-need", "distributive", 0.9, (), None, 0, side=side)

    turns = [fact(0, "Maria", "union"), fact(1, "Joe", "union"), fact(2, "Paul", "management"),
             fact(3, "Linda", "management"), fact(4, "Maria", "union")]
    assert [(a.speaker, b.speaker) for a, b in reply_pairs(turns)] == [("Joe", "Paul"),
                                                                      ("Linda", "Maria")]
    plain = [fact(t.index, t.speaker, None) for t in turns]
    assert len(reply_pairs(plain)) == 4


def test_pleasantries_are_no_reciprocity_and_a_bottom_line_no_priority(session_factory):
    """Coach QA, 28 Nov 2026: "How was the trip?" / "Good, thanks" made a party reciprocal
    on pleasantries alone; "Nineteen hundred is the lowest I can go" after a package passed
    as priority information ("lowest"), so the missed trade was not flagged; and a flag
    named "a move the model labels distributive (non-strategic)"."""
    rows = [("A", "Hi! How was the trip?", None, None, "small-talk", INT, 0.9),
            ("B", "Good, thanks, long drive.", None, None, "small-talk", INT, 0.9),
            ("A", "If you sign for two years, we can do eighteen hundred a month and repaint.",
             None, None, "package_offer", INT, 0.8, "package_offer"),
            ("B", "Nineteen hundred is the lowest I can go.", None, None, "self-need", DIS,
             0.8)]
    report = build_report(session_factory("p", rows, ["opening"] * 2 + ["bargaining"] * 2,
                                          "unfinished"))
    rec = {r["party"]: r for r in report["reciprocity"]["parties"]}
    assert rec["B"]["after_integrative"] == 1 and rec["B"]["integrative_in_kind"] == 0
    [missed] = report["missed_opportunities"]
    assert (missed["kind"], missed["reply_turn"]) == ("package_single_issue", 3)
    rows[3] = rows[3][:4] + ("non-strategic", DIS, 0.8)
    report = build_report(session_factory("q", rows, ["opening"] * 2 + ["bargaining"] * 2,
                                          "unfinished"))
    assert report["missed_opportunities"] == []  # the two heads disagree: no claim to show


def test_issue_words_of_spoken_haggles(session_factory):
    """Coach QA, 28 Nov 2026: a car haggle said in bare amounts had no price among its
    issues; "number" ("that's my number") was an issue; stock options and a studio's name
    could never be one; "Hi both. Weird week." quantified "weird" with the "both" of the
    sentence before."""
    def row(speaker, text):
        return (speaker, text, None, None, "non-strategic", "neutral", 0.8)

    rows = [row("R", "Hi both. Weird week, honestly."),
            row("S", "It's a clean car. Eight thousand."),
            row("R", "Six thousand five hundred, cash today. That's my number."),
            row("S", "Seventy-eight hundred and I put new tires on it. That's my number too."),
            row("R", "Seven thousand, and I skip the tires."),
            row("S", "Seven four. With the tires. Final."),
            row("R", "The name on the studio matters to me. The name stays Northlight."),
            row("S", "The name can stay if I get 2,000 options, and the options vest in a year."),
            row("R", "Fine, the name stays, and you take 2,000 options."),
            row("S", "Keep the name then. A good name is worth it.")]
    names = {i["issue"]: i for i in build_report(
        session_factory("car", rows, ["bargaining"] * len(rows), "unfinished"))[
            "issues"]["issues"]}
    assert names["price"]["quantified"] >= 3 and names["price"]["parties"] == ["R", "S"]
    assert "number" not in names and "weird" not in names
    assert "option" in names  # quantified: "2,000 options"
    assert "name" in names  # six mentions by both sides


def test_bare_amounts_go_to_the_money_term_of_their_size(session_factory):
    """Trainer QA, 28 Nov 2026: a job offer's salary said in bare amounts ("I'm looking for
    85,000") went to "bonus", the money word said most, whose amounts were 2,000 and 5,000;
    the talk was "focused on bonus". An amount of a term's size still goes to that term."""
    def row(speaker, text):
        return (speaker, text, None, None, "non-strategic", "neutral", 0.8)

    rows = [row("A", "I'm looking for 85,000."), row("D", "I can offer 74,000."),
            row("A", "That's below what I'd accept. 80,000."),
            row("D", "75,000, start in two weeks."),
            row("A", "Then four remote days and a 5,000 signing bonus."),
            row("D", "Three remote days, and a 1,000 bonus."),
            row("A", "Three remote days and 2,000 bonus."), row("D", "1,500. Done?")]
    issues = build_report(session_factory("job", rows, ["bargaining"] * len(rows),
                                          "unfinished"))["issues"]["issues"]
    names = {i["issue"]: i["mentions"] for i in issues}
    assert names["price"] == 4 and names["bonus"] == 4, names  # 1,500 is a bonus


def test_long_meetings_keep_their_headline_short_and_breaks_out_of_monologues(session_factory):
    """Long-sessions QA, 28 Nov 2026: 160 climate shifts made one 6 KB headline, and a
    speaker who called a 15-minute caucus and spoke first after it had "50 words / 914 s"."""
    rows = []
    for k in range(60):
        move, orientation = ("self-need", DIS) if (k // 6) % 2 else ("promote-coordination", INT)
        rows.append(("A" if k % 2 == 0 else "B", f"Point {k}.", 10.0 * k, 10.0 * k + 4, move,
                     orientation, 0.9))
    rows += [("A", "Let's take fifteen minutes.", 600.0, 603.0, "non-strategic", NEU, 0.9),
             ("A", "We're back. Here is where we are.", 1200.0, 1205.0, "non-strategic", NEU,
              0.9)]
    report = build_report(session_factory("long", rows, ["bargaining"] * len(rows),
                                          "unfinished"))
    shifts = [p for p in report["turning_points"] if p["kind"] == "climate"]
    line = next(h for h in report["headlines"] if h.startswith("Climate shifts"))
    assert len(shifts) > 5 and line.count("turn ") == 5 and f"{len(shifts) - 5} more" in line
    a = next(r for r in report["overview"]["parties"] if r["speaker"] == "A")
    assert a["longest_monologue_seconds"] == pytest.approx(8.0)  # 3 + 5, not 905


def test_coach_round_two_phrases(session_factory):
    """Coach QA (second round), 28 Nov 2026: a single-issue counter on a condition was
    flagged as a missed trade; "For me personally, it's the safety scoring" was no priority
    information; a long lane label lost its first letters off the timeline's edge."""
    from analyzer.moves.commitments import find_commitment
    from analyzer.report.svg import timeline

    package = ("If you take the three-year term and the telematics bundle, we can do "
               "twenty-seven per vehicle and waive the set-up fee.")
    rows = [("A", package, None, None, "promote-coordination", INT, 0.9, "package_offer"),
            ("B", "I could go to twenty-five if the committee signs by the fourteenth.", None,
             None, "self-need", DIS, 0.8, "single_issue_offer")]
    report = build_report(session_factory("c", rows, ["bargaining"] * 2, "unfinished"))
    assert report["missed_opportunities"] == []
    rows = [("A", "What matters most to you in the fleet deal?", None, None, "elicit-pref", INT,
             0.9),
            ("B", "Fuel is what finance will look at. For me personally, it's the safety "
                  "scoring.", None, None, "self-need", DIS, 0.8)]
    report = build_report(session_factory("d", rows, ["exploring"] * 2, "unfinished"))
    assert report["missed_opportunities"] == []
    assert find_commitment("We'll be notifying you of a ballot for industrial action.")
    rows = [("Susan Whitaker-Lindqvist", "Welcome, both.", None, None, "rapport", NEU, 1.0),
            ("Dana", "Hi.", None, None, "small-talk", INT, 0.9)]
    analysis = session_factory("e", rows, ["opening"] * 2, "unfinished",
                               roles={"Susan Whitaker-Lindqvist": "mediator"})
    svg = timeline(build_report(analysis))
    import re

    from analyzer.report.svg import LANE_LABEL_CHARS, LANE_MARGIN, _text_width

    labels = re.findall(r'fill="#333"[^>]*>([^<]*)<title>', svg)
    assert labels[0].endswith(" (mediator)") and len(labels[0]) <= LANE_LABEL_CHARS, labels
    # a label of wide letters that may not fit is squeezed to the margin, never cut off
    # its left edge ("Anne-Marie Dubois-Le…": trainer QA, 28 Nov 2026)
    rows = [("ANNE-MARIE DUBOIS-LEMOINE WWW", "Hello.", None, None, "rapport", NEU, 1.0),
            ("Dana", "Hi.", None, None, "small-talk", INT, 0.9)]
    svg = timeline(build_report(session_factory("f", rows, ["opening"] * 2, "unfinished")))
    wide = re.search(r'<text [^>]*>ANNE[^<]*<title>', svg).group(0)
    assert _text_width("ANNE-MARIE DUBOIS-LEMOI\u2026") > LANE_MARGIN - 12
    assert f'textLength="{LANE_MARGIN - 12}"' in wide and "spacingAndGlyphs" in wide
    dana = re.search(r'<text [^>]*>Dana<title>', svg).group(0)
    assert "textLength" not in dana


def test_a_lawyer_speaks_for_the_side_of_the_client_the_role_names():
    """Coach QA (second round), 28 Nov 2026: "Paul Adler (Dana's attorney)" and Dana were
    two parties, and Dana answering her own lawyer counted as a reply."""
    from analyzer.transcript import Speaker, Transcript

    speakers = (Speaker("Dana Reyes"), Speaker("Paul Adler", meta={"source_role":
                                                                   "Dana's attorney"}),
                Speaker("Mark Reyes"), Speaker("Grace Lin", meta={"source_role":
                                                                  "counsel for Mark"}),
                Speaker("Susan", role="mediator"))
    t = Transcript("x", "x", "text", speakers, ())
    sides = {s.name: t.side_of(s.name) for s in speakers}
    assert sides["Dana Reyes"] == sides["Paul Adler"] == "side of dana"
    assert sides["Mark Reyes"] == sides["Grace Lin"] == "side of mark"
    assert sides["Susan"] is None


def test_the_quotes_of_a_long_stage_come_from_all_of_it(session_factory):
    """Long-sessions QA, 28 Nov 2026: every quote of a 13-hour bargaining stage came from
    its first 25 minutes (the confidences tied at 1.0 and the earliest turn won)."""
    from analyzer.report.by_stage import QUOTES_PER_ORIENTATION, telling_quotes
    from analyzer.report.facts import turn_facts

    rows = [("A" if k % 2 == 0 else "B", f"We need all of item {k} for ourselves, sorry.",
             None, None, "self-need", DIS, 1.0) for k in range(300)]
    facts = turn_facts(session_factory("l", rows, ["bargaining"] * 300, "unfinished"))
    turns = [q["turn"] for q in telling_quotes(facts, DIS)]
    assert len(turns) == QUOTES_PER_ORIENTATION and turns[-1] >= 150  # the second half
    short = turn_facts(session_factory("s", rows[:12], ["bargaining"] * 12, "unfinished"))
    assert [q["turn"] for q in telling_quotes(short, DIS)] == list(
        range(QUOTES_PER_ORIENTATION))  # a short stage: the best, ties to the earliest


def test_sales_call_monologue_and_issue_words(session_factory):
    """Sales QA, 28 Nov 2026: the longest monologue showed "33 words, 38 s", the words of
    one run and the seconds of another; "onboarding" (six mentions, two with amounts) was
    never an issue, being shaped like a verb form, while "instead" and "ask" were."""
    rows = [("O", "One two three four five six seven eight nine ten eleven twelve thirteen "
                  "fourteen fifteen sixteen seventeen eighteen nineteen twenty.", 0.0, 10.0,
             "non-strategic", NEU, 0.9),
            ("R", "Right.", 10.0, 11.0, "non-strategic", NEU, 0.9),
            ("O", "Give me one second, I need to check the onboarding numbers.", 11.0, 49.0,
             "non-strategic", NEU, 0.9),
            ("R", "Sure, and instead of the onboarding fee we could ask for less.", 49.0, 55.0,
             "non-strategic", NEU, 0.9),
            ("O", "Onboarding at 4,000 then, and 2,000 for the onboarding of the second team.",
             55.0, 60.0, "non-strategic", NEU, 0.9)]
    report = build_report(session_factory("call", rows, ["bargaining"] * len(rows),
                                          "unfinished"))
    olivia = next(r for r in report["overview"]["parties"] if r["speaker"] == "O")
    # the longest run in time is turn 2 (38 s, 11 words), not turn 0 (10 s, 20 words)
    assert (olivia["longest_monologue_turn"], olivia["longest_monologue_seconds"]) == (2, 38.0)
    assert olivia["longest_monologue_words"] == 11
    issues = {i["issue"] for i in report["issues"]["issues"]}
    assert "onboarding" in issues and not issues & {"instead", "ask"}
