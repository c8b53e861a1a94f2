"""Demand notices (수요예보): agencies announce planned needs, suppliers say they are interested."""
