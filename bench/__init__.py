"""`make bench`: the portal's speed at scale, beside fair peers (issues 7, 16).

Run with ``python -m bench [--size small|medium|large] [--only WORKLOAD]``; with
``DATABASE_URL`` set, SQLite and PostgreSQL in one run. Results go to
``bench/results/<timestamp>-<size>.json`` and ``docs/benchmarks.md``.
"""
