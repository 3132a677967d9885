"""The project's own strategy codes for CaSiNo dialogues the corpus left uncoded: read with
clear errors, attached only to uncoded dialogues, trained on and never scored."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.errors import AnalyzerError, ReadError
from analyzer.moves.codes import project_codes, read_codes
from analyzer.moves.data import load_coded

HEADER = "dialogue_id\tutterance\tlabels\tannotator\n"
ACTIONS = {"Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away"}


@pytest.fixture(scope="module")
def mixed_file(casino_dir, tmp_path_factory):
    """8 dialogues CaSiNo coded and 3 it did not, in one CaSiNo JSON file."""
    dialogues = json.loads((casino_dir / "casino_train.json").read_text(encoding="utf-8"))
    coded = [d for d in dialogues if d["annotations"]][:8]
    uncoded = [d for d in dialogues if not d["annotations"]][:3]
    path = tmp_path_factory.mktemp("codes") / "mixed.json"
    path.write_text(json.dumps(coded + uncoded), encoding="utf-8")
    return path, coded, uncoded


def chat_indices(dialogue) -> list[int]:
    return [i for i, c in enumerate(dialogue["chat_logs"]) if c["text"] not in ACTIONS]


def write_codes(path, dialogues, annotators=("r1",)):
    lines = [HEADER]
    for d in dialogues:
        for who in annotators:
            for k, i in enumerate(chat_indices(d)):
                label = "small-talk" if k == 0 else ("self-need" if k % 2 else "non-strategic")
                lines.append(f"{d['dialogue_id']}\t{i}\t{label}\t{who}\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.casino
def test_codes_attach_to_uncoded_dialogues_one_copy_per_annotator(mixed_file, tmp_path):
    path, coded, uncoded = mixed_file
    codes = write_codes(tmp_path / "codes.tsv", uncoded[:2], annotators=("r1", "r2"))
    data = load_coded([path], codes=[codes])
    ids = {str(d["dialogue_id"]) for d in uncoded[:2]}
    assert data.train_only == frozenset(ids)
    assert codes in data.files and data.codes == [codes]
    copies = [t for t in data.transcripts if str(t.session_id) in ids]
    assert len(copies) == 4  # two dialogues x two annotators
    first = uncoded[0]
    copy = next(t for t in copies if str(t.session_id) == str(first["dialogue_id"]))
    chat = chat_indices(first)
    assert copy.turns[chat[0]].gold == ("small-talk",)
    assert copy.turns[chat[1]].gold == ("self-need",)
    assert all(not turn.gold for turn in copy.turns if turn.is_action)
    # the corpus's own coded dialogues are all there, unchanged; the uncoded third is not
    plain = load_coded([path])
    assert data.labelled_turns == plain.labelled_turns + 2 * sum(
        len(chat_indices(d)) for d in uncoded[:2])
    assert str(uncoded[2]["dialogue_id"]) not in {str(t.session_id) for t in data.transcripts}
    assert data.sha256() != plain.sha256()  # the codes are part of the training data


@pytest.mark.casino
@pytest.mark.slow
def test_cross_validation_trains_on_codes_and_never_scores_them(mixed_file, tmp_path):
    from analyzer.moves.evaluation import cross_validate

    path, coded, uncoded = mixed_file
    codes = write_codes(tmp_path / "codes.tsv", uncoded)
    with_codes = cross_validate(load_coded([path], codes=[codes]), k=2, seed=0)
    without = cross_validate(load_coded([path]), k=2, seed=0)
    n_coded = sum(len(d["annotations"]) for d in coded)
    assert with_codes.n_turns == without.n_turns == n_coded  # scored: CaSiNo's codes only
    assert with_codes.n_dialogues == without.n_dialogues == 8
    extra = with_codes.setup["training_only"]
    assert extra["sessions"] == 3 and extra["codes"] == ["codes.tsv"]
    assert "training_only" not in without.setup


@pytest.mark.casino
def test_codes_never_replace_the_corpus_own(mixed_file, tmp_path):
    path, coded, _ = mixed_file
    codes = write_codes(tmp_path / "codes.tsv", coded[:1])
    with pytest.raises(ReadError, match="coded by CaSiNo's own annotators") as err:
        load_coded([path], codes=[codes])
    assert err.value.line == 2 and err.value.path == str(codes)


@pytest.mark.casino
def test_a_code_on_an_action_or_past_the_end_names_its_line(mixed_file, tmp_path):
    path, _, uncoded = mixed_file
    d = uncoded[0]
    action = next((i for i, c in enumerate(d["chat_logs"]) if c["text"] in ACTIONS), None)
    bad = action if action is not None else len(d["chat_logs"]) + 5
    codes = tmp_path / "codes.tsv"
    codes.write_text(HEADER + f"{d['dialogue_id']}\t{chat_indices(d)[0]}\tsmall-talk\tr1\n"
                     f"{d['dialogue_id']}\t{bad}\tself-need\tr1\n", encoding="utf-8")
    with pytest.raises(ReadError, match=f"no chat utterance {bad}") as err:
        load_coded([path], codes=[codes])
    assert err.value.line == 3


def test_malformed_codes_files_name_file_and_line(tmp_path):
    no_header = tmp_path / "a.tsv"
    no_header.write_text("1\t0\tsmall-talk\tr1\n", encoding="utf-8")
    with pytest.raises(ReadError, match="not a codes file") as err:
        read_codes(no_header)
    assert err.value.line == 1 and "header" in err.value.hint
    short = tmp_path / "b.tsv"
    short.write_text(HEADER + "1\t0\tsmall-talk\tr1\n2\t3\tself-need\n", encoding="utf-8")
    with pytest.raises(ReadError, match="expected 4 tab-separated columns, found 3") as err:
        read_codes(short)
    assert err.value.line == 3
    index = tmp_path / "c.tsv"
    index.write_text(HEADER + "1\tthree\tsmall-talk\tr1\n", encoding="utf-8")
    with pytest.raises(ReadError, match="'three' is not an index"):
        read_codes(index)
    empty = tmp_path / "d.tsv"
    empty.write_text(HEADER + "1\t0\t , \tr1\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no labels"):
        read_codes(empty)


def test_codes_are_for_casino_data_only(repo, tmp_path):
    codes = tmp_path / "codes.tsv"
    codes.write_text(HEADER, encoding="utf-8")
    coded_csv = repo / "corpora" / "custom_scheme" / "coded.csv"
    with pytest.raises(AnalyzerError, match="add to CaSiNo dialogues"):
        load_coded([coded_csv], codes=[codes])
    # the CLI's default codes, not named by the user, are left out of a CSV run (a folder of
    # CSVs has no .csv suffix to tell by)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "coded.csv").write_bytes(coded_csv.read_bytes())
    data = load_coded([folder], codes=[codes], codes_optional=True)
    assert data.kind == "csv" and not data.codes and not data.train_only


def test_the_project_codes_files_read_cleanly():
    found = project_codes()
    assert [p.name for p in found] == ["strategies.tsv", "spoken_strategies.tsv",
                                       "spoken_strategies_more.tsv"]
    rows = [row for path in found for row in read_codes(path)]
    assert len(rows) > 5000
    labels = {lab for row in rows for lab in row.labels}
    assert labels <= {"elicit-pref", "no-need", "non-strategic", "other-need",
                      "promote-coordination", "self-need", "showing-empathy", "small-talk",
                      "uv-part", "vouch-fair"}
    assert all("non-strategic" not in row.labels or len(row.labels) == 1 for row in rows)


@pytest.mark.casino
def test_train_cli_records_the_codes_and_no_codes_leaves_them_out(mixed_file, tmp_path):
    path, _, uncoded = mixed_file
    codes = write_codes(tmp_path / "codes.tsv", uncoded)
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(path), "--codes", str(codes),
                                 "--out", str(tmp_path / "m1")])
    assert result.exit_code == 0, result.output
    assert "3 of them coded by the project" in result.stderr
    meta = json.loads((tmp_path / "m1" / "meta.json").read_text())
    assert meta["training_data"]["project_codes"]["dialogues"] == 3
    assert "codes.tsv" in meta["training_data"]["files"]
    card = (tmp_path / "m1" / "README.md").read_text()
    assert "dialogues that CaSiNo left uncoded were coded by the project" in card
    result = runner.invoke(app, ["train", str(path), "--codes", str(codes), "--no-codes",
                                 "--out", str(tmp_path / "m2")])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "m2" / "meta.json").read_text())
    assert "project_codes" not in meta["training_data"]
    assert meta["training_data"]["dialogues"] == 8


SPOKEN = "spoken/agency_retainer_marketing.txt#agency_retainer_marketing"


def test_spoken_codes_name_their_session_by_its_path_under_corpora(tmp_path):
    from analyzer.moves.codes import coded_copies, corpus_key

    codes = tmp_path / "spoken.tsv"
    codes.write_text(HEADER + f"{SPOKEN}\t0\tsmall-talk\ts9\n"
                     f"{SPOKEN}\t3\tself-need,vouch-fair\ts9\n", encoding="utf-8")
    (copy,) = coded_copies([], read_codes(codes))
    # renamed to the key: session ids alone repeat across the spoken folders
    assert copy.session_id == SPOKEN and copy.format == "text"
    assert copy.turns[0].gold == ("small-talk",)
    assert copy.turns[3].gold == ("self-need", "vouch-fair")
    assert all(not t.gold for i, t in enumerate(copy.turns) if i not in (0, 3))
    from analyzer.io import read_transcripts
    from analyzer.moves.codes import CORPORA

    (read,) = read_transcripts(CORPORA / "spoken" / "agency_retainer_marketing.txt")
    assert corpus_key(read) == SPOKEN  # how the stage fit finds its out-of-fold labels


@pytest.mark.parametrize("dialogue, message", [
    ("spoken/no_such_file.txt#x", "no transcript spoken/no_such_file.txt"),
    ("spoken/agency_retainer_marketing.txt#other", "holds no session 'other'"),
])
def test_a_spoken_code_naming_no_session_names_its_line(tmp_path, dialogue, message):
    from analyzer.moves.codes import coded_copies

    codes = tmp_path / "bad.tsv"
    codes.write_text(HEADER + f"{SPOKEN}\t0\tsmall-talk\ts9\n{dialogue}\t0\tsmall-talk\ts9\n",
                     encoding="utf-8")
    with pytest.raises(ReadError, match=message) as caught:
        coded_copies([], read_codes(codes))
    assert caught.value.line == 3


def test_the_spoken_test_sessions_are_never_trained_on():
    from analyzer.moves.codes import CORPORA, SPOKEN_CODES

    train = {row.dialogue for row in read_codes(SPOKEN_CODES)}
    test = {row.dialogue for row in read_codes(CORPORA / "spoken_codes" / "test_adjudicated.tsv")}
    assert len(train) == 40 and len(test) == 28 and not train & test
    # nor is the held-out spoken stage test set
    assert not any(key.startswith("spoken_heldout2/") for key in train | test)
