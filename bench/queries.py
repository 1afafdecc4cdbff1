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
      ... on CalloutBlock { kind title text }
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

REST_FIELDS = "summary,first_published_at,category,tags,authors,products"
REST_LISTING = (
    "/api/v2/pages/?type=knowledge.ArticlePage&fields="
    + REST_FIELDS
    + "&limit=20&order=-first_published_at"
)
