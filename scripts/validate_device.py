"""Validate the benchmark on the device at hand (see bench/hardware/validate_cli.py for the options)."""

import sys

from bench.hardware.validate_cli import main

if __name__ == "__main__":
    sys.exit(main())
