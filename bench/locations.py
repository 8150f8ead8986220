"""Where the tables are read from: one rule for the API, the CLI and other projects' tests.

In order: the ``tables_dir`` a caller passes, then ``$MMNAS_TABLES``, then the ``tables/``
folder beside the installed package (an editable install finds the repository's), then a
data release installed into the environment (``mmnas tables install``, under
``<prefix>/share/mmnas-bench/tables``). A folder counts when it holds at least one task's
``manifest.json``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.errors import DataError

TABLES_ENV = "MMNAS_TABLES"
PACKAGE_TABLES = Path(__file__).resolve().parents[1] / "tables"
INSTALLED_TABLES = Path(sys.prefix) / "share" / "mmnas-bench" / "tables"
TABLES_HELP = f"tables folder (default: ${TABLES_ENV}, else the tables beside the package, else an installed data release)"


def _holds_tables(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*/manifest.json"))


def locate_tables(tables_dir: str | Path | None = None) -> tuple[str, Path]:
    """The tables folder to read and what chose it (see the module docstring); an explicit folder, or
    ``$MMNAS_TABLES``, is used as given (a wrong one fails where it is read, naming it).

    Raises:
        DataError: neither is given and no fallback holds tables; the message names every place looked at.
    """
    if tables_dir is not None:
        return "tables_dir argument", Path(tables_dir)
    if os.environ.get(TABLES_ENV):
        return f"${TABLES_ENV}", Path(os.environ[TABLES_ENV])
    fallbacks = [("beside the package", PACKAGE_TABLES), ("installed data release", INSTALLED_TABLES)]
    for reason, folder in fallbacks:
        if _holds_tables(folder):
            return reason, folder
    looked = "; ".join(f"{reason}: {folder}" for reason, folder in fallbacks)
    raise DataError(
        f"no mmnas-bench tables found: no tables_dir given, ${TABLES_ENV} unset, none at ({looked}); "
        f"pass tables_dir=, set {TABLES_ENV}, or install a data release with `mmnas tables install ARCHIVE`"
    )


def tables_root(tables_dir: str | Path | None = None) -> Path:
    """The tables folder to read (:func:`locate_tables` without the reason)."""
    return locate_tables(tables_dir)[1]
