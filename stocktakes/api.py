"""The stocktakes API: stocktakes the caller may see, with their counts (read only)."""

from rest_framework import serializers

from devices.api import ScopedReadOnlyViewSet
from stocktakes.filters import StocktakeFilterSet
from stocktakes.models import Stocktake
from stocktakes.services import READER_ROLES


class StocktakeSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.code", read_only=True)
    school_urn = serializers.IntegerField(source="school.urn", read_only=True, allow_null=True, default=None)
    expected = serializers.IntegerField(source="n_expected", read_only=True)
    found = serializers.IntegerField(source="n_found", read_only=True)
    missing = serializers.IntegerField(source="n_missing", read_only=True)
    unexpected = serializers.IntegerField(source="n_unexpected", read_only=True)

    class Meta:
        model = Stocktake
        fields = ["id", "local_authority", "school_urn", "status", "started_at", "closed_at", "expected", "found", "missing", "unexpected"]


class StocktakeViewSet(ScopedReadOnlyViewSet):
    """Stocktakes the caller may see, newest first, with expected/found/missing/unexpected."""

    model = Stocktake
    serializer_class = StocktakeSerializer
    filterset_class = StocktakeFilterSet
    related = ("local_authority", "school")
    api_roles = READER_ROLES

    def get_queryset(self):
        return super().get_queryset().with_counts()
