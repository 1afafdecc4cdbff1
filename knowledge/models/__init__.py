from .feedback import ArticleDailyViews, ArticleFeedback, FeedbackReason
from .pages import (
    ArticlePage,
    ArticlePageRelatedLink,
    ArticlePageTag,
    Audience,
    KnowledgeIndexPage,
)
from .taxonomy import Author, Category

__all__ = [
    "ArticleDailyViews",
    "ArticleFeedback",
    "ArticlePage",
    "ArticlePageRelatedLink",
    "ArticlePageTag",
    "Audience",
    "Author",
    "Category",
    "FeedbackReason",
    "KnowledgeIndexPage",
]
