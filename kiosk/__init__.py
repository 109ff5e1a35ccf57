"""Software for touchscreen lookup and queue-ticket kiosks in Vietnamese one-stop-shop offices."""

__version__ = "0.1.0"
