"""`make bench`: the portal's speed at realistic scale, beside its peers (issue 7).

Run with ``python -m bench [--size small|large] [--only WORKLOAD]``; results go to
``bench/results/<timestamp>.json`` and ``docs/benchmarks.md``.
"""
