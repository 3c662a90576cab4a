# The Neptune client API this stands for, and (after '+') which despina serves it; read by
# pyproject.toml as the distribution's version.
__version__ = "1.14.0.post2+despina.0.1.0"
version = __version__
