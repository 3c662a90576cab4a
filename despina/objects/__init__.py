"""Runs, models, model versions and projects, and the field handler."""
