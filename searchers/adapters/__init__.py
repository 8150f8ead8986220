"""Bridges to optimisers of other libraries, each behind its own install extra.

* :mod:`searchers.adapters.pymoo_adapter` (extra ``pymoo``): a pymoo ``Problem`` over the
  space's genes with the space's own sampling, crossover and mutation, and searchers
  ``pymoo:nsga2``, ``pymoo:nsga3``, ``pymoo:smsemoa``, ``pymoo:moead`` for the leaderboard.
* :mod:`searchers.adapters.optuna_adapter` (extra ``optuna``): a multi-objective Optuna
  objective (define-by-run, depth-gated genes suggested only when read) and searchers
  ``optuna:tpe``, ``optuna:nsga2``.
* :mod:`searchers.adapters.configspace_adapter` (extra ``configspace``): the space as a
  ConfigSpace ``ConfigurationSpace`` with its conditions and forbidden clauses.

Nothing here imports an outside library until an adapter module is imported, so
``searchers`` stays importable without them. Outside optimisers see the gene vector of
:mod:`bench.space.genes`; on table-variant problems a proposal is answered by the table
row nearest to it (:class:`searchers.adapters.objective.Objective`).
"""

from __future__ import annotations

# searcher name -> (adapter module, class, the outside package it needs)
ADAPTER_SEARCHERS: dict[str, tuple[str, str, str]] = {
    "pymoo:nsga2": ("searchers.adapters.pymoo_adapter", "PymooNSGA2", "pymoo"),
    "pymoo:nsga3": ("searchers.adapters.pymoo_adapter", "PymooNSGA3", "pymoo"),
    "pymoo:smsemoa": ("searchers.adapters.pymoo_adapter", "PymooSMSEMOA", "pymoo"),
    "pymoo:moead": ("searchers.adapters.pymoo_adapter", "PymooMOEAD", "pymoo"),
    "optuna:tpe": ("searchers.adapters.optuna_adapter", "OptunaTPE", "optuna"),
    "optuna:nsga2": ("searchers.adapters.optuna_adapter", "OptunaNSGA2", "optuna"),
}

__all__ = ["ADAPTER_SEARCHERS"]
