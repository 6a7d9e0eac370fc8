"""Where an account can grow: the product catalogue (product lines → offerings → SKUs), the
per-account, per-product-line monthly revenue kept current on import, the whitespace matrix
(units × product lines: bought, open opportunities, not relevant), the portfolio view with
peer medians, and the client's needs with the product gaps they reveal. Opportunities and
the weighted pipeline are ``growth.opportunities``."""
