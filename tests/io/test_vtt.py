

def test_teams_voice_names_lose_guest_marks_and_emoji(tmp_path):
    """``<v Becker, Tom (Guest)>`` stayed "Becker, Tom (Guest)" while Zoom's "Sam (Guest):"
    became Sam; a trailing emoji stayed in the name (formats QA, 28 Nov 2026)."""
    from analyzer.io import read_transcripts

    path = tmp_path / "teams.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Becker, Tom (Guest)>Hello.</v>"
                    "\n\n00:00:03.500 --> 00:00:05.000\n<v González, María 🌻>Hi Tom.</v>\n",
                    encoding="utf-8")
    (t,) = read_transcripts(path)
    assert [s.name for s in t.speakers] == ["Becker, Tom", "González, María"]
    assert t.side_of("Becker, Tom") is None  # "Guest" is the tool's mark, no side


def test_words_of_a_sentence_cut_before_its_colon_are_no_speaker(tmp_path):
    """Long-sessions QA, 28 Nov 2026: the mediator's "Let me summarise where I think we
    are: the gap ..." was cut after "we are" twice in a two-hour file, so "we are" started
    two cues and became a party. A phrase the file also has inside a line is speech."""
    from analyzer.io import read_transcripts

    cues, t = [], 0
    for _ in range(2):
        for text in ("Mediator: Let me summarise where I think we are: the gap is small.",
                     "Ana Ruiz: Fine.", "Mediator: Let me summarise where I think",
                     "we are: the gap on the fund", "Ben Okafor: Agreed, close."):
            cues.append(f"00:00:{t:02d}.000 --> 00:00:{t + 1:02d}.000\n{text}\n")
            t += 2
    path = tmp_path / "zoom.vtt"
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    (transcript,) = read_transcripts(path)
    assert [s.name for s in transcript.speakers] == ["Mediator", "Ana Ruiz", "Ben Okafor"]
    assert any("we are: the gap on the fund" in turn.text for turn in transcript.turns)
