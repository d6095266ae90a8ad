// Starts Swagger UI on /docs. A file rather than an inline script: the pages' Content-Security-Policy
// allows scripts from jobgate itself only.
(function () {
  'use strict';
  var container = document.getElementById('api-docs');
  var csrf = document.querySelector('meta[name="csrf-token"]');
  // SwaggerUIBundle comes from /docs/assets/swagger-ui-bundle.js, served by jobgate (no CDN).
  window.SwaggerUIBundle({
    url: container.getAttribute('data-spec-url'),
    domNode: container,
    deepLinking: true,
    // Never send the document to validator.swagger.io: clusters are often offline, and it is ours.
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    // Signed in with a browser session: state-changing "Try it out" requests need its CSRF token.
    requestInterceptor: function (request) {
      if (csrf && request.method && request.method.toUpperCase() !== 'GET') {
        request.headers['X-CSRF-Token'] = csrf.getAttribute('content');
      }
      return request;
    },
  });
})();
