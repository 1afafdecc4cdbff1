from .contracts import SupportContract, SupportContractQuerySet, SupportLevel
from .downloads import (
    DownloadEvent,
    DownloadFile,
    DownloadIndexPage,
    DownloadKind,
    DownloadNotification,
    DownloadNotificationPreference,
    DownloadPage,
    Platform,
)
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
    "DownloadEvent",
    "DownloadFile",
    "DownloadIndexPage",
    "DownloadKind",
    "DownloadNotification",
    "DownloadNotificationPreference",
    "DownloadPage",
    "Platform",
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
