"""Real-device validation: configs named on the command line timed on this host, then set against the benchmark."""
