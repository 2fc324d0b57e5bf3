"""mediawatch: media and social-listening monitor with misinformation triage."""

__version__ = "0.1.0"
