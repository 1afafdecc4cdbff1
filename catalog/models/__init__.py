from .contracts import SupportContract, SupportContractQuerySet, SupportLevel
from .products import Product, ProductRelease
from .reminders import RenewalReminder
from .subscriptions import (
    EXPIRING_SOON_DAYS,
    Licence,
    LicenceType,
    Subscription,
    SubscriptionStatus,
    Term,
)

__all__ = [
    "EXPIRING_SOON_DAYS",
    "Licence",
    "LicenceType",
    "Product",
    "ProductRelease",
    "RenewalReminder",
    "Subscription",
    "SubscriptionStatus",
    "SupportContract",
    "SupportContractQuerySet",
    "SupportLevel",
    "Term",
]
