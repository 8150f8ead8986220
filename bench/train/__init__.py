"""Training: supernets (sandwich rule) and subnet evaluation (needs torch)."""
