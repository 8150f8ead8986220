"""Surrogate models fitted to the benchmark tables (XGBoost, Gaussian processes)."""
