"""The OpenAPI schema's error answers: every error of every operation is documented as an RFC 9457 problem.

drf-standardized-errors' AutoSchema decides which errors an operation can give (401 where it can authenticate,
403 where a permission class may refuse, 404 with a path parameter or a page number, 415 where it reads a body,
429 where it is throttled, 405, 406 and 500 everywhere). `postprocess_problems` then finishes the contract in one
place, whatever each view declared:

- 400, 414 and 431 on every operation (any query or path parameter with a NUL is refused; gunicorn refuses a
  request line over 8190 bytes and oversized headers, config/gunicorn.py), 401 wherever a token can be given
  (a wrong one is refused even where none is needed), 413 and 415 on every operation with a body, 403 on every
  write, every operation that needs authentication and every operation on one object (the services check
  permissions themselves, whatever the view's permission classes say), 409 on every write to one object (its state
  may not allow it);
- an optional query parameter may be empty (`allowEmptyValue`): empty means not given;
- an id in the path is an integer from 1 to the largest database key, whichever way the view's URL spells it
  (`<int:pk>` or a digits-only lookup pattern); any other id is a 404, as for an id that names nothing;
- each error answer is `application/problem+json` with the `Problem` schema; an error schema a view declared
  itself (the 409 of a taken slot with `alternatives`, say) adds its members to the problem as extensions.
"""

from drf_spectacular.utils import extend_schema_serializer
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework import serializers

from core.db import MAX_ID
from core.edge import MAX_BODY_BYTES, MAX_JSON_DEPTH
from core.problems import PROBLEM_CONTENT_TYPE, problem_types


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The input at fault (`start`, `lines.0.name`, a query parameter), or null."
    )
    code = serializers.CharField(help_text="Stable name of the rule, e.g. `required`, `naive_time`.")
    detail = serializers.CharField(help_text="The rule in words, in the request's language.")


@extend_schema_serializer(component_name="Problem")
class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details. Extension members (`alternatives`, `limit`, `retry_after`, ...) may follow."""

    type = serializers.ChoiceField(choices=[(kind, kind) for kind in problem_types()], help_text="The kind of problem.")
    title = serializers.CharField(help_text="The kind of problem in words.")
    status = serializers.IntegerField(min_value=400, max_value=599)
    detail = serializers.CharField(help_text="This occurrence in words: the first rule broken.")
    code = serializers.CharField(help_text="Stable name of the rule or failure, for programs.")
    errors = ProblemFieldErrorSerializer(many=True, help_text="One entry per input at fault; empty when none.")


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors' AutoSchema; a view without permission classes is public (security `{}`)."""

    def get_auth(self):
        auths = super().get_auth()
        if not self.view.get_permissions() and {} not in auths:
            auths.append({})
        return auths


PROBLEM_REF = "#/components/schemas/Problem"
ERROR_DESCRIPTIONS = {
    "400": "The input was refused: `code` names the rule, `errors` the fields.",
    "401": "No valid credentials: send `Authorization: Token <token>`.",
    "403": "Your role does not allow this.",
    "404": "Not found, or not visible to you.",
    "405": "Method not allowed.",
    "406": "Cannot answer in a format the Accept header allows.",
    "409": "Conflicts with the current state.",
    "413": f"The body is larger than {MAX_BODY_BYTES} bytes or nested deeper than {MAX_JSON_DEPTH} levels.",
    "414": "The request line (address and query) is longer than 8190 bytes.",
    "415": "Send the body as application/json.",
    "422": "The request cannot be processed as it is.",
    "429": "Too many requests: wait `retry_after` seconds (also the Retry-After header).",
    "431": "The request headers are too many or too large.",
    "500": "Server error.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
DIGITS_PATTERNS = {"^[0-9]+$", "^\\d+$"}


def _is_id(parameter: dict) -> bool:
    schema = parameter.get("schema") or {}
    return parameter.get("in") == "path" and (
        schema.get("type") == "integer" or (schema.get("type") == "string" and schema.get("pattern") in DIGITS_PATTERNS)
    )


def _extension_properties(schema: dict, components: dict) -> dict:
    """The members an error schema a view declared adds to the problem (reserved and field members dropped)."""
    ref = schema.get("$ref", "")
    if not ref.startswith("#/components/schemas/") or ref == PROBLEM_REF:
        return {}
    declared = components.get(ref.rsplit("/", 1)[-1], {})
    return {
        name: value
        for name, value in declared.get("properties", {}).items()
        if name not in {"type", "title", "status", "detail", "code", "errors", "instance"}
    }


def _problem_response(code: str, old: dict | None, components: dict) -> dict:
    old = old or {}
    extensions = {}
    for content in (old.get("content") or {}).values():
        extensions.update(_extension_properties(content.get("schema") or {}, components))
    schema = {"$ref": PROBLEM_REF}
    if extensions:
        schema = {"allOf": [{"$ref": PROBLEM_REF}, {"type": "object", "properties": extensions}]}
    description = old.get("description") or ERROR_DESCRIPTIONS.get(code, "")
    return {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": schema}}}


def postprocess_problems(result, generator, request, public):
    components = result.get("components", {}).get("schemas", {})
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            security = operation.get("security", [])
            public_operation = not security or {} in security
            parameters = operation.get("parameters", [])
            # An empty query parameter means "not given" (django-filter and the API's own parsing agree).
            for parameter in parameters:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
                if _is_id(parameter):
                    parameter["schema"] = dict(ID_SCHEMA)
            responses = operation["responses"]
            wanted = {"400", "414", "431", "500"}  # 414, 431: gunicorn's limits on the request line and headers
            if any(requirement for requirement in security):
                wanted.add("401")  # a wrong or expired token is refused wherever one can be given
            if "requestBody" in operation:
                wanted |= {"413", "415"}
            on_one_object = any(p.get("in") == "path" for p in parameters)
            if method in WRITE_METHODS or not public_operation or on_one_object:
                wanted.add("403")
            if method in WRITE_METHODS and on_one_object:
                wanted.add("409")  # a change the object's current state does not allow
            for code in wanted:
                responses.setdefault(code, None)
            for code in list(responses):
                if int(code) >= 400:
                    responses[code] = _problem_response(code, responses[code], components)
            operation["responses"] = dict(sorted(responses.items()))
    return result
