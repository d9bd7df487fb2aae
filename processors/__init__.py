"""dyadwatch's pure domain code: gazetteer tagging, sentiment, dyad attribution, windows and shift detection.

No Kafka, no asyncio: plain functions and classes.
"""


def is_compiled() -> bool:
    """Whether this installation runs the mypyc-compiled build of the tagging modules (setup.py), not their source."""
    from dyadwatch.processors import dyads

    return not dyads.__file__.endswith(".py")
