"""The built-in job kinds of the sweep.

* ``backbone_static``: params, MACs, LUT latency / energy, analytical energy of one backbone.
* ``backbone_accuracy``: val / test accuracy of one subnet (inherited weights, BN recalibrated).
* ``joint_static``: static costs per component and in total for one joint config.
* ``joint_train``: fusion training of one joint config for each of its seeds.
* ``latency`` (measure phase): batch-1 latency of a chunk of models on this host (eager torch or ONNX Runtime).

Expensive resources (look-up tables, data, supernets, backbone features) are loaded
once per process. Jobs that use a supernet name its sha256, so retrained supernets
make new jobs instead of mixing results.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.data import TaskData
from bench.devices import TOTAL, static_devices
from bench.errors import DataError
from bench.hardware.figures import config_figures, static_figures
from bench.hardware.host import host_slug
from bench.hardware.lut import LutDevice
from bench.hardware.measure import TimingSettings, measure_chunk
from bench.hardware.onnx_latency import measure_onnx_chunk
from bench.hardware.speed_index import ONNX_RUNTIME, TORCH, with_speed_index
from bench.jsonio import read_json
from bench.models import Backbone, ElasticBackbone
from bench.models.quantize import CALIBRATION_BATCHES, WEIGHT_BITS, component_bytes, quantise_component
from bench.space import MODALITIES, Config, parse_backbone, parse_config
from bench.sweep.jobs import JobContext, JobKind, register
from bench.tasks import get_task, load_task
from bench.train.evaluate import accuracy, batches
from bench.train.features import PooledFeatures, pooled_features, subnet
from bench.train.fusion import FusionSettings, train_fusion
from bench.train.precision import bfloat16_kernels
from bench.train.supernet import load_weights

SUBNET_BN_BATCHES = 8
HOROWITZ = static_devices(external=False)[0].name  # the analytical device, keyed by name in job results
SUBNET_BATCH_SIZE = 64


@lru_cache(maxsize=None)
def _lut(board: str, lut_dir: str | None, task: str) -> LutDevice:
    return LutDevice(board, lut_dir, task)


def _inputs(task: str, modality: str) -> list[torch.Tensor]:
    return [torch.zeros(1, *get_task(task).input_shape(modality))]


def _static(figures: dict[str, float], with_bytes: bool = False) -> dict[str, Any]:
    """A job result's static figures; bytes only ``with_bytes`` (at fp32 they are 4 per parameter, derived at export)."""
    out = {"params": figures["params"], "macs": figures["macs"], HOROWITZ: {"energy_mj": figures["horowitz45_energy_mj"]}}
    if with_bytes:
        out["bytes"] = figures["bytes"]
    return out


def backbone_static(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Static costs of ``params['backbone']`` for ``params['modality']``."""
    model = Backbone(parse_backbone(params["backbone"]))
    out = _static(static_figures(model, _inputs(params["task"], params["modality"])))
    for device in static_devices(external=True):
        cost = _lut(device.member, context.lut_dir, params["task"]).price_backbone(model, params["modality"])
        out[device.name] = {"latency_ms": cost.latency_ms, "energy_mj": cost.energy_mj}
    return out


def joint_static(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Static costs of a joint config per component (image, audio, fusion) and in total.

    Components keep their precision (analytical energy and bytes at it). LUT figures were
    measured at fp32: a quantised component, and the total of a config that has one, get
    none (missing), never a scaled figure.
    """
    config = parse_config(params["config"])
    precision = {**config.precision.to_dict(), TOTAL: "fp32" if config.precision.all_fp32 else "mixed"}
    out: dict[str, Any] = {part: _static(figures, precision[part] != "fp32") for part, figures in config_figures(config).items()}
    for device in static_devices(external=True):
        cost = _lut(device.member, context.lut_dir, params["task"]).cost(config)
        for component, value in [(TOTAL, cost.total), *cost.components.items()]:
            fp32 = precision[component] == "fp32"
            out[component][device.name] = (
                {"latency_ms": value.latency_ms, "energy_mj": value.energy_mj} if fp32 else {"latency_ms": None, "energy_mj": None}
            )
    return out


def supernet_path(tables_dir: str | Path, task: str, modality: str) -> Path:
    """Where the committed supernet of ``modality`` lives."""
    return Path(tables_dir) / task / "supernets" / f"{modality}.pt"


def supernet_sha256(tables_dir: str | Path, task: str, modality: str) -> str:
    """sha256 of the committed supernet file (it keys the jobs that use it), checked against the one recorded for it:
    the ``sha256`` its training wrote beside it (``<modality>.json``). A file that does not match it (a flipped bit,
    a replaced file) is refused, so no job ever runs on it."""
    path = supernet_path(tables_dir, task, modality)
    if not path.is_file():
        raise DataError(f"no supernet at {path}: train it first (scripts/train_supernets.py --modality {modality})")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    recorded = _recorded_supernet_sha256(path)
    if recorded is not None and actual != recorded:
        raise DataError(f"{path}: sha256 {actual[:12]}... is not the {recorded[:12]}... recorded for it: corrupt or replaced "
                        "(a retrained supernet records its own in its .json)")
    return actual


def _recorded_supernet_sha256(path: Path) -> str | None:
    record = path.with_suffix(".json")
    sha256 = read_json(record).get("sha256") if record.is_file() else None
    return None if sha256 is None else str(sha256)


@lru_cache(maxsize=2)
def _data(task: str, data_dir: str | None, cache_dir: str | None) -> TaskData:
    return load_task(task, data_dir=data_dir, cache_dir=cache_dir)


@lru_cache(maxsize=4)
def _supernet(tables_dir: str, task: str, modality: str, sha256: str) -> ElasticBackbone:
    net = ElasticBackbone()
    net.load_state_dict(load_weights(supernet_path(tables_dir, task, modality), sha256)["model"])
    return net.eval()


def _calibration(data: TaskData, modality: str) -> list[tuple[torch.Tensor]]:
    """The first ``CALIBRATION_BATCHES`` training batches of ``modality``, as argument tuples."""
    train = data.split("train")
    return [(x,) for x, _ in itertools.islice(batches(getattr(train, modality), train.label, SUBNET_BATCH_SIZE), CALIBRATION_BATCHES)]


@lru_cache(maxsize=16)
def _features(
    tables_dir: str, data_dir: str | None, cache_dir: str | None, task: str, modality: str, sha256: str, backbone: Any,
    precision: str = "fp32",
) -> PooledFeatures:
    data = _data(task, data_dir, cache_dir)
    net = subnet(_supernet(tables_dir, task, modality, sha256), backbone, data, modality, SUBNET_BN_BATCHES, SUBNET_BATCH_SIZE)
    return pooled_features(quantise_component(net, precision, _calibration(data, modality)), data, modality)


def backbone_accuracy(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Val / test accuracy (%) of one subnet with inherited weights, BN recalibrated on train batches."""
    modality, task = params["modality"], params["task"]
    data = _data(task, context.data_dir, context.cache_dir)
    supernet = _supernet(context.tables_dir, task, modality, params["supernet_sha256"])
    net = subnet(supernet, parse_backbone(params["backbone"]), data, modality, SUBNET_BN_BATCHES, SUBNET_BATCH_SIZE)
    return {
        f"{split}_acc": accuracy(lambda x: net(x)[1], getattr(data.split(split), modality), data.split(split).label)
        for split in ("val", "test")
    }


def backbone_quant(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Val / test accuracy (%) of one subnet quantised to ``params['precision']`` and its bytes at every precision.

    The subnet is the one :func:`backbone_accuracy` evaluates; the quantiser is calibrated
    on the first ``CALIBRATION_BATCHES`` training batches.
    """
    modality, task, precision = params["modality"], params["task"], params["precision"]
    data = _data(task, context.data_dir, context.cache_dir)
    supernet = _supernet(context.tables_dir, task, modality, params["supernet_sha256"])
    net = subnet(supernet, parse_backbone(params["backbone"]), data, modality, SUBNET_BN_BATCHES, SUBNET_BATCH_SIZE)
    quantised = quantise_component(net, precision, _calibration(data, modality))
    return {
        **{f"{split}_acc": accuracy(lambda x: quantised(x)[1], getattr(data.split(split), modality), data.split(split).label)
           for split in ("val", "test")},
        "bytes": {p: component_bytes(net, p) for p in WEIGHT_BITS},
    }


def joint_inputs(
    config: Config, supernet_sha256: dict[str, str], context: JobContext
) -> tuple[dict[str, PooledFeatures], dict[str, np.ndarray]]:
    """The pooled backbone features a joint job trains ``config``'s fusion network on (quantised backbones give their
    quantised features), and the labels of every split."""
    features = {
        m: _features(
            context.tables_dir, context.data_dir, context.cache_dir, config.task, m, supernet_sha256[m], config.backbone(m),
            getattr(config.precision, m),
        )
        for m in MODALITIES
    }
    data = _data(config.task, context.data_dir, context.cache_dir)
    return features, {split: data.split(split).label for split in ("train", "val", "test")}


def joint_train(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Fusion training of ``params['config']`` on frozen backbone features, once per seed, the host it ran on and how that
    host ran bfloat16 convolutions (bfloat16 kernels differ between CPUs: one job's three seeds gave validation accuracies
    0.04-0.17 points apart on an AMD EPYC and an Intel Xeon with AMX; :mod:`bench.train.precision`)."""
    config = parse_config(params["config"])
    settings = FusionSettings(**params["settings"])
    features, labels = joint_inputs(config, params["supernet_sha256"], context)
    seeds = [train_fusion(config, features["image"], features["audio"], labels, s, settings) for s in params["seeds"]]
    kernels = {"bfloat16_kernels": bfloat16_kernels()} if settings.autocast == "bfloat16" else {}
    return {"seeds": seeds, "host": host_slug(), **kernels}


def latency(params: dict[str, Any], context: JobContext) -> dict[str, Any]:
    """Measured latency of ``params['items']`` in a fresh pinned process on this host.

    Eager torch, or with ``params['runtime'] == 'onnxruntime'`` the configs as exported to
    ONNX at their precision (:mod:`bench.hardware.onnx_latency`; device ``<host>-onnxruntime``). The host speed
    index of the chunk's runtime is timed before and after it (:mod:`bench.hardware.speed_index`); ``params['round']`` (a repeat
    measuring phase, :func:`bench.sweep.plan.repeat_configs`) only tells the export where the timings go.
    """
    runtime = params.get("runtime")
    if runtime not in (None, ONNX_RUNTIME):
        raise DataError(f"latency job for unknown runtime {runtime!r}, expected none (eager torch) or {ONNX_RUNTIME!r}")
    here = host_slug() if runtime is None else f"{host_slug()}-{runtime}"
    if params["host"] != here:
        raise DataError(f"latency job for host {params['host']!r} cannot run on {here!r}")
    settings, task = TimingSettings(**params["settings"]), params["task"]
    if runtime is None:
        return with_speed_index(lambda: measure_chunk(params["items"], settings, task), task, settings, TORCH)
    return with_speed_index(lambda: measure_onnx_chunk(params["items"], settings, context.data_dir, task), task, settings, ONNX_RUNTIME)


def fusion_settings(task: str) -> dict[str, Any]:
    """The fusion schedule of ``task`` in this release (its overrides of the defaults), as recorded in job specs.

    Options left unset (None) are not recorded, so adding one keeps the job ids of the tables trained before it."""
    settings = dataclasses.asdict(FusionSettings(**get_task(task).fusion_schedule))
    return {name: value for name, value in settings.items() if value is not None}


register(JobKind("backbone_static", backbone_static))
register(JobKind("backbone_accuracy", backbone_accuracy))
register(JobKind("backbone_quant", backbone_quant))
register(JobKind("joint_static", joint_static))
register(JobKind("joint_train", joint_train))
register(JobKind("latency", latency, phase="measure", resources={"measure": 1}))
