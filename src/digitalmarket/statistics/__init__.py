"""Public statistics of the market (contracts, amounts, SME share, lead times) and open data exports."""
