"""Validate the benchmark on the device at hand (see bench/validation/cli.py for the options)."""

import sys

from bench.cli import main

if __name__ == "__main__":
    sys.exit(main(["validate-device", *sys.argv[1:]]))  # mmnas validate-device: the same options and error lines
