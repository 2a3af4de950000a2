"""Electronic identity verification: the provider interface, the simulated provider, and its pages."""
