"""Fake platform APIs on 127.0.0.1 for the social connector tests and the benchmark."""
