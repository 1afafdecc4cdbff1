from .products import Product, ProductRelease

__all__ = ["Product", "ProductRelease"]
