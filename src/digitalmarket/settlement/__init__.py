"""Settlement: monthly usage, invoices, inspection, payment and reviews after the contract."""
