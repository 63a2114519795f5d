"""Pipeline stages: one module per stage, plain functions doing the work, thin Prefect task wrappers
(the per-file stages' wrappers live in the flow, so pool workers never import Prefect)."""

from tasks import native

native.choose()  # before any compiled module (tasks.parse, tasks.extract.*) is imported: built, or the sources
