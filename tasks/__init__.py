"""Pipeline stages: one module per stage, plain functions doing the work, thin Prefect task wrappers."""
