"""In-memory SageMaker Feature Store: runtime and feature-group control plane."""
from .models import featurestore_backends

__all__ = ["featurestore_backends"]
