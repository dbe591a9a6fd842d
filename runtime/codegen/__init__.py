"""Generated Python: safe literals, checked identifiers, the network class and the trained module."""
