"""Report files: Markdown that ends in the sha256 of its text, so an edited or truncated report is refused.

A report's last line is ``<!-- sha256 of the lines above: <hex> -->`` (a comment, so it
does not show where the Markdown is rendered), the same rule as the result logs' last
line. Every command that writes a report file writes it through :func:`write_report`;
``verify_task`` checks every report of a task folder before a release is packed or
installed, and :func:`read_report` checks one before it is printed again.
"""

from __future__ import annotations

from pathlib import Path

from bench.checksum_lines import split_last_line, text_sha256
from bench.errors import DataError
from bench.files import write_text_atomic

TRAILER = "<!-- sha256 of the lines above: "
REPORT_SUFFIX = ".md"


def stamped(text: str) -> str:
    """``text`` (ending in a newline) followed by its checksum line."""
    body = text if text.endswith("\n") else text + "\n"
    return f"{body}{TRAILER}{text_sha256(body)} -->\n"


def write_report(path: str | Path, text: str) -> Path:
    """Write the report ``text`` with its checksum line to ``path`` atomically; returns ``path``."""
    return write_text_atomic(path, stamped(text))


def report_body(text: str, source: str) -> str:
    """The report ``text`` less its checksum line, verified.

    Raises:
        DataError: naming ``source``, when the last line is not a checksum line or does not match the lines above.
    """
    body, last = split_last_line(text)
    if not (last.startswith(TRAILER) and last.endswith(" -->")):
        raise DataError(f"{source}: no checksum line at its end (cut short, or not written by mmnas-bench): rebuild it with "
                        "the command that wrote it")
    if last[len(TRAILER):-len(" -->")] != text_sha256(body):
        raise DataError(f"{source}: its lines do not match its checksum line (edited by hand?): rebuild it with the command "
                        "that wrote it")
    return body


def read_report(path: str | Path) -> str:
    """The verified text of the report at ``path``, without its checksum line (raises :class:`DataError`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot be read as a UTF-8 report: {err}") from err
    return report_body(text, str(path))


def verify_reports(folder: str | Path) -> list[Path]:
    """Check every report (``*.md``) under ``folder``; returns their paths (raises :class:`DataError` on the first bad one)."""
    paths = sorted(Path(folder).rglob(f"*{REPORT_SUFFIX}"))
    for path in paths:
        read_report(path)
    return paths
