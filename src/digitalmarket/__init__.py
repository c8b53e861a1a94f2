"""디지털서비스 마켓: the public procurement of digital services on one open platform."""

__version__ = "0.1.0"
