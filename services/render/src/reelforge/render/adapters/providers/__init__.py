"""Provider adapters (HeyGen v3, D-ID talks) behind the port in ``domain.provider``."""

from .catalogue_cache import CachedCatalogue
from .did import DIdConfig, DIdProvider
from .heygen import HeyGenConfig, HeyGenProvider

__all__ = ["CachedCatalogue", "DIdConfig", "DIdProvider", "HeyGenConfig", "HeyGenProvider"]
