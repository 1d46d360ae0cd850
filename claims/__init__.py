"""Stage 2, extract: checkable claims, with speaker, polarity, modality, date and check-worthiness."""
from claims.models import Claim, DocumentClaims, TemporalAnomaly

__all__ = ["Claim", "DocumentClaims", "TemporalAnomaly"]
