"""The audience rule as *reader keys*, for search engines.

:func:`knowledge.selectors.audience_filter` states who may read an article in SQL.
A search engine cannot run that SQL, so each indexed article carries the keys of the
readers it admits (:func:`article_reader_keys`) and a search asks for the articles
holding one of the caller's keys (:func:`reader_keys_for`): an exact, document-level
filter computed by the engine, with no per-hit check in SQL. The two functions are the
same rule as ``audience_filter``; tests/knowledge/test_readers.py checks that they
agree with it for every audience and kind of caller.

Keys: ``public``; ``clients`` (any client company); ``company:<id>`` (a chosen
company); ``product:<id>`` (holders of a product). Internal articles have none: only
staff, who search without a filter, read them.
"""

from __future__ import annotations

from catalog.selectors import product_releases_held_as
from cms.access import Caller

from .models import ArticlePage, Audience


def article_reader_keys(article: ArticlePage) -> list[str]:
    """The keys of the readers ``article`` admits (what its index document holds)."""
    return reader_keys_of(article.audience, article.indexed)


def reader_keys_of(audience: str, indexed) -> list[str]:
    """The keys of an article with ``audience``; ``indexed(relation)`` gives the
    (id, label) pairs of its companies and products (read only if needed)."""
    if audience in (Audience.PUBLIC, Audience.CLIENTS):
        return [str(audience)]
    keys = []
    if audience in (Audience.COMPANIES, Audience.PRODUCT_OWNERS):
        keys += [f"company:{pk}" for pk, _name in indexed("companies")]
    if audience == Audience.PRODUCT_OWNERS:
        keys += [f"product:{pk}" for pk, _name in indexed("products")]
    return keys


def reader_keys_for(caller: Caller) -> list[str] | None:
    """The keys ``caller`` reads with; None means no restriction (staff). One SQL
    query for a company (the products it holds), none otherwise."""
    if caller.is_staff:
        return None
    if not caller.reads_as_client:
        return [Audience.PUBLIC.value]
    keys = [Audience.PUBLIC.value, Audience.CLIENTS.value]
    company_id = caller.company_id
    if company_id is None:
        return keys
    held = sorted({pk for pk, _release in product_releases_held_as(caller)})
    return [*keys, f"company:{company_id}", *(f"product:{pk}" for pk in held)]
