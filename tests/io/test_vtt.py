

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
