"""pos-returns core: policy, engine, money, store, services. Never imports Qt."""

__version__ = "0.1.0"
