"""The NSAI HTTP API: `create_app(settings)` builds it; routers per resource."""
