"""Places: is a document about the watched province, and which units does it name?

Split by idea: :mod:`.gazetteer` (old and new names, spelling keys), :mod:`.mentions` (finding the
names and their type words in a text), :mod:`.context` (the words that make a name a person, a
company, a street, part of another name, or a unit of another province) and :mod:`.decision`
(:class:`PlaceMatcher`: the evidence an editor would weigh). :mod:`.evaluation` scores the decision
on hand-labelled news articles (``mediawatch eval places``).
"""

from __future__ import annotations

from .decision import PlaceMatcher, PlaceResult, is_about_province
from .gazetteer import (Gazetteer, Unit, current_province, load_gazetteer, province_names, provinces_by_name,
                        spelling, strip_marks)
from .mentions import Mention, Tokens, find_mentions

__all__ = ["Gazetteer", "Mention", "PlaceMatcher", "PlaceResult", "Tokens", "Unit", "current_province",
           "find_mentions", "is_about_province", "load_gazetteer", "province_names", "provinces_by_name", "spelling",
           "strip_marks"]
