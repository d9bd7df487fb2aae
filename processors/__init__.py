"""dyadwatch's pure domain code: gazetteer tagging, sentiment, dyad attribution, windows and shift detection.

No Kafka, no asyncio: plain functions and classes.
"""
