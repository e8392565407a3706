"""Domain logic of the key-account centre: plain functions, no Dagster."""
