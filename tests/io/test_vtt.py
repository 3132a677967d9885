

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


def test_a_cue_a_few_milliseconds_early_is_jitter_but_a_restart_says_split(tmp_path):
    """Long-sessions QA, 28 Nov 2026: one cue starting 11 ms before the previous one
    rejected a two-hour file; a transcript of two days whose times restart got the hint
    "put the cues in time order" instead of "split it"."""
    import pytest

    from analyzer.errors import TimingError
    from analyzer.io import read_transcripts

    path = tmp_path / "jitter.vtt"
    path.write_text("WEBVTT\n\n00:00:10.000 --> 00:00:12.000\nAna: Hello.\n\n"
                    "00:00:09.989 --> 00:00:11.000\nBen: Hi Ana.\n", encoding="utf-8")
    (transcript,) = read_transcripts(path)
    assert [t.speaker for t in transcript.turns] == ["Ana", "Ben"]
    path.write_text("WEBVTT\n\n08:00:10.000 --> 08:00:12.000\nAna: Day one.\n\n"
                    "00:00:05.000 --> 00:00:07.000\nBen: Day two.\n", encoding="utf-8")
    with pytest.raises(TimingError) as caught:
        list(read_transcripts(path))
    assert "split it into one file per recording" in caught.value.hint
