"""The serializer every API resource builds on: every field described for the OpenAPI
schema, and related ids limited to the rows the requesting user may see."""

from rest_framework import serializers

from core.scoping import restrict

from .schema import FIELD_DESCRIPTIONS


class DescribedSerializer(serializers.ModelSerializer):
    """A model serializer whose fields all carry a description for the OpenAPI schema."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.help_text and name in FIELD_DESCRIPTIONS:
                field.help_text = FIELD_DESCRIPTIONS[name]
        return fields

    def refuse_taken(self, clashing, field: str, message: str) -> None:
        """Refuse on `field` a row that would repeat one of `clashing` (the rows a unique
        constraint sets it against; this row itself left out), so the client is told which
        field, not a bare integrity error."""
        if self.instance is not None:
            clashing = clashing.exclude(pk=self.instance.pk)
        if clashing.exists():
            raise serializers.ValidationError({field: message})

    def current(self, attrs: dict, name: str):
        """The value `name` will have: the posted one, else the stored one (partial update)."""
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None) if self.instance is not None else None


class ScopedSerializer(DescribedSerializer):
    """A described model serializer whose related-id fields accept only rows the requesting
    user may see (by the related model's access declaration): an id of a row out of sight
    is refused as if it did not exist ("Invalid pk")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        for field in self.fields.values():
            relation = getattr(field, "child_relation", field)
            if not isinstance(relation, serializers.PrimaryKeyRelatedField):
                continue
            # Ids are integers: 1.5 or true is a wrong type, not a rounded or cast id.
            relation.pk_field = serializers.IntegerField()
            if user is None or relation.queryset is None:
                continue
            relation.queryset = restrict(relation.queryset, user)
