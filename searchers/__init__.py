"""Multi-objective searchers with an ask/tell interface."""
