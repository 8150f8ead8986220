"""Data releases: the tables folder packed into one archive with checksums, and installed from it.

``pack_release`` writes ``mmnas-bench-tables-<release>.tar.gz`` holding every task folder
that has a manifest (tables, result logs, supernets, problems, surrogates, reports) and a
``RELEASE.json`` with the release name and the sha256 of every file. ``install_release``
unpacks one into a fresh folder beside the destination, checks every checksum (and each
task's manifest), and only then swaps it in, so a failed install leaves the previous
tables as they were. A non-editable install finds them there (:mod:`bench.locations`).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bench.files import atomic_path, is_temporary
from bench.locations import INSTALLED_TABLES
from bench.tables.manifest import TableError, read_manifest, sha256_of, verify_file

RELEASE_FILE = "RELEASE.json"


def release_files(tables_dir: Path) -> dict[str, str]:
    """Path relative to ``tables_dir`` -> sha256, for every file of every task folder with a manifest."""
    out = {}
    for manifest in sorted(tables_dir.glob("*/manifest.json")):
        for path in sorted(p for p in manifest.parent.rglob("*") if p.is_file() and not is_temporary(p)):
            out[path.relative_to(tables_dir).as_posix()] = sha256_of(path)
    return out


def verify_task(task_dir: Path) -> None:
    """Check every file ``task_dir``'s manifest lists against its sha256 (raises :class:`TableError`)."""
    manifest = read_manifest(task_dir)
    for name in manifest["files"]:
        verify_file(task_dir, name, manifest)


def pack_release(tables_dir: Path, out_dir: Path, release: str) -> Path:
    """Write the release archive of ``tables_dir`` into ``out_dir`` (temporary name, then renamed); returns its path.

    Raises:
        TableError: no task folder, or a file that does not match its task's manifest (export first).
    """
    files = release_files(tables_dir)
    if not files:
        raise TableError(f"{tables_dir} holds no task folder with a manifest.json: nothing to release")
    for manifest in sorted(tables_dir.glob("*/manifest.json")):
        verify_task(manifest.parent)
    document = {"release": release, "tasks": sorted({name.split("/", 1)[0] for name in files}), "files": files}
    target = out_dir / f"mmnas-bench-tables-{release}.tar.gz"
    body = (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()
    info = tarfile.TarInfo(RELEASE_FILE)
    info.size = len(body)
    with atomic_path(target) as temporary, tarfile.open(temporary, mode="w:gz") as archive:
        archive.addfile(info, io.BytesIO(body))
        for name in files:
            archive.add(tables_dir / name, arcname=name, recursive=False)
    return target


def install_release(archive: Path, dest: Path = INSTALLED_TABLES) -> dict[str, Any]:
    """Unpack, verify and swap in the release ``archive`` at ``dest``; returns its ``RELEASE.json``.

    Raises:
        TableError: not a release archive, a file outside the release or with a wrong checksum, a bad manifest.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}-new-"))
    try:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                members = tar.getmembers()
                refused = [m.name for m in members if not (m.isfile() or m.isdir()) or m.name.startswith("/") or ".." in Path(m.name).parts]
                if refused:
                    raise TableError(f"{archive}: member {refused[0][:80]!r} refused (a release holds plain files under relative paths)")
                tar.extractall(staging, members=members, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        except (OSError, tarfile.TarError) as err:
            raise TableError(f"{archive} is not a readable release archive: {err}") from err
        document = _release_document(staging, archive)
        unpacked = {p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file()} - {RELEASE_FILE}
        if unpacked != set(document["files"]):
            raise TableError(f"{archive}: its files differ from {RELEASE_FILE} ({len(unpacked ^ set(document['files']))} differ)")
        for name, sha in document["files"].items():
            if sha256_of(staging / name) != sha:
                raise TableError(f"{archive}: {name} does not match its sha256 in {RELEASE_FILE}: corrupt archive")
        for task in document["tasks"]:
            verify_task(staging / task)
        _swap_in(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return document


def _release_document(folder: Path, archive: Path) -> dict[str, Any]:
    try:
        document = json.loads((folder / RELEASE_FILE).read_text())
        document["files"].items(), document["tasks"][0], document["release"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError) as err:
        raise TableError(f"{archive} has no valid {RELEASE_FILE}: not an mmnas-bench data release ({err!r})") from err
    return document


def _swap_in(staging: Path, dest: Path) -> None:
    """Move ``staging`` to ``dest``; an existing ``dest`` is moved aside first and removed only after the swap."""
    old = dest.with_name(f".{dest.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        os.replace(dest, old)
    os.replace(staging, dest)
    shutil.rmtree(old, ignore_errors=True)
