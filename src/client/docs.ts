/**
 * Starts the API reference on /docs. Swagger UI's prebuilt bundle (served from Gazette's own
 * assets, from the pinned npm package) defines `window.SwaggerUIBundle`; this script only points
 * it at the OpenAPI document. Nothing here reaches another origin: the validator badge, which
 * would call validator.swagger.io, is off.
 */
type SwaggerUIBundle = (config: Record<string, unknown>) => unknown;

const mount = document.getElementById('api-reference');
const swaggerUi = (window as unknown as { SwaggerUIBundle?: SwaggerUIBundle }).SwaggerUIBundle;
if (mount && swaggerUi) {
  swaggerUi({
    url: mount.dataset.openapiUrl ?? '/openapi.json',
    domNode: mount,
    validatorUrl: null,
    deepLinking: true,
  });
}
