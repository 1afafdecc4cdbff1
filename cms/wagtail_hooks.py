# Routes grapple's built-in queries through the visibility rules (cms/api/grapple.py).
from cms.api import grapple  # noqa: F401
