"""Dagster asset definitions: thin wiring over the plain functions of `pipeline/`."""
