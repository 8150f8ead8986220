"""The space as a ConfigSpace ``ConfigurationSpace`` (for SMAC, DEHB, HpBandSter and other ConfigSpace users).

One hyperparameter per gene of :mod:`bench.space.genes`, named by its path: depths,
cell and node counts, kernels and expand ratios are ordinal; backbone-feature and node
inputs, operators and precisions are categorical. Conditions make a block's kernel and
expand ratio active only within the depth, and a cell's (node's) genes only within the
cell (node) count; forbidden relations keep the two inputs of every cell and node apart.
Every configuration it samples is a valid config (:func:`to_config`), and every config
has its configuration (:func:`to_configuration`).

Example:
    >>> from searchers.adapters.configspace_adapter import configuration_space, to_config
    >>> space = configuration_space("avmnist", seed=0)
    >>> to_config(space.sample_configuration(), "avmnist").id
"""

from __future__ import annotations

from bench.extras import require
from bench.space import FP32_ONLY, Config, Gene, genes
from bench.space.encoding import config_from_gene_values, gene_values
from bench.space.genes import unsearched_values
from bench.tasks import get_task

CS = require("ConfigSpace", "the ConfigSpace export")

def configuration_space(task: str, precisions: tuple[str, ...] = FP32_ONLY, seed: int | None = None) -> CS.ConfigurationSpace:
    """The space of ``task`` searched at ``precisions``, with its conditions and forbidden clauses.

    Raises:
        UnknownNameError: for an unknown task.
    """
    get_task(task)
    space = CS.ConfigurationSpace(name=f"mmnas-bench/{task}", seed=seed)
    hyperparameters = {gene.name: _hyperparameter(gene) for gene in genes(precisions)}
    conditions = []
    for gene in genes(precisions):
        clauses = [CS.GreaterThanCondition(hyperparameters[gene.name], hyperparameters[parent], threshold) for parent, threshold in gene.active_when]
        if clauses:
            conditions.append(clauses[0] if len(clauses) == 1 else CS.AndConjunction(*clauses))
    forbidden = [CS.ForbiddenEqualsRelation(hyperparameters[g.distinct_from], hyperparameters[g.name]) for g in genes(precisions) if g.distinct_from]
    space.add(list(hyperparameters.values()), conditions, forbidden)
    return space


def to_config(configuration: CS.Configuration | dict, task: str, precisions: tuple[str, ...] = FP32_ONLY) -> Config:
    """The config of a configuration of :func:`configuration_space` (validated and canonicalised)."""
    values = {**unsearched_values(precisions), **{gene.name: None for gene in genes(precisions)}}
    values.update({name: _plain(value) for name, value in dict(configuration).items()})
    return config_from_gene_values(values, task)


def to_configuration(config: Config, space: CS.ConfigurationSpace) -> CS.Configuration:
    """The configuration of ``config`` in ``space`` (its active genes only)."""
    values = dict(gene_values(config))
    return CS.Configuration(space, values={name: values[name] for name in space if values.get(name) is not None}, allow_inactive_with_values=False)


def _hyperparameter(gene: Gene) -> CS.hyperparameters.Hyperparameter:
    name, choices = gene.name, list(gene.choices)
    if name.endswith((".d", ".n_cells", ".n_nodes")) or ".ks[" in name or ".e[" in name:  # depths, counts, kernels, expands
        return CS.OrdinalHyperparameter(name, choices)
    default = choices[1] if gene.distinct_from else choices[0]  # the default configuration keeps a pair's inputs apart
    return CS.CategoricalHyperparameter(name, choices, default_value=default)


def _plain(value: object) -> object:
    """A ConfigSpace value (numpy scalars included) as a plain Python value."""
    return value.item() if hasattr(value, "item") else value
