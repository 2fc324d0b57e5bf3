"""A test news site (Vietnamese, shaped like real news sites) written for the project."""

from .build import build_site
from .server import SiteServer

__all__ = ["SiteServer", "build_site"]
