"""The rule model, rule packs as YAML data, static checks, and the engine that evaluates them."""
