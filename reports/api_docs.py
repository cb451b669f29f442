"""A server-rendered page of the API's endpoints, built from the OpenAPI schema.

Swagger UI and Redoc load JavaScript from a CDN and style elements inline, which our content
security policy forbids; this page needs neither and works without JavaScript.
"""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


def endpoints(schema):
    """``[(method, path, summary, parameters, request fields)]`` from an OpenAPI dict."""
    out = []
    for path, item in sorted(schema.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [(p.get("name"), p.get("in"), (p.get("description") or "").strip()) for p in op.get("parameters", [])]
            out.append({
                "method": method.upper(), "path": path, "summary": (op.get("description") or op.get("summary") or "").strip(),
                "parameters": params, "auth": [k for sec in op.get("security", []) for k in sec],
                "responses": sorted(op.get("responses", {}).keys()),
            })
    return out


class ApiDocsView(TemplateView):
    template_name = "reports/api_docs.html"
    extra_context = {"title": _("API documentation")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        schema = SchemaGenerator().get_schema(request=None, public=True)
        context["info"] = schema.get("info", {})
        context["endpoints"] = endpoints(schema)
        return context
