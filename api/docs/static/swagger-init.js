// Swagger UI over this server's OpenAPI document (a file of its own: the pages allow no inline
// script). Paths are relative, so the docs work under a proxy's path prefix too.
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
