"""Hand-offs: the gated transition of an account from sales (or from another manager) to its
account manager, with a checklist answered with evidence."""
