"""The shipped examples: every format present, readable, and with the promised shape."""

from __future__ import annotations

from analyzer.io import expand_inputs, read_transcripts


def sessions(examples_dir):
    return {t.session_id: t for f in expand_inputs([examples_dir]) for t in read_transcripts(f)}


def test_one_example_per_format(examples_dir):
    found = sessions(examples_dir)
    formats = {t.format for t in found.values()}
    assert formats == {"text", "vtt", "srt", "csv", "segments", "turns", "convokit"}
    assert len(found) == 11
    readme = (examples_dir / "README.md").read_text(encoding="utf-8")
    for path in examples_dir.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}" in readme


def test_long_spoken_session_and_mediation(examples_dir):
    found = sessions(examples_dir)
    long = found["supplier_contract"]
    assert len(long.turns) >= 60 and all(t.start is not None for t in long.turns)
    assert long.parties == ("Claire Dubois", "Martin Okafor")
    mediation = found["riverside_mediation"]
    assert mediation.third_parties == ("Mediator",)
    assert len(mediation.parties) == 3 and mediation.role_of("Mediator") == "mediator"


def test_examples_merge_split_cues(examples_dir):
    found = sessions(examples_dir)
    zoom = found["zoom_salary"]
    assert len(zoom.turns) == 16  # 19 cues, three of them continue the same speaker
    assert zoom.turns[3].text.startswith("Yes. First, I want to say")
    assert "closer to a hundred and five" in zoom.turns[3].text
