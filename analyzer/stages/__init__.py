"""Stage segmentation: opening, exploring, bargaining, closing, and the session's outcome.

``load_segmenter()`` gives the shipped left-to-right HMM (``segmenter.py``) over per-turn
evidence (``evidence.py``); ``metrics.py`` scores segmentations (Pk, WindowDiff, boundary
hits); ``evaluate.py`` runs the scoring on gold files (``gold.py``). See docs/stages.md.
"""

from .segmenter import Segmenter, StageParams, detect_outcome, load_segmenter

__all__ = ["Segmenter", "StageParams", "detect_outcome", "load_segmenter"]
