"""The GraphQL operations and REST URLs the workloads send."""

LISTING = """
query Listing {
  articles(perPage: 20) {
    total pages
    items {
      id title slug summary publishedAt
      category { name slug }
      tags { name }
      authors { displayName jobTitle }
      products { name code }
    }
  }
}
"""

ARTICLE = """
query Article($slug: String!) {
  article(slug: $slug) {
    id title slug summary publishedAt
    category { name slug }
    tags { name }
    authors { displayName jobTitle }
    products { name code }
    body {
      id blockType
      ... on HeadingBlock { text level }
      ... on RichTextBlock { value }
      ... on CodeBlock { language code caption }
      ... on CalloutBlock { kind title calloutText: text }
    }
  }
}
"""

MY_COMPANY = """
query MyCompany {
  myCompany {
    id name
    subscriptions(perPage: 100) {
      total pages
      items {
        id autodeskId seats status daysRemaining endDate
        product { code name includes { code } }
        licences { id licenceType serialNumber productKey }
      }
    }
  }
}
"""

SEARCH = """
query Search($q: String!) {
  searchArticles(query: $q, perPage: 10) {
    total
    items { score highlights article { id title slug } }
    facets { products { code count } categories { slug count } }
  }
}
"""
SEARCH_TERMS = "licence réseau"

# The tuned REST v2 endpoint (bench/api.py) orders by publication date itself.
REST_FIELDS = (
    "_,id,title,slug,summary,first_published_at,category,tags,authors,products"
)
REST_LISTING = "/api/v2/articles/?fields=" + REST_FIELDS + "&limit=20"

# --- what the portal sends (named fragments, as its Apollo client does) ----------

PORTAL_FRAGMENTS = """
fragment AuthorChip on Author {
  displayName jobTitle
  photo { url width height }
}
fragment ArticleCard on ArticlePage {
  id title slug summary publishedAt readingTimeMinutes
  category { name slug }
  tags { name }
  products { name code }
  versions { version product { code } }
  authors { ...AuthorChip }
  relatedArticles { id title slug }
}
"""

PORTAL_LISTING = (
    """
query PortalListing {
  articles(perPage: 20) {
    total pages
    items { ...ArticleCard }
  }
}
"""
    + PORTAL_FRAGMENTS
)

PORTAL_ARTICLE = (
    """
query PortalArticle($slug: String!) {
  article(slug: $slug) {
    ...ArticleCard
    lastReviewedAt
    body {
      id blockType
      ... on HeadingBlock { text level }
      ... on RichTextBlock { value }
      ... on CodeBlock { language code caption }
      ... on CalloutBlock { kind title calloutText: text }
    }
  }
}
"""
    + PORTAL_FRAGMENTS
)

# The REST v2 peer's fields: what the GraphQL listings output, nothing more.
REST_PORTAL_FIELDS = (
    "_,id,title,slug,summary,first_published_at,reading_time_minutes,category,tags,"
    "products,versions,authors,related_articles"
)
REST_PORTAL_LISTING = "/api/v2/articles/?fields=" + REST_PORTAL_FIELDS + "&limit=20"
