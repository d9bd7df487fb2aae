"""Wire-story datelines ("BAGHDAD (Reuters) -", "MEISE, Belgium, Dec 16 (AFP) -"): where the story was filed.

A country named only in the dateline is where the reporter stood, not a party to the story, so it is tagged
but not paired with the others.
"""

from __future__ import annotations

import re
from typing import Final

_AGENCY = (
    r"(?:AP|AFP|Reuters|REUTERS|CP|AGI|CNA|PTI|IANS|UPI|Xinhua|dpa|DPA|ANSA|Bloomberg|Kyodo|Yonhap|"
    r"Canadian Press|Associated Press|Agence France-Presse|Agence France Presse)"
)
_WORD = r"[A-Z][A-Za-z.'’\-]{0,30}"
_PLACE = rf"{_WORD}(?: {_WORD}){{0,3}}"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)"
_DATE = rf"(?:,? {_MONTH}[a-zA-Z]{{0,6}}\.? ?\d{{1,2}})"
_PAREN_AGENCY = r"(?: ?\([A-Za-z .\-]{1,30}\))"
_SEP = r"(?: (?:--|-|—|–) | ?: ?)"  # dashes need spaces around them: "US-backed" is no dateline

_DATELINE: Final = re.compile(
    rf"(?:\(?{_AGENCY}\)? (?:--|-|—|–) )?"  # feed prefix: "AP - ", "Canadian Press - ", "(AGI) - "
    rf"(?P<place>{_PLACE}(?:, {_PLACE}){{0,2}}{_DATE}?)"
    rf"(?:{_PAREN_AGENCY}{_SEP}?|{_SEP})"
)
MAX_DATELINE_CHARS: Final = 100


def dateline_length(body: str) -> int:
    """Number of leading characters of `body` that form its dateline (0 when there is none)."""
    match = _DATELINE.match(body, 0, min(len(body), MAX_DATELINE_CHARS + 20))
    if match is None or match.end() > MAX_DATELINE_CHARS:
        return 0
    return match.end()
