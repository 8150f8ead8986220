"""Validate the benchmark on the device at hand (see bench/validation/cli.py for the options)."""

import sys

from bench.validation.cli import main

if __name__ == "__main__":
    sys.exit(main())
