from wagtail import hooks

from cms.visibility import ReadablePageLinkHandler


@hooks.register("register_rich_text_features", order=100)
def register_readable_page_links(features):
    """After Wagtail's own page link type, which it replaces."""
    features.register_link_type(ReadablePageLinkHandler)
