"""Does a graph model over the fusion DAG predict validation accuracy better than XGBoost? (an experiment)

A small GIN-style network on each config's fusion graph, predicting seed-mean validation
accuracy:
- 28 nodes: the 8 backbone features, 4 cell outputs and 16 fusion nodes.
- Node features: the node's type; the operator and position of a fusion node; live /
  active flags (:mod:`bench.space.dataflow`); the backbone genes and bits on the feature nodes.
- Messages flow along the data edges and back; 3 residual layers.
- Readout: the two states the head reads, the mean over live nodes, and the data-flow
  features of the surrogates.

It is trained on the report's random 80/20 split (3 seeds, an ensemble), beside the
package's xgboost-quantile on the same rows. It prints the held-out Kendall taus of both
and of their mean. This is an experiment: the package has no GIN surrogate (the figures
are in the issue's closing note).

Usage: python scripts/probe_gin_surrogate.py [--task soundmnist] [--epochs 60] [--members 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from scipy import stats
from torch import nn

from bench.space import FUSION_OPS, parse_config
from bench.space.config import MAX_CELLS, MAX_NODES, N_FUSION_INPUTS
from bench.space.dataflow import flow_arrays
from bench.space.encoding import encode_ordinal
from bench.space.features import encode_for_surrogate
from bench.space.gene_arrays import GeneArrays, gene_arrays
from bench.tables import load_table
from surrogates import SURROGATES
from surrogates.quality import RANDOM, splits

N_VERTICES = N_FUSION_INPUTS + MAX_CELLS + MAX_CELLS * MAX_NODES


def _node(cell: int, t: np.ndarray | int) -> np.ndarray | int:
    return N_FUSION_INPUTS + MAX_CELLS + cell * MAX_NODES + t


def graphs(g: GeneArrays) -> dict[str, np.ndarray]:
    """Dense graphs of ``n`` configs: adjacency ``(n, V, V)`` (target, source), node features, live mask and head states."""
    n, rows = len(g), np.arange(len(g))
    flow = flow_arrays(g.n_cells, g.n_nodes, g.cell_inputs, g.node_inputs)
    types, ops = N_FUSION_INPUTS + MAX_CELLS, len(FUSION_OPS)
    genes = 1 + 2 * 4 + 1  # depth, kernels, expands, bits
    width = types + ops + MAX_NODES + 2 + genes
    adjacency = np.zeros((n, N_VERTICES, N_VERTICES), np.float32)
    features = np.zeros((n, N_VERTICES, width), np.float32)
    active = np.zeros((n, N_VERTICES), bool)
    active[:, :N_FUSION_INPUTS] = True
    gene_at = types + ops + MAX_NODES + 2
    for k in range(N_FUSION_INPUTS):
        m = k // (N_FUSION_INPUTS // 2)
        features[:, k, k] = 1
        features[:, k, gene_at] = g.depth[:, m] / 4
        features[:, k, gene_at + 1:gene_at + 5] = g.kernel[:, m] / 7
        features[:, k, gene_at + 5:gene_at + 9] = g.expand[:, m] / 6
        features[:, k, gene_at + 9] = g.bits[:, m] / 32
    for c in range(MAX_CELLS):
        on = c < g.n_cells
        r = rows[on]
        active[r, N_FUSION_INPUTS + c] = True
        features[r, N_FUSION_INPUTS + c, N_FUSION_INPUTS + c] = 1
        adjacency[r, N_FUSION_INPUTS + c, g.cell_inputs[on, c, 0]] = 1  # the residual x
        adjacency[r, N_FUSION_INPUTS + c, _node(c, g.n_nodes[on] - 1)] = 1  # the last node
        for t in range(MAX_NODES):
            act = on & (t < g.n_nodes)
            r, v = rows[act], _node(c, t)
            active[r, v] = True
            features[r, v, types + g.op[act, c, t]] = 1
            features[r, v, types + ops + t] = 1
            for s in (0, 1):
                local = g.node_inputs[:, c, t, s]
                source = np.where(local == 0, g.cell_inputs[:, c, 0], np.where(local == 1, g.cell_inputs[:, c, 1], _node(c, local - 2)))
                np.add.at(adjacency, (r, v, source[act]), 1)
    live = np.concatenate([flow.live, flow.live_nodes.reshape(n, -1)], axis=1).astype(np.float32)
    features[:, :, types + ops + MAX_NODES] = live
    features[:, :, types + ops + MAX_NODES + 1] = active
    heads = np.stack([N_FUSION_INPUTS + g.n_cells - 2, N_FUSION_INPUTS + g.n_cells - 1], axis=1)
    return {"features": features, "adjacency": adjacency, "live": live, "heads": heads}


class GraphNet(nn.Module):
    """Residual message passing along and against the data edges, read out at the head's states."""

    def __init__(self, d_node: int, d_global: int, hidden: int = 64, layers: int = 3) -> None:
        super().__init__()
        self.embed = nn.Linear(d_node, hidden)
        self.layers = nn.ModuleList(nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden)) for _ in range(layers))
        self.readout = nn.Sequential(nn.Linear(3 * hidden + d_global, 128), nn.ReLU(), nn.Linear(128, 1))

    def forward(self, features, adjacency, live, heads, global_features):  # noqa: ANN001, ANN201 (tensors)
        h = torch.relu(self.embed(features))
        for layer in self.layers:
            h = h + layer(torch.cat([h, adjacency @ h, adjacency.transpose(1, 2) @ h], -1))
        b = torch.arange(len(features))
        pooled = (h * live[..., None]).sum(1) / live.sum(1, keepdim=True)
        return self.readout(torch.cat([h[b, heads[:, 0]], h[b, heads[:, 1]], pooled, global_features], -1)).squeeze(-1)


def fit_predict(data: dict[str, torch.Tensor], y: np.ndarray, train: np.ndarray, test: np.ndarray, seed: int, epochs: int) -> np.ndarray:
    """One member trained on ``train`` (standardised MSE, AdamW, cosine schedule), its predictions on ``test``."""
    torch.manual_seed(seed)
    net = GraphNet(data["features"].shape[2], data["global"].shape[1])
    optimiser = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, epochs)
    mean, std = y[train].mean(), y[train].std()
    target = torch.from_numpy(((y - mean) / std).astype(np.float32))
    rng = np.random.default_rng(seed)
    take = lambda idx: [data[k][idx] for k in ("features", "adjacency", "live", "heads", "global")]  # noqa: E731
    for _ in range(epochs):
        net.train()
        for batch in np.array_split(rng.permutation(train), max(1, len(train) // 128)):
            index = torch.from_numpy(batch)
            loss = ((net(*take(index)) - target[index]) ** 2).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        schedule.step()
    net.eval()
    with torch.no_grad():
        return net(*take(torch.from_numpy(test))).numpy() * std + mean


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="soundmnist")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--tables-dir", default="tables")
    args = parser.parse_args()
    torch.set_num_threads(1)
    joint = load_table(Path(args.tables_dir) / args.task, "joint")
    configs = [parse_config(text) for text in joint["config_json"]]
    dataflow = encode_for_surrogate(configs, "dataflow")
    data = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in graphs(gene_arrays(encode_ordinal(configs))).items()}
    data["global"] = torch.from_numpy(((dataflow - dataflow.mean(0)) / (dataflow.std(0) + 1e-6)).astype(np.float32))
    y = joint["val_acc"].to_numpy(dtype=float)
    train, test = splits(joint, 0)[RANDOM]
    tau = lambda p: stats.kendalltau(p, y[test]).statistic  # noqa: E731
    start, members = time.perf_counter(), []
    for seed in range(args.members):
        members.append(fit_predict(data, y, train, test, seed, args.epochs))
        print(f"member {seed}: tau {tau(members[-1]):.3f}, ensemble {tau(np.mean(members, 0)):.3f} ({time.perf_counter() - start:.0f} s)")
    xgb = SURROGATES["xgboost-quantile"]().fit(dataflow[train], y[train]).predict(dataflow[test])
    graph = np.mean(members, 0)
    print(f"{args.task} ({len(train)} training rows, {len(test)} held out): xgboost-quantile tau {tau(xgb):.3f}, "
          f"graph ensemble {tau(graph):.3f}, mean of the two {tau((xgb + graph) / 2):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
