"""The per-seed records of a protocol's joint trainings, as the joint table takes them (torch-free)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from bench.space import Config, parse_config


def protocol_seed_records(
    rows: Iterable[dict[str, Any]], task: str, settings: dict[str, Any], shas: dict[str, str]
) -> tuple[dict[str, Config], dict[str, dict[int, dict]]]:
    """The configs and per-seed records (config id -> seed -> record; the first record of a seed is kept) of the joint
    training results among ``rows`` (result rows with ``task``, ``params`` and ``result``) trained for ``task`` with
    fusion schedule ``settings`` on the supernets ``shas``."""
    seeds: dict[str, dict[int, dict]] = defaultdict(dict)
    configs: dict[str, Config] = {}
    for row in rows:
        p = row["params"]
        if row["task"] != task or p["settings"] != settings or p["supernet_sha256"] != shas:
            continue
        config = parse_config(p["config"])
        configs[config.id] = config
        for record in row["result"]["seeds"]:
            seeds[config.id].setdefault(record["seed"], record)
    return configs, seeds
