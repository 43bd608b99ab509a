"""Everything of the acceptance framework that knows PRS: factories, demo data, PRS assertions."""
