"""The English check: the models are English-only, so a session in another language is
flagged (reports, terminal, the ``english_share`` column) instead of labelled silently."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.io import read_transcripts
from analyzer.nlp.language import (
    MIN_WORDS,
    OTHER_MIN_MARGIN,
    check_language,
    english_share,
    language_note,
)
from analyzer.transcript import Action, Transcript, Turn, speakers_in_order

SPANISH = [
    ("Ana", "Hola Pedro, gracias por venir. ¿Empezamos con el precio?"),
    ("Pedro", "Sí, claro. Nosotros necesitamos que el precio baje un diez por ciento para "
              "este año."),
    ("Ana", "Entiendo, pero nuestros costes han subido mucho. Podemos ofrecer un cinco por "
            "ciento si firmáis por dos años."),
    ("Pedro", "Dos años es mucho tiempo. ¿Qué tal dieciocho meses y un siete por ciento?"),
    ("Ana", "Podría aceptar dieciocho meses si el pago es a treinta días."),
]
GERMAN = [
    ("Anna", "Guten Morgen, Herr Weber. Sollen wir mit dem Preis anfangen?"),
    ("Weber", "Ja, gerne. Wir brauchen in diesem Jahr einen Nachlass von zehn Prozent, sonst "
              "wird es schwierig."),
    ("Anna", "Das verstehe ich, aber unsere Kosten sind gestiegen. Fünf Prozent wären "
             "möglich, wenn Sie zwei Jahre unterschreiben."),
    ("Weber", "Zwei Jahre ist lang. Was halten Sie von achtzehn Monaten und sieben Prozent?"),
]


def _transcript(rows, session_id="s", actions=0) -> Transcript:
    turns = [Turn(i, speaker, text, source_line=i + 1) for i, (speaker, text) in
             enumerate(rows)]
    turns += [Turn(len(turns) + k, "Ana", "Submit-Deal", action=Action("submit", "Submit-Deal"))
              for k in range(actions)]
    return Transcript(session_id, f"{session_id}.txt", "text", speakers_in_order(turns),
                      tuple(turns))


DUTCH = [
    ("Sanne", "Goedemorgen Pieter. Zullen we met de prijs beginnen? We hebben het voorstel "
              "gelezen en het is te duur voor ons."),
    ("Pieter", "Dat begrijp ik. Wat is voor jullie het belangrijkste, de prijs of de "
               "levertijd? Als jullie voor twee jaar tekenen kunnen we iets doen."),
    ("Sanne", "De levertijd is voor ons het belangrijkste. Maar we willen ook niet meer "
              "betalen dan vorig jaar, dat was al veel."),
    ("Pieter", "Goed, dan stel ik voor dat we de prijs gelijk houden en dat jullie voor "
               "twee jaar tekenen. Is dat een deal?"),
]


def test_english_examples_pass_and_other_languages_are_flagged(examples_dir):
    for path in ("supplier_contract.txt", "zoom_salary.vtt", "riverside_mediation.txt"):
        [t] = read_transcripts(examples_dir / path)
        check = check_language(t)
        assert check.english and check.english_share >= 0.4 and check.other_margin is None
        assert language_note(check) is None
    for rows, name in ((SPANISH, "Spanish"), (GERMAN, "German"), (DUTCH, "Dutch")):
        check = check_language(_transcript(rows))
        assert not check.english and check.likely == name
        assert check.other_margin > OTHER_MIN_MARGIN
        assert language_note(check).startswith(
            f"This session does not look like English (it looks like {name})")


def test_dutch_is_told_apart_though_it_shares_short_words_with_english():
    """"in", "is", "we", "was" are on both lists: counted for neither language."""
    check = check_language(_transcript(DUTCH))
    assert check.english_share > 0.1  # the shared words: a share alone would not tell
    assert check.other == "nl"


def test_a_session_that_turns_into_spanish_is_judged_on_all_of_it():
    english = [("Ana", "Hi Pedro, thanks for making the time today, we really appreciate it."),
               ("Pedro", "Of course, happy to be here. Shall we start with the price?")]
    check = check_language(_transcript(english + SPANISH * 3))
    assert not check.english and check.likely == "Spanish"


def test_too_short_to_tell_is_never_flagged_and_actions_do_not_count():
    short = _transcript(SPANISH[:1])
    assert english_share(short) is None and check_language(short).english
    assert language_note(check_language(short)) is None
    # formal actions are not speech: many Submit-Deals do not make a session English
    assert english_share(_transcript(SPANISH, actions=50)) == english_share(
        _transcript(SPANISH))
    assert len(" ".join(t for _, t in SPANISH).split()) >= MIN_WORDS


def test_a_spanish_session_is_flagged_in_tables_reports_and_terminal(tmp_path):
    source = tmp_path / "compra.txt"
    source.write_text("".join(f"{s}: {t}\n" for s, t in SPANISH), encoding="utf-8")
    english = tmp_path / "deal.txt"
    english.write_text("Ana: What matters most to you in this deal, the price or the date?\n"
                       "Ben: The date matters most to us, and we can be flexible on price if "
                       "you can deliver by the end of the month.\n"
                       "Ana: Then let us talk about a package that gets you the date.\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["analyze", str(source), str(english), "--out", str(out),
                                      "--format", "md,html"])
    assert result.exit_code == 0, result.output
    assert "1 session(s) do not look like English (compra)" in result.output
    sessions = pd.read_csv(out / "sessions.csv").set_index("session_id")
    assert sessions.loc["compra", "not_english"] and not sessions.loc["deal", "not_english"]
    assert sessions.loc["compra", "english_share"] < 0.1
    assert sessions.loc["deal", "english_share"] > 0.36
    assert "looks like Spanish" in (out / "compra.md").read_text(encoding="utf-8")
    assert 'class="caveat warn"' in (out / "compra.html").read_text(encoding="utf-8")
    assert "does not look like English" not in (out / "deal.md").read_text(encoding="utf-8")
    assert "not English" in (out / "_index.md").read_text(encoding="utf-8")


def test_quiet_runs_still_warn_about_sessions_not_in_english(tmp_path):
    source = tmp_path / "compra.txt"
    source.write_text("".join(f"{s}: {t}\n" for s, t in SPANISH), encoding="utf-8")
    for command in (["analyze", str(source), "--out", str(tmp_path / "a"), "-q"],
                    ["batch", str(source), "--out", str(tmp_path / "b"), "--workers", "1",
                     "--quiet"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.output
        assert "1 session(s) do not look like English (compra)" in result.output, command
