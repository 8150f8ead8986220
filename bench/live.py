"""Live answers: train any config now with the sweep's protocol, as ``Benchmark(mode="live")`` does.

A config's fusion network is trained on its backbones' features with the release's
seeds and schedule, through the very job the sweep runs (:func:`bench.sweep.plan.joint_train_spec`),
so a config the sweep trained is answered from the store without training, and one
trained live is stored there for the next query (and for the sweep, which will not train
it again). Accuracy, test accuracy and cost are the seed means, as in the table; static
costs are computed exactly from the backbone tables and fusion parts, as in surrogate
mode. Needs the ``models`` extra, the data (``MMNAS_DATA``) and the task's supernets.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from bench.devices import TOTAL
from bench.errors import UnknownNameError
from bench.hardware.host import host_slug
from bench.space import Config
from bench.sweep.jobs import JobContext, job_kind
from bench.sweep.plan import joint_train_spec, supernet_shas
from bench.sweep.store import ResultStore
from bench.tables.static_costs import COLUMNS, StaticCosts

logger = logging.getLogger(__name__)

TRAINED = {"acc": "val_acc", "test_acc": "test_acc"}  # objective -> the per-seed result key it is the mean of


class LiveAnswers:
    """Answers ``objectives`` of ``task`` on ``device`` by training (or finding in ``store``) every config.

    Args:
        task_dir: the task's tables folder (supernets, backbone tables, fusion parts).
        task, device, objectives, columns: as :class:`bench.benchmark.Benchmark` resolved them.
        store: the sweep store that caches live trainings (default: the sweep's, ``work/<task>/sweep.db``).
        data_dir: the raw data folder (default: ``MMNAS_DATA``).

    Raises:
        UnknownNameError: an objective that is neither trained nor a static cost (a measured latency has no live answer).
    """

    def __init__(self, task_dir: Path, task: str, device: str, objectives: tuple[str, ...], columns: dict[str, str],
                 store: str | Path | None = None, data_dir: str | None = None) -> None:
        from bench.sweep.driver import default_store_path

        static = {name: c.removeprefix(f"{TOTAL}_") for name, c in columns.items() if name not in TRAINED}
        unpriced = [name for name, column in static.items() if column not in COLUMNS]
        if unpriced:
            raise UnknownNameError(f"live mode trains accuracy and computes static costs; {device} {unpriced[0]!r} is measured, "
                                   "so it has no live answer: use mode='table' or 'surrogate' for it")
        self._static, self._costs = static, StaticCosts(task_dir, task) if static else None
        self._task, self._store_path = task, Path(store) if store is not None else default_store_path(task)
        self._context = JobContext(data_dir=data_dir, tables_dir=str(task_dir.parent))
        self._shas = supernet_shas(task, str(task_dir.parent))
        self.provenance = {
            name: f"live:{task} trained here with the sweep's protocol (seed mean)" if name in TRAINED
            else f"computed:{task} {column} = backbone tables + fusion parts ({device}), exact"
            for name, column in {**static, **{n: TRAINED[n] for n in objectives if n in TRAINED}}.items()
        }

    def answer(self, configs: list[Config], where: np.ndarray, values: dict[str, np.ndarray], seconds: np.ndarray) -> None:
        """Fill ``values`` and ``seconds`` at ``where`` with the answers for ``configs`` (training those not in the store)."""
        store = ResultStore(self._store_path)
        try:
            trained = [self._trained(config, store) for config in configs]
        finally:
            store.close()
        for name in values:
            if name in TRAINED:
                values[name][where] = [np.mean([s[TRAINED[name]] for s in seeds]) for seeds in trained]
        if self._costs is not None:
            totals = self._costs.totals(configs)
            for name, column in self._static.items():
                values[name][where] = totals[column]
        seconds[where] = [np.mean([s["train_seconds"] for s in seeds]) for seeds in trained]

    def _trained(self, config: Config, store: ResultStore) -> list[dict]:
        """Every seed's training record of ``config``: from ``store``, or trained now and stored there."""
        spec = joint_train_spec(self._task, config, self._shas)
        result = store.result(spec.id)
        if result is None:
            logger.info("training %s live (%d seeds)", config.id, len(spec.params["seeds"]))
            start = time.perf_counter()
            result = job_kind(spec.kind).run(spec.params, self._context)
            store.put(spec, result, f"{host_slug()}:live", time.perf_counter() - start, owner="live")
        return result["seeds"]
