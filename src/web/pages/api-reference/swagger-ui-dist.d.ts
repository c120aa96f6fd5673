declare module 'swagger-ui-dist/swagger-ui-es-bundle.js' {
  /** The options this app passes; Swagger UI takes many more. */
  interface SwaggerUiOptions {
    domNode: HTMLElement;
    url: string;
    validatorUrl: null;
    supportedSubmitMethods: string[];
    deepLinking: boolean;
    docExpansion: 'list' | 'full' | 'none';
    defaultModelsExpandDepth: number;
    tryItOutEnabled: boolean;
  }
  const SwaggerUI: (options: SwaggerUiOptions) => unknown;
  export default SwaggerUI;
}
