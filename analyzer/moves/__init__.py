"""Moves: the taxonomy, the features, the classifier, training and evaluation.

``load_model()`` gives the shipped model (or a folder made by ``analyzer train``);
``MoveModel.predict_session`` labels every unit and every turn of a transcript.
"""

from __future__ import annotations

from .model import DEFAULT_MODEL, MoveModel, default_model_dir, load_model
from .taxonomy import CASINO_ORIENTATION, MOVES, orientation_of_labels

__all__ = ["CASINO_ORIENTATION", "DEFAULT_MODEL", "MOVES", "MoveModel", "default_model_dir",
           "load_model", "orientation_of_labels"]
