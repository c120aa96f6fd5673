/** The otlp module's surface: the only file of it that code outside the module imports. */
export { otlpRoutes } from './otlp.routes.js';
export { OtlpService } from './otlp.service.js';
