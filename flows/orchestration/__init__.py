"""Orchestration: one ingest cycle, Prefect flows around the stages, schedules (`serve`), retraining."""
