"""The English check: the models are English-only, so a session in another language is
flagged (reports, terminal, the ``english_share`` column) instead of labelled silently."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from analyzer.cli import app
from analyzer.io import read_transcripts
from analyzer.nlp.language import (
    ENGLISH_MIN_SHARE,
    MIN_WORDS,
    english_share,
    language_note,
    looks_english,
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


def test_english_examples_pass_and_other_languages_are_flagged(examples_dir):
    for path in ("supplier_contract.txt", "zoom_salary.vtt", "riverside_mediation.txt"):
        [t] = read_transcripts(examples_dir / path)
        assert english_share(t) >= 0.36 and looks_english(english_share(t))
    for rows in (SPANISH, GERMAN):
        share = english_share(_transcript(rows))
        assert share is not None and share < ENGLISH_MIN_SHARE and not looks_english(share)
        assert language_note(share).startswith("This session does not look like English")


def test_too_short_to_tell_is_never_flagged_and_actions_do_not_count():
    short = _transcript(SPANISH[:1])
    assert english_share(short) is None and looks_english(None)
    assert language_note(None) is None
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
    assert sessions.loc["compra", "english_share"] < ENGLISH_MIN_SHARE
    assert sessions.loc["deal", "english_share"] > 0.36
    assert "does not look like English" in (out / "compra.md").read_text(encoding="utf-8")
    assert 'class="caveat warn"' in (out / "compra.html").read_text(encoding="utf-8")
    assert "does not look like English" not in (out / "deal.md").read_text(encoding="utf-8")
    assert "not English" in (out / "_index.md").read_text(encoding="utf-8")
