"""Generated Python: safe literals, checked identifiers, the network class, the trained module."""
