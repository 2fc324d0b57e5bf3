"""Misinformation triage: claims register and matching, the ReINTEL model, cues, the opinion gate.

A flag is a proposal for a human reviewer, never a verdict: see docs/triage.md.
"""

from .claims import Claim, ClaimMatch, ClaimMatcher, example_register, load_register_file, parse_register
from .cues import extract_claim, find_cues
from .scorer import MisinfoScorer, Thresholds

__all__ = ["Claim", "ClaimMatch", "ClaimMatcher", "MisinfoScorer", "Thresholds", "example_register",
           "extract_claim", "find_cues", "load_register_file", "parse_register"]
