"""jaikg: a knowledge graph of Japan's AI research and development, with SPARQL access."""

__version__ = "0.1.0"
