"""Neural-network building blocks: ``convlearn.nn.functional`` (pure operations) and layers."""
