"""The migration contracts: pytest tests that compare source and target object by object."""
