// Swagger UI over this server's own contract. validatorUrl: null keeps it from asking an online
// validator for a badge: the page talks to this origin only.
window.ui = SwaggerUIBundle({
  url: '/openapi.yml',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
});
