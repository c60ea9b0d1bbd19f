"""Human names for the codes the classifier emits: categories and ISO 3166-1 countries.

Emails say "Paraguay", not "PY". The table covers Latin America and the Caribbean plus the
other countries this topic keeps naming; an unknown code is shown as the code itself, so a
new country never breaks an email. In another language, categories come from the shared
catalogs (``category.*``) and countries from the locale's CLDR names (Babel).
"""

from __future__ import annotations

from monitor.notify.text import clean_inline
from monitor.notify.wording import category_name, territory_name, words

CATEGORY_LABELS: dict[str, str] = {
    "peace-plan": "Peace plan",
    "summit-visit": "Summits and visits",
    "trade-economy": "Trade and economy",
    "security-military": "Security and military",
    "un-multilateral": "UN and multilateral",
    "humanitarian": "Humanitarian",
    # Russia–Latin America (seeds/topics/russia-latam.toml)
    "energy-nuclear": "Energy and nuclear",
    "media-influence": "Media and influence",
    "other": "Other",
}

COUNTRY_NAMES: dict[str, str] = {
    # South America
    "AR": "Argentina",
    "BO": "Bolivia",
    "BR": "Brazil",
    "CL": "Chile",
    "CO": "Colombia",
    "EC": "Ecuador",
    "GY": "Guyana",
    "PE": "Peru",
    "PY": "Paraguay",
    "SR": "Suriname",
    "UY": "Uruguay",
    "VE": "Venezuela",
    # Central America and Mexico
    "BZ": "Belize",
    "CR": "Costa Rica",
    "GT": "Guatemala",
    "HN": "Honduras",
    "MX": "Mexico",
    "NI": "Nicaragua",
    "PA": "Panama",
    "SV": "El Salvador",
    # Caribbean
    "AG": "Antigua and Barbuda",
    "BB": "Barbados",
    "BS": "Bahamas",
    "CU": "Cuba",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "GD": "Grenada",
    "HT": "Haiti",
    "JM": "Jamaica",
    "KN": "Saint Kitts and Nevis",
    "LC": "Saint Lucia",
    "PR": "Puerto Rico",
    "TT": "Trinidad and Tobago",
    "VC": "Saint Vincent and the Grenadines",
    # Others the topic keeps meeting
    "UA": "Ukraine",
    "RU": "Russia",
    "BY": "Belarus",
    "US": "United States",
    "CA": "Canada",
    "CN": "China",
    "IN": "India",
    "ZA": "South Africa",
    "TR": "Türkiye",
    "SA": "Saudi Arabia",
    "ES": "Spain",
    "PT": "Portugal",
    "FR": "France",
    "DE": "Germany",
    "IT": "Italy",
    "PL": "Poland",
    "GB": "United Kingdom",
    "CH": "Switzerland",
    "VA": "Holy See",
    "JP": "Japan",
}


def category_label(category: str | None, language: str = "en") -> str:
    """Display name for a category slug; unknown or missing categories read as "Other"."""
    if language != "en":
        return category_name(category, language)
    if category is None:
        return CATEGORY_LABELS["other"]
    return CATEGORY_LABELS.get(category) or clean_inline(category)[:60] or CATEGORY_LABELS["other"]


def country_name(code: str, language: str = "en") -> str:
    """Display name for an ISO 3166-1 alpha-2 code; an unknown code is shown cleaned as is."""
    key = code.strip().upper()
    if language != "en":
        return territory_name(key, language) or COUNTRY_NAMES.get(key) or clean_inline(code)[:60]
    return COUNTRY_NAMES.get(key) or clean_inline(code)[:60]


def no_country(language: str = "en") -> str:
    """The digest heading of stories with no country, in ``language``."""
    return words(language).text("email.no_country")
