"""The committed benchmark tables: export from a sweep store, verified loading."""

from bench.tables.manifest import SCHEMA_VERSION, TableError, load_table, read_manifest

__all__ = ["SCHEMA_VERSION", "TableError", "load_table", "read_manifest"]
