"""pipeline: the content pipeline and editorial workflow tool of the local-AI catalog."""

__version__ = "0.1.0"
