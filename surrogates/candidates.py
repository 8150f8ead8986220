"""What the quality report fits: a surrogate model on one encoding, optionally for some targets only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bench.space.features import DEFAULT_ENCODING
from surrogates.base import Surrogate

ACCURACY_TARGETS = ("val_acc", "test_acc")


@dataclass(frozen=True)
class Candidate:
    """One surrogate model to score.

    Attributes:
        name: its label in the report (``<format>`` on the default encoding, ``<format>/<encoding>`` on another).
        make: builds an unfitted model (a surrogate class is picklable, so it can be scored in worker processes).
        encoding: the inputs it is fitted on (:data:`bench.space.features.ENCODINGS`).
        targets: the target names it is scored on; None: every learned target.
    """

    name: str
    make: Callable[[], Surrogate]
    encoding: str = DEFAULT_ENCODING
    targets: tuple[str, ...] | None = None

    def scores(self, target: str) -> bool:
        """Whether this candidate is fitted and scored on ``target``."""
        return self.targets is None or target in self.targets


def as_candidates(models: Mapping[str, Callable[[], Surrogate]] | Sequence[Candidate]) -> list[Candidate]:
    """``models`` as candidates: a name -> factory mapping means every target, on the default encoding."""
    if isinstance(models, Mapping):
        return [Candidate(name, make) for name, make in models.items()]
    return list(models)


def report_candidates(formats: Sequence[str]) -> list[Candidate]:
    """The report's candidates: every format in ``formats`` on the default encoding (the MLP ensemble, the slowest
    to fit, on accuracy only), and the XGBoost quantile model on the ordinal encoding alone on accuracy, the baseline
    that shows what the data-flow columns add."""
    from surrogates import SURROGATES

    out = [Candidate(name, SURROGATES[name], targets=ACCURACY_TARGETS if name == "mlp-ensemble" else None) for name in formats]
    out.append(Candidate("xgboost-quantile/ordinal", SURROGATES["xgboost-quantile"], "ordinal", ACCURACY_TARGETS))
    return out
