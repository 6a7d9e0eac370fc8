def demo() -> None:
    """Load the demo portfolio."""
