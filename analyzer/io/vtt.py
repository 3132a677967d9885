"""WebVTT (``.vtt``) as Zoom (``Name: text``) and Teams (``<v Name>text</v>``) write it.

The cue parsing is shared with SRT in ``captions``; see there for the rules.
"""

from .captions import read_vtt as read

__all__ = ["read"]
