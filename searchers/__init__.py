"""Multi-objective searchers with an ask / tell interface.

Shipped searchers are registered here, and searchers of other libraries by their adapter
names (``pymoo:nsga3``, ``optuna:tpe``: :data:`searchers.adapters.ADAPTER_SEARCHERS`, each
needing its extra); a user's own searcher plugs in without touching
the package through the ``mmnas.searchers`` entry point (``name = "module:Class"``), or by
its import path ``module:Class`` wherever a searcher name is asked for.

Example:
    >>> from searchers import get_searcher
    >>> searcher = get_searcher("random")()
    >>> searcher.setup(problem, seed=0); configs = searcher.ask(10)
"""

from __future__ import annotations

from importlib import import_module, metadata

from bench.errors import UnknownNameError
from bench.extras import require
from searchers.adapters import ADAPTER_SEARCHERS
from searchers.base import Searcher, SpaceExhaustedError
from searchers.harmonic_nas import HarmonicNAS
from searchers.mobo import QLogEHVI, QLogNEHVI, QLogNParEGO
from searchers.multi_fidelity import MOASHA, EarlyStoppingRandom
from searchers.nsga2 import NSGA2
from searchers.random_search import RandomSearcher
from searchers.two_tier import TwoTierEvolution

SEARCHERS: dict[str, type[Searcher]] = {cls.name: cls for cls in (RandomSearcher, NSGA2, TwoTierEvolution, HarmonicNAS, QLogNEHVI, QLogEHVI, QLogNParEGO,
                                                                      MOASHA, EarlyStoppingRandom)}
ENTRY_POINT_GROUP = "mmnas.searchers"


def get_searcher(name: str) -> type[Searcher]:
    """The searcher class called ``name``: shipped, from an installed entry point, or an import path ``module:Class``."""
    if name in SEARCHERS:
        return SEARCHERS[name]
    if name in ADAPTER_SEARCHERS:
        module, attribute, package = ADAPTER_SEARCHERS[name]
        require(package, f"searcher {name!r}")
        return _checked(getattr(import_module(module), attribute), f"{name!r}")
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            return _checked(entry.load(), f"entry point {name!r} ({entry.value})")
    if ":" in name:
        module, _, attribute = name.partition(":")
        try:
            return _checked(getattr(import_module(module), attribute), f"{name!r}")
        except (ImportError, AttributeError) as err:
            raise UnknownNameError(f"searcher {name!r} cannot be imported: {err}") from err
    plugins = sorted(e.name for e in metadata.entry_points(group=ENTRY_POINT_GROUP))
    raise UnknownNameError(f"unknown searcher {name!r}, expected one of {sorted(SEARCHERS) + sorted(ADAPTER_SEARCHERS) + plugins} or module:Class")


def searcher_label(name: str) -> str:
    """What reports call the searcher ``name``: a shipped one by its name, a plug-in (entry point or ``module:Class``)
    by its class's ``name`` attribute, or the class name when it sets none."""
    if name in SEARCHERS or name in ADAPTER_SEARCHERS:
        return name
    cls = get_searcher(name)
    return cls.name or cls.__name__


def _checked(cls: object, what: str) -> type[Searcher]:
    if not (isinstance(cls, type) and issubclass(cls, Searcher)):
        raise TypeError(f"{what} is not a Searcher subclass")
    return cls


__all__ = ["EarlyStoppingRandom", "HarmonicNAS", "MOASHA", "NSGA2", "QLogEHVI", "QLogNEHVI", "QLogNParEGO", "RandomSearcher", "SEARCHERS", "Searcher", "SpaceExhaustedError", "TwoTierEvolution", "get_searcher",
           "searcher_label"]
