"""Analysis: the link graph (cross-border correlation) and trends with early warnings,
every figure computed over what the acting analyst may see."""
