"""Multi-objective searchers with an ask / tell interface.

Shipped searchers are registered here; a user's own searcher plugs in without touching
the package through the ``mmnas.searchers`` entry point (``name = "module:Class"``).

Example:
    >>> from searchers import get_searcher
    >>> searcher = get_searcher("random")()
    >>> searcher.setup(problem, seed=0); configs = searcher.ask(10)
"""

from __future__ import annotations

from importlib import metadata

from bench.errors import UnknownNameError
from searchers.base import Searcher
from searchers.random_search import RandomSearcher

SEARCHERS: dict[str, type[Searcher]] = {cls.name: cls for cls in (RandomSearcher,)}
ENTRY_POINT_GROUP = "mmnas.searchers"


def get_searcher(name: str) -> type[Searcher]:
    """The searcher class registered as ``name``, shipped or from an installed entry point."""
    if name in SEARCHERS:
        return SEARCHERS[name]
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            cls = entry.load()
            if not (isinstance(cls, type) and issubclass(cls, Searcher)):
                raise TypeError(f"entry point {name!r} ({entry.value}) is not a Searcher subclass")
            return cls
    plugins = sorted(e.name for e in metadata.entry_points(group=ENTRY_POINT_GROUP))
    raise UnknownNameError(f"unknown searcher {name!r}, expected one of {sorted(SEARCHERS) + plugins}")


__all__ = ["RandomSearcher", "SEARCHERS", "Searcher", "get_searcher"]
