"""Archives: many photos through the one pipeline, on an engine. ``local`` renders them one after another in this
process; ``ray`` spreads them over a Ray cluster (Ray Data; an optional extra, imported only when asked for).
Both skip what is already done and keep ``manifest.jsonl``."""
