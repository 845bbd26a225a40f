"""plainte: write the letter that gets a dispute with a bank, lender or debt collector solved."""

__version__ = "0.1.0"
