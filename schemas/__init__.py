"""Table models, the pyarrow schemas and the data files (catalog, periods, boilerplate, divisions)."""

from pathlib import Path

SCHEMAS_DIR = Path(__file__).resolve().parent
