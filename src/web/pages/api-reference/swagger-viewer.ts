import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './swagger-viewer.css';

/** Renders the document read-only: no "try it out" (calls belong in scripts with a key), no call to swagger.io's validator. */
export function mountSwaggerUi(host: HTMLElement, url: string): void {
  SwaggerUI({
    domNode: host,
    url,
    validatorUrl: null,
    supportedSubmitMethods: [],
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
  });
}
