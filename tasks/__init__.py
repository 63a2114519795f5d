"""Pipeline stages: one module per stage, plain functions doing the work, thin Prefect task wrappers
(the per-file stages' wrappers live in the flow, so pool workers never import Prefect)."""
