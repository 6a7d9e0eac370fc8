"""Subscriptions: what an account bought of a service, its effective-dated quantity and
price, changes by billing, and the requests managers make for them."""
