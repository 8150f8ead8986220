"""Comparing searchers: quality indicators, the runner, scoring and the report (`mmnas leaderboard`)."""

from bench.tasks import DEFAULT_TASK

# The defaults of `mmnas leaderboard` (here, so that the command's parser loads none of the leaderboard's dependencies).
DEFAULT_PROBLEMS = tuple(f"{DEFAULT_TASK}/lut:tx2/acc-lat-energy@{variant}" for variant in ("table", "full"))
# Every shipped searcher that applies to the default problems: their answers are noise-free (qlogehvi, not the noisy
# qlognehvi) and soundmnist has no learning curves (no moasha, stopping-random).
DEFAULT_SEARCHERS = ("random", "nsga2", "two-tier", "harmonic-nas", "qlogehvi", "qlognparego")
DEFAULT_BUDGET = 100  # evaluations per run: the default leaderboard fits in 10 minutes on 2 cores
