"""SubRip (``.srt``) subtitles with speaker prefixes (``Name: text`` or ``[Name] text``).

The cue parsing is shared with WebVTT in ``captions``; see there for the rules.
"""

from .captions import read_srt as read

__all__ = ["read"]
