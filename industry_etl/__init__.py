"""industry-etl: Chinese regional industrial-economy reports -> checked, partitioned indicator tables."""

__version__ = "0.1.0"
PIPELINE_VERSION = __version__
