"""Comparing searchers: quality indicators, the runner, scoring and the report (`mmnas leaderboard`)."""
