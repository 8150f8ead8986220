"""Data releases: the tables folder packed into one archive with checksums, and installed from it.

``pack_release`` writes ``mmnas-bench-tables-<release>.tar.gz`` holding every task folder
that has a manifest (tables, result logs, supernets, problems, surrogates, reports), the
changelog ``releases.json`` and a ``RELEASE.json`` with the release name and the sha256 of
every file. A release is named in the changelog first; every manifest records it. ``install_release``
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

from bench.errors import DataError
from bench.files import atomic_path
from bench.jsonio import checked, read_json
from bench.locations import INSTALLED_TABLES
from bench.reports import verify_reports
from bench.tables.manifest import TableError, is_release_file, read_manifest, sha256_of, verify_file

RELEASE_FILE = "RELEASE.json"
CHANGELOG = "releases.json"  # in the tables folder: every data release, newest last, with what it added


def changelog(tables_dir: Path) -> list[dict[str, Any]]:
    """The releases listed in ``tables_dir/releases.json``, oldest first ([] when the folder has none)."""
    path = tables_dir / CHANGELOG
    if not path.is_file():
        return []
    try:
        releases = json.loads(path.read_text())["releases"]
        names = [entry["release"] for entry in releases]
    except (ValueError, KeyError, TypeError) as err:
        raise TableError(f"{path} is corrupt: {err!r}") from err
    if len(set(names)) != len(names):
        raise TableError(f"{path} names a release twice: {names}")
    return releases


def current_release(tables_dir: Path) -> str | None:
    """The newest release named in the changelog (what an export records in the manifests), or None."""
    releases = changelog(tables_dir)
    return releases[-1]["release"] if releases else None


def release_files(tables_dir: Path) -> dict[str, str]:
    """Path relative to ``tables_dir`` -> sha256, for every file of every task folder with a manifest."""
    out = {}
    for manifest in sorted(tables_dir.glob("*/manifest.json")):
        for path in sorted(p for p in manifest.parent.rglob("*") if is_release_file(p)):
            out[path.relative_to(tables_dir).as_posix()] = sha256_of(path)
    return out


SELF_CHECKSUMMED = ("problems.json", "surrogates/index.json")  # derived documents that carry their own checksum


def verify_task(task_dir: Path) -> dict[str, Any]:
    """Check every file ``task_dir``'s manifest lists against its sha256, the checksums of the derived documents
    and of every report (raises :class:`TableError`); returns the manifest."""
    manifest = read_manifest(task_dir)
    for name in manifest["files"]:
        verify_file(task_dir, name, manifest)
    for path in (task_dir / name for name in SELF_CHECKSUMMED):
        if path.is_file():
            checked(read_json(path, TableError), str(path), TableError)
    try:
        verify_reports(task_dir)
    except DataError as err:
        raise TableError(str(err)) from err
    return manifest


def pack_release(tables_dir: Path, out_dir: Path, release: str | None = None) -> Path:
    """Write the archive of ``release`` (default: the changelog's newest) of ``tables_dir`` into ``out_dir``
    (temporary name, then renamed); returns its path.

    Raises:
        TableError: a release the changelog does not name, no task folder, a manifest of another release, or a
            file that does not match its task's manifest (export first).
    """
    release = release or current_release(tables_dir)
    names = [entry["release"] for entry in changelog(tables_dir)]
    if release not in names:
        raise TableError(f"release {release!r} is not in {tables_dir / CHANGELOG}: add it there (with what it adds) first")
    files = release_files(tables_dir)
    if not files:
        raise TableError(f"{tables_dir} holds no task folder with a manifest.json: nothing to release")
    tasks = {}  # task -> the release its tables were last exported in
    for path in sorted(tables_dir.glob("*/manifest.json")):
        recorded = tasks[path.parent.name] = verify_task(path.parent).get("data_release")
        if recorded not in names[: names.index(release) + 1]:
            raise TableError(f"{path} records release {recorded!r}, not {release!r} or one before it: export again")
    files[CHANGELOG] = sha256_of(tables_dir / CHANGELOG)
    document = {"release": release, "tasks": tasks, "files": files}
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
        document["files"].items(), document["tasks"].items(), document["release"]
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
