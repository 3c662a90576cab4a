"""Integrations with other libraries, one module each (``despina.integrations.python_logger``).

Importing this package imports none of them; each module imports its library when used.
"""
