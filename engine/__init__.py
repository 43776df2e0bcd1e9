"""chainrule's engine: an inspectable NumPy network that trains step by step.

No web code lives here; the service in ``app/`` drives it.
"""

from .activations import ACTIVATIONS, get_activation
from .config import PROPERTIES, ConfigError, resolve_config
from .data import DATASETS, FEATURES
from .gradcheck import check_gradients, numeric_gradient, relative_error
from .layers import Dense
from .losses import LOSSES
from .network import Network, build_dense
from .optimizers import OPTIMIZERS, make_optimizer
from .trainer import Trainer

__all__ = [
    "ACTIVATIONS", "DATASETS", "FEATURES", "LOSSES", "OPTIMIZERS", "PROPERTIES",
    "ConfigError", "Dense", "Network", "Trainer", "build_dense", "check_gradients",
    "get_activation", "make_optimizer", "numeric_gradient", "relative_error", "resolve_config",
]
