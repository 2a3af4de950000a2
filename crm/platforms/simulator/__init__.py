"""The simulator: a persistent trading platform in miniature, the default adapter of trading servers."""
