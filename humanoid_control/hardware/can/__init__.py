"""CAN actuators: the MIT-mode protocol, motor models, simulated devices on python-can's
virtual bus, and the bus plumbing the CAN hardware backends share."""
