"""Multi-objective Bayesian optimisation with BoTorch: qLogNEHVI, qLogEHVI and qLogNParEGO over the discrete space.

The model is a ``ModelListGP`` of one exact ``SingleTaskGP`` per objective on the
ordinal encoding scaled to the unit cube, fitted to the normalised (minimised, here
negated) objectives. What makes an iteration cheap:

* hyper-parameters are re-fitted by maximum likelihood only every ``refit_every``
  observations, warm-started from the last fit and capped at ``fit_maxiter`` L-BFGS
  iterations (a cold fit of 79 length-scales runs for 5-18 s); in between the last
  hyper-parameters are reused and the GPs are only conditioned on the new data (an
  exact GP's posterior, no optimisation);
* the acquisition is maximised over a discrete candidate set
  (``optimize_acqf_discrete``): the free rows of the pool (table variant, at most
  ``n_candidates``), or one-edit neighbours of up to ``MAX_PARENTS`` current non-dominated configs plus
  uniform samples from a reservoir drawn once at set-up (full space);
* qLogNEHVI's baseline is pruned to the points that can be non-dominated from 128
  posterior samples (BoTorch's default draws 2048), and ``mc_samples`` = 16;
* qLogEHVI, for noise-free objectives (every problem's default answers, the seed mean or
  a surrogate's prediction), partitions the observed front once per iteration instead of
  one box decomposition per posterior sample of the baseline, and needs no joint
  posterior over the baseline and the candidates.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from bench.space import Config, encode_ordinal, neighbours, ordinal_bounds, sample_config
from searchers.base import Searcher

MAX_PARENTS = 8  # non-dominated configs whose neighbours are candidates, per iteration
_HYPERPARAMETERS = ("covar_module", "mean_module", "likelihood")  # not the data-dependent outcome transform


class _BoTorchSearcher(Searcher):
    """Shared model fitting and candidate generation; subclasses build the acquisition function."""

    def __init__(
        self,
        n_candidates: int = 200,
        refit_every: int = 10,
        fit_maxiter: int = 50,
        warm_start: bool = True,
        mc_samples: int = 16,
        prune_samples: int = 128,
    ) -> None:
        self.n_candidates = n_candidates
        self.refit_every = refit_every
        self.fit_maxiter = fit_maxiter
        self.warm_start = warm_start
        self.mc_samples = mc_samples
        self.prune_samples = prune_samples

    def setup(self, problem, seed: int) -> None:
        super().setup(problem, seed)
        self._seed = seed
        self.timings: list[dict[str, float]] = []  # per ask: observations, model seconds, acquisition seconds
        self._hyperparameters: list[dict] | None = None
        self._fitted_at = 0
        lo, hi = ordinal_bounds()
        self._lo, self._span = lo, np.where(hi > lo, hi - lo, 1.0)
        self._reservoir = [] if self._pool else [
            sample_config(self.rng, problem.task, problem.precisions) for _ in range(5 * self.n_candidates)
        ]

    def _x(self, configs: Sequence[Config]):
        import torch

        return torch.as_tensor((encode_ordinal(configs) - self._lo) / self._span, dtype=torch.float64)

    def _model(self):
        import torch
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import ModelListGP, SingleTaskGP
        from botorch.models.transforms import Standardize
        from gpytorch.mlls import SumMarginalLogLikelihood

        X = self._x([c for c, _ in self.history])
        Y = -torch.as_tensor(self.told_values(), dtype=torch.float64)  # BoTorch maximises
        model = ModelListGP(*[SingleTaskGP(X, Y[:, [i]], outcome_transform=Standardize(m=1)) for i in range(Y.shape[1])])
        refit = self._hyperparameters is None or len(self.history) - self._fitted_at >= self.refit_every
        if self._hyperparameters is not None and (self.warm_start or not refit):  # reuse, or warm-start from, the last fit
            for gp, state in zip(model.models, self._hyperparameters):
                gp.load_state_dict(state, strict=False)
        if refit:
            # A failed fit is retried from hyper-parameters drawn from the priors with torch's global generator:
            # seeded here from the run's seed and the number of observations, so a rerun refits the same way.
            with torch.random.fork_rng():
                torch.manual_seed(int(np.random.SeedSequence([self._seed, len(self.history)]).generate_state(1)[0]))
                fit_gpytorch_mll(
                    SumMarginalLogLikelihood(model.likelihood, model), optimizer_kwargs={"options": {"maxiter": self.fit_maxiter}}
                )
            self._hyperparameters = [
                {k: v.detach().clone() for k, v in m.state_dict().items() if k.startswith(_HYPERPARAMETERS)} for m in model.models
            ]
            self._fitted_at = len(self.history)
        model.eval()
        return model, X

    def _candidates(self) -> list[Config]:
        if self._pool:
            free = np.flatnonzero(self._pool_free)
            picks = free if len(free) <= self.n_candidates else self.rng.choice(free, self.n_candidates, replace=False)
            return [self._pool.configs[i] for i in picks]
        front = self.recommend()
        if len(front) > MAX_PARENTS:
            front = [front[i] for i in self.rng.choice(len(front), MAX_PARENTS, replace=False)]
        local = [n for c in front for n in neighbours(c, self.problem.precisions) if n.id not in self._proposed]
        if len(local) > self.n_candidates // 2:
            local = [local[i] for i in self.rng.choice(len(local), self.n_candidates // 2, replace=False)]
        uniform = [self._reservoir[i] for i in self.rng.choice(len(self._reservoir), self.n_candidates - len(local), replace=False)]
        unique = {c.id: c for c in local + uniform if c.id not in self._proposed}
        return list(unique.values())

    def _acquisition(self, model, X_baseline):
        """The acquisition function over ``model`` with the told configs ``X_baseline``."""
        raise NotImplementedError

    # (seconds per iteration at 100 observations, growth exponent in the observations), measured with this
    # package's settings on one thread; None where no timing was measured.
    ITERATION_COST: tuple[float, float] | None = None

    def modelled_seconds(self, n_observed: int) -> float:
        """The measured iteration seconds as a power law in ``n_observed`` (:attr:`ITERATION_COST`); 0 while the
        searcher still samples (fewer than 2 observations)."""
        if self.ITERATION_COST is None:
            raise NotImplementedError(f"{self.name} has no measured cost model: run it with searcher_cost 'measured' or 'none'")
        at_100, exponent = self.ITERATION_COST
        return 0.0 if n_observed < 2 else at_100 * (n_observed / 100) ** exponent

    def ask(self, n: int) -> list[Config]:
        import torch
        from botorch.optim import optimize_acqf_discrete

        if len(self.history) < 2:
            return self.sample(n)
        start = time.perf_counter()
        model, X = self._model()
        fitted = time.perf_counter()
        candidates = self._candidates()
        if not candidates:
            return self.sample(n)
        choices = self._x(candidates)
        with torch.random.fork_rng():  # prune_baseline draws from torch's global generator
            torch.manual_seed(int(self.rng.integers(2**31)))
            acquisition = self._acquisition(model, X)
            chosen, _ = optimize_acqf_discrete(acquisition, q=min(n, len(candidates)), choices=choices, unique=True)
        by_row = {tuple(row): c for row, c in zip(choices.tolist(), candidates)}
        picked = [by_row[tuple(row)] for row in chosen.tolist()]
        self.timings.append({"n_obs": len(self.history), "model_seconds": fitted - start, "acquisition_seconds": time.perf_counter() - fitted})
        return self.admissible(picked) + (self.sample(n - len(picked)) if len(picked) < n else [])

    def _ref_point(self):
        """The problem's reference point in the model's negated (maximised) space."""
        import torch

        return torch.tensor([-r for r in self.problem.ref_point], dtype=torch.float64)

    def _sampler(self):
        import torch
        from botorch.sampling import SobolQMCNormalSampler

        return SobolQMCNormalSampler(torch.Size([self.mc_samples]), seed=int(self.rng.integers(2**31)))


class QLogNEHVI(_BoTorchSearcher):
    """qLogNEHVI (noisy expected hypervolume improvement, log form) with reference point -1.1 (negated space)."""

    name = "qlognehvi"
    # tables/soundmnist/bo_timings.md (one thread, idle host: load 1.0, the other processes 2-3 % CPU): median 1.440 s
    # at 100 observations, 2.631 s at 200, 3.362 s at 400; the least-squares power law in log-log through the three.
    ITERATION_COST = (1.528, 0.61)

    def __init__(self, partitioning_alpha: float = 0.0, **settings) -> None:
        """``partitioning_alpha``: BoTorch's ``alpha`` of the box decompositions of the sampled baseline fronts (0: exact;
        ``1e-3`` approximates them, about a quarter less acquisition time at 100 observations with a paired hypervolume
        difference of -0.0001 over 5 seeds on soundmnist@full); the other settings as in the base class."""
        super().__init__(**settings)
        self.partitioning_alpha = partitioning_alpha

    def _acquisition(self, model, X_baseline):
        from botorch.acquisition.multi_objective.logei import qLogNoisyExpectedHypervolumeImprovement
        from botorch.acquisition.multi_objective.utils import prune_inferior_points_multi_objective

        ref_point = self._ref_point()
        baseline = prune_inferior_points_multi_objective(model, X_baseline, ref_point, num_samples=self.prune_samples)
        return qLogNoisyExpectedHypervolumeImprovement(model, ref_point=ref_point, X_baseline=baseline, sampler=self._sampler(),
                                                       alpha=self.partitioning_alpha)


class QLogEHVI(_BoTorchSearcher):
    """qLogEHVI (expected hypervolume improvement, log form) over the observed front, for noise-free objectives;
    reference point as :class:`QLogNEHVI`. On noisy answers (``Benchmark(noisy=True)``) the observed front is biased
    upwards: use :class:`QLogNEHVI` there."""

    name = "qlogehvi"
    # The same run of tables/soundmnist/bo_timings.md: median 0.182 s at 100 observations, 0.225 s at 200, 0.562 s at
    # 400; the least-squares power law in log-log through the three.
    ITERATION_COST = (0.162, 0.81)

    def _acquisition(self, model, X_baseline):
        import torch
        from botorch.acquisition.multi_objective.logei import qLogExpectedHypervolumeImprovement
        from botorch.utils.multi_objective.box_decompositions.non_dominated import FastNondominatedPartitioning

        ref_point = self._ref_point()
        observed = -torch.as_tensor(self.told_values(), dtype=torch.float64)  # negated, as the model's outcomes
        partitioning = FastNondominatedPartitioning(ref_point=ref_point, Y=observed)
        return qLogExpectedHypervolumeImprovement(model, ref_point=ref_point, partitioning=partitioning, sampler=self._sampler())


class QLogNParEGO(_BoTorchSearcher):
    """qLogNParEGO: log noisy expected improvement of a random augmented Chebyshev scalarisation per iteration."""

    name = "qlognparego"

    def _acquisition(self, model, X_baseline):
        import torch
        from botorch.acquisition.multi_objective.parego import qLogNParEGO as Acquisition

        weights = torch.as_tensor(self.rng.dirichlet(np.ones(len(self.problem.objectives))), dtype=torch.float64)
        return Acquisition(model, X_baseline=X_baseline, scalarization_weights=weights, sampler=self._sampler(), prune_baseline=True)
