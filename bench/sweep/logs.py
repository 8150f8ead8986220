"""Committed result logs: one JSON line per finished job, per kind, sorted by job id.

They are the durable copy of a store (``tables/<task>/results/<kind>.jsonl``): a run
imports them first, so work finished in an earlier session, or on another machine, is
never redone, and an export only ever adds lines. Each log ends in a line holding the
sha256 of the lines above it, so a log edited by hand is refused on import, not imported.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.checksum_lines import split_last_line, text_sha256
from bench.errors import DataError
from bench.files import inside, write_text_atomic
from bench.jsonio import loads_strict
from bench.sweep.jobs import JobSpec
from bench.sweep.store import ResultStore

CHECKSUM = "sha256_of_the_lines_above"  # key of a log's last line


def results_dir(tables_dir: str | Path, task: str) -> Path:
    """Folder of the result logs of ``task``."""
    return Path(tables_dir) / task / "results"


def write_logs(store: ResultStore, folder: Path) -> dict[str, int]:
    """Write one log per job kind (atomically), each ending in its checksum line; returns rows per kind."""
    folder.mkdir(parents=True, exist_ok=True)
    by_kind: dict[str, list[str]] = {}
    for row in store.rows():
        by_kind.setdefault(row["kind"], []).append(json.dumps(row, sort_keys=True))
    for kind, lines in by_kind.items():
        body = "\n".join(lines) + "\n"
        write_text_atomic(inside(folder, f"{kind}.jsonl"), body + json.dumps({CHECKSUM: text_sha256(body)}) + "\n")
    return {kind: len(lines) for kind, lines in by_kind.items()}


def _checked_body(path: Path, text: str) -> str:
    """The log's result lines: ``text`` less its checksum line, verified (a log written before checksums has none).

    Raises:
        DataError: when the checksum line does not match the lines before it.
    """
    body, last = split_last_line(text)
    if not last.startswith('{"' + CHECKSUM + '"'):
        return text
    expected = loads_strict(last, f"{path}: checksum line").get(CHECKSUM)
    if expected != text_sha256(body):
        raise DataError(f"{path}: its lines do not match its checksum line (edited by hand, or cut and rejoined): "
                        "restore it from git, or export from the store that wrote it")
    return body


def read_log(path: Path) -> list[tuple[JobSpec, dict]]:
    """The (spec, row) of every line of one result log, the log checked against its checksum line and each
    line's job id against its spec.

    Raises:
        DataError: naming the file (and line) of a log that does not match its checksum, a corrupt line or a
            forged job id.
    """
    out = []
    try:
        text = _checked_body(path, path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text (byte {err.start})") from None
    for n, line in enumerate(text.splitlines(), 1):
        try:
            row = loads_strict(line, f"{path}:{n}")
            spec = JobSpec.make(row["kind"], row["task"], row["params"])
        except DataError:
            raise
        except (KeyError, TypeError) as err:
            raise DataError(f"{path}:{n}: corrupt result line ({err!r})") from err
        if spec.id != row["job_id"]:
            raise DataError(f"{path}:{n}: job id {row['job_id']} does not match its spec ({spec.id})")
        out.append((spec, row))
    return out


def import_logs(store: ResultStore, folder: Path) -> int:
    """Add every logged result missing from ``store``; returns rows added."""
    added = 0
    done = store.done_ids()
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for spec, row in read_log(path):
            if spec.id not in done:
                store.put(spec, row["result"], row["worker"], row["seconds"], owner="import", finished_at=row["finished_at"])
                done.add(spec.id)
                added += 1
    return added
